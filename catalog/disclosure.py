"""Disclosure control of harvested counts: the only code that reads raw counts, and what it lets out.

Sources publish frequency tables (DDI `catgry/catStat`, a registry's `variable, code, count`
file) and summaries (`sumStat`). Before any of it reaches a page, the API, a feed or a synthetic
sample it goes through `protect`, which returns the *published view*: per variable the counts a
researcher may see, `None` where a count is suppressed, the total where it reveals nothing, and
the summary statistics that are safe. Raw counts live in the store beside the record (never in
the record itself, so no rendering, index document or export can carry them) and are read back
only by `refresh` here.

The method follows the tabular protection of Statistics Netherlands' tau-argus and of sdcTable /
Statistics Norway's GaussSuppression, adapted to the tables a catalogue holds (one-way frequency
tables that share their grand total across the variables of a dataset):

1. *Primary suppression*: every count (a code's, or the total) from 1 to `threshold - 1` is
   suppressed. Zeros are published: they are never the small group a rule protects.
2. *Secondary suppression*, checked by an exact *audit*: the attacker knows every published
   number exactly, how the tables add up (the codes of a variable to its total; all variables of
   a dataset that have the same total share it, as do the dataset's own stated numbers of records
   and individuals), that counts are whole numbers >= 0, and that zeros are published, so a
   suppressed count is >= 1. For every suppressed count the audit computes the set of values it
   can take given all that (`ranges`). A count is protected when that set holds at least two
   values and, for a primary count, a value >= threshold: the attacker cannot tell a small count
   from a publishable one. A second attacker is assumed to know, besides, which suppressions are
   primary (so from 1 to threshold - 1) and which are complements (so >= threshold); every
   suppressed count must keep two possible values for it too. While a count is unprotected, a
   complement is suppressed next: the variable's total when no other table or stated number
   reveals it, else the next non-zero published count in the variable's order; when nothing is
   left, every count of the variable is withheld, zeros included (the attacker then knows only
   that each lies between 0 and the total). Complements are chosen by position, never by value,
   so the order of the algorithm's steps tells an attacker nothing about the counts it hid.
3. *Rounding* of what is published, to a multiple of `rounding`, after suppression and never
   before: suppression decides on true counts, and the guarantee above holds without it (rounding
   only widens what an attacker can infer).
4. *Summaries*: the mean and standard deviation are published when at least `threshold` values
   lie behind them and no coded count of the variable is suppressed (with codes as numbers, a
   mean is one more equation over the counts); a minimum or maximum only when the published
   table shows at least `threshold` records with exactly that value, since an extreme is
   otherwise one person's value.

The audit is exact because the structure is a tree (codes under a variable's total, the totals of a
dataset's variables joined in one shared node): the values a node can take, seen from below and
from above, are whole-number intervals, and a value in both is reachable (`ranges`). The property
tests in `tests/test_disclosure.py` attack every published view with an independent solver that
enumerates the tables consistent with it, and must fail to recover any suppressed count.

Known limits: relations no metadata states (a follow-up question asked only of those who
answered yes to another, whose total is a count of that other table) are not linked; differences
between harvests of the same source over time, or between overlapping datasets, are not audited.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.store import StoreWriter

MIN_THRESHOLD = 5
"""The smallest threshold a source may be given: an operator may raise it, never lower it."""
DEFAULT_ROUNDING = 5
INF = math.inf
VERSION = "1"
"""Part of every published view's stamp: a change of the method re-publishes every table."""


class PolicyError(ValueError):
    """A disclosure setting that cannot be used; the message names it and says what is allowed."""


@dataclass(frozen=True)
class Policy:
    """How one source's counts are published: the threshold (>= MIN_THRESHOLD) and rounding base."""

    threshold: int = MIN_THRESHOLD
    rounding: int = DEFAULT_ROUNDING

    def __post_init__(self) -> None:
        if type(self.threshold) is not int or self.threshold < MIN_THRESHOLD:  # TOML may hold anything
            raise PolicyError(
                f"disclosure threshold {self.threshold!r}: must be a whole number of at least {MIN_THRESHOLD} "
                "(it may be raised, never lowered)"
            )
        if type(self.rounding) is not int or self.rounding < 1:
            raise PolicyError(f"disclosure rounding {self.rounding!r}: must be a whole number of at least 1 (1: none)")

    @classmethod
    def from_options(cls, options: Mapping[str, Any], where: str = "options.disclosure") -> Policy:
        """The policy a source's `options.disclosure` table sets (`threshold`, `rounding`)."""
        raw = options.get("disclosure") or {}
        if not isinstance(raw, Mapping):
            raise PolicyError(f"{where}: must be a table with threshold and rounding (got {raw!r})")
        unknown = sorted(set(raw) - {"threshold", "rounding"})
        if unknown:
            raise PolicyError(f"{where}: unknown key {', '.join(unknown)}; the keys are threshold, rounding")
        try:
            return cls(int(raw.get("threshold", MIN_THRESHOLD)), int(raw.get("rounding", DEFAULT_ROUNDING)))
        except (TypeError, ValueError) as exc:
            raise PolicyError(f"{where}: {exc}") from exc

    def round(self, count: int) -> int:
        """A published count to the nearest multiple of the base (halves up), never below the threshold."""
        if count == 0 or self.rounding == 1:
            return count
        base = self.rounding
        rounded = (count + base // 2) // base * base
        if rounded < self.threshold:
            rounded = -(-self.threshold // base) * base
        return rounded

    def stamp(self) -> str:
        return f"v{VERSION}:t{self.threshold}:r{self.rounding}"


# --- raw counts, as harvested ------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """One cell of a variable's frequency table: a code (None: values without a code) and its count."""

    code: str | None
    count: int
    missing: bool = False  # a missing-value code (or the uncoded missing values)


@dataclass(frozen=True)
class Summary:
    """DDI sumStat: numbers of valid and invalid values and summary statistics of the valid ones."""

    valid: int | None = None
    invalid: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    stdev: float | None = None


@dataclass(frozen=True)
class Table:
    """One variable's raw counts: its cells (adding up to `total`) and summary."""

    variable: str  # the variable's URI
    counts: tuple[Count, ...]
    total: int
    summary: Summary = field(default_factory=Summary)

    def __post_init__(self) -> None:
        if any(c.count < 0 for c in self.counts) or self.total < 0:
            raise ValueError(f"{self.variable}: a count is negative")
        if sum(c.count for c in self.counts) != self.total:
            raise ValueError(
                f"{self.variable}: the counts add up to {sum(c.count for c in self.counts)}, not {self.total}"
            )


@dataclass(frozen=True)
class DatasetCounts:
    """A dataset's raw tables and the population sizes its own metadata states (known to anyone)."""

    dataset: str
    tables: tuple[Table, ...]
    stated: frozenset[int] = frozenset()  # numbers of records / individuals the dataset states

    def to_json(self) -> str:
        return json.dumps(
            {
                "dataset": self.dataset,
                "stated": sorted(self.stated),
                "tables": [
                    {
                        "variable": t.variable,
                        "total": t.total,
                        "counts": [[c.code, c.count, c.missing] for c in t.counts],
                        "summary": {k: v for k, v in asdict(t.summary).items() if v is not None},
                    }
                    for t in self.tables
                ],
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, data: str) -> DatasetCounts:
        raw = json.loads(data)
        return cls(
            raw["dataset"],
            tuple(
                Table(
                    t["variable"],
                    tuple(Count(code, count, bool(missing)) for code, count, missing in t["counts"]),
                    t["total"],
                    Summary(**t.get("summary", {})),
                )
                for t in raw["tables"]
            ),
            frozenset(raw.get("stated", [])),
        )


# --- the published view ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedCount:
    code: str | None
    count: int | None  # None: suppressed
    missing: bool = False


@dataclass(frozen=True)
class PublishedTable:
    """What may be shown of one variable's counts; every number here has passed `protect`."""

    variable: str
    counts: tuple[PublishedCount, ...]
    total: int | None
    threshold: int
    rounding: int
    valid: int | None = None
    invalid: int | None = None
    mean: float | None = None
    stdev: float | None = None
    minimum: float | None = None
    maximum: float | None = None

    @property
    def suppressed(self) -> int:
        return sum(1 for c in self.counts if c.count is None)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["counts"] = [asdict(c) for c in self.counts]
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PublishedTable:
        values = dict(raw)
        values["counts"] = tuple(PublishedCount(**c) for c in raw["counts"])
        return cls(**values)


def published_json(tables: Iterable[PublishedTable]) -> str:
    return json.dumps([t.to_dict() for t in tables], ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def published_tables(data: str | None) -> dict[str, PublishedTable]:
    """Variable URI -> published table, from what the store keeps (`published_json`)."""
    if not data:
        return {}
    return {t["variable"]: PublishedTable.from_dict(t) for t in json.loads(data)}


_TABLE_HEAD = '{"counts":'
"""How `published_json` begins each table (its keys sorted, without spaces)."""


def published_table_text(data: str | None, variable: str) -> str | None:
    """The JSON of `variable`'s table in a published view (`published_json`), the last if several
    are; None when there is none or the view is not a list. What `published_tables(data)[variable]`
    holds, without decoding or building the others: 100,000 of a registry's variables took 9 s.

    A view written as `published_json` writes it (`[{"counts":...`, keys sorted, no spaces) is
    searched from its end for `"variable":<the URI as JSON>`, and the table around it, begun by
    the last `{"counts":` before, alone decoded; a variable it does not name has no table. A view
    written otherwise, or a table not so found, has the whole view decoded instead."""
    if not data:
        return None
    if data == "[]":
        return None
    if data.startswith(f"[{_TABLE_HEAD}["):
        found = _table_as_written(data, variable)
        if found is not None:
            return found or None
    view = json.loads(data)
    if not isinstance(view, list):
        return None
    tables = [t for t in view if isinstance(t, dict) and t.get("variable") == variable]
    return json.dumps(tables[-1], ensure_ascii=False, sort_keys=True, separators=(",", ":")) if tables else None


def _table_as_written(data: str, variable: str) -> str | None:
    """`published_table_text` of a view as `published_json` writes it: the table's text, "" when the
    view names no such variable, None when the table is not found as written."""
    needles = dict.fromkeys(f'"variable":{json.dumps(variable, ensure_ascii=ascii)}' for ascii in (False, True))
    at = max(data.rfind(needle) for needle in needles)
    if at < 0:
        return ""
    start = data.rfind(_TABLE_HEAD, 0, at)
    if start < 1 or data[start - 1] not in "[,":
        return None
    try:
        table, end = json.JSONDecoder().raw_decode(data, start)
    except ValueError:
        return None
    if end <= at or not isinstance(table, dict) or table.get("variable") != variable or data[end : end + 1] not in "],":
        return None
    return data[start:end]


# --- the audit: what an attacker can infer --------------------------------------------------------

Interval = tuple[float, float]  # whole numbers lo..hi; hi may be INF, lo may be -INF on the way


@dataclass
class Structure:
    """Cells joined by sums: node 0 is the shared total; each partition of a node adds up to it.

    `table[n]` is the table a node belongs to (-1 for the shared total); `parent[n]` is
    (parent node, partition index). Built by `group_structure`; tests build others."""

    values: list[int]
    partitions: list[list[list[int]]]
    table: list[int]
    parent: list[tuple[int, int] | None]

    def add(self, value: int, table: int, parent: int | None, partition: int = 0) -> int:
        n = len(self.values)
        self.values.append(value)
        self.partitions.append([])
        self.table.append(table)
        self.parent.append(None if parent is None else (parent, partition))
        if parent is not None:
            parts = self.partitions[parent]
            while len(parts) <= partition:
                parts.append([])
            parts[partition].append(n)
        return n


def ranges(
    s: Structure, hidden: set[int], bounds: Sequence[Interval], known: AbstractSet[int] = frozenset()
) -> list[Interval]:
    """The values each node can take, for an attacker who sees every node not in `hidden`.

    `bounds[n]` is what the attacker knows of a hidden node beforehand (at least 1 when zeros are
    published; below the threshold when it knows the node is a primary suppression); `known` are
    hidden nodes whose value is public all the same (the stated population). Exact on a tree: a
    node's feasible set from its subtree (`down`) and from the rest (`up`) are whole-number
    intervals, and any value in both extends to a whole table on each side."""
    n = len(s.values)

    def own(i: int) -> Interval:
        if i not in hidden or i in known:
            return (s.values[i], s.values[i])
        return bounds[i]

    order = _preorder(s)
    down: list[Interval] = [(0.0, 0.0)] * n
    sums: list[list[tuple[float, float, int]]] = [[] for _ in range(n)]  # (lo, finite part of hi, unbounded terms)
    for i in reversed(order):
        lo, hi = own(i)
        for part in s.partitions[i]:
            a = sum(down[c][0] for c in part)
            finite = sum(down[c][1] for c in part if down[c][1] != INF)
            unbounded = sum(1 for c in part if down[c][1] == INF)
            sums[i].append((a, finite, unbounded))
            lo, hi = max(lo, a), min(hi, INF if unbounded else finite)
        down[i] = (lo, hi)
    up: list[Interval] = [(-INF, INF)] * n
    out: list[Interval] = [(0.0, 0.0)] * n
    for i in order:
        olo, ohi = own(i)
        flo, fhi = max(olo, up[i][0]), min(ohi, up[i][1])
        out[i] = (max(down[i][0], up[i][0]), min(down[i][1], up[i][1]))
        parts = s.partitions[i]
        others = _other_partitions(sums[i])
        for p, part in enumerate(parts):
            olo, ohi = others(p)
            alo, ahi = max(flo, olo), min(fhi, ohi)
            slo, finite, unbounded = sums[i][p]
            for c in part:
                clo, chi = down[c]
                blo = slo - clo
                rest = unbounded - (1 if chi == INF else 0)
                bhi = INF if rest else finite - (0 if chi == INF else chi)
                up[c] = (alo - bhi, ahi - blo)
    return out


def _other_partitions(sums: list[tuple[float, float, int]]) -> Callable[[int], Interval]:
    """For partition p of a node, the intersection of what its *other* partitions' sums allow.

    The shared total of a dataset has one partition per table (hundreds): the two tightest
    bounds are kept, so each lookup is constant time."""
    bounds = [(lo, INF if unbounded else finite) for lo, finite, unbounded in sums]
    los = sorted(range(len(bounds)), key=lambda q: -bounds[q][0])[:2]
    his = sorted(range(len(bounds)), key=lambda q: bounds[q][1])[:2]

    def others(p: int) -> Interval:
        lo = next((bounds[q][0] for q in los if q != p), -INF)
        hi = next((bounds[q][1] for q in his if q != p), INF)
        return lo, hi

    return others


def _preorder(s: Structure) -> list[int]:
    roots = [i for i, p in enumerate(s.parent) if p is None]
    out, stack = [], list(reversed(roots))
    while stack:
        i = stack.pop()
        out.append(i)
        for part in reversed(s.partitions[i]):
            stack.extend(reversed(part))
    return out


# --- protecting a dataset's tables -------------------------------------------------------------------


@dataclass
class Pattern:
    """The suppression decided for one group of tables sharing a total."""

    structure: Structure
    hidden: set[int]
    primary: set[int]
    withheld: set[int]  # tables withheld whole
    known: set[int]  # hidden nodes whose value is public anyway (the stated population)
    unprotectable: set[int] = field(default_factory=set)  # cells no suppression can protect (see `protect`)

    def blind(self) -> list[Interval]:
        """What an attacker who cannot tell primary from secondary suppressions knows of each hidden
        count beforehand: at least 1 (zeros are published), at least 0 in a table withheld whole."""
        return [(0.0 if t in self.withheld else 1.0, INF) for t in self.structure.table]

    def informed(self, threshold: int) -> list[Interval]:
        """What an attacker who knows which suppressions are primary knows beforehand: a primary count
        is from 1 to threshold - 1, a complement at least the threshold (complements are published
        counts, never zeros), a count of a table withheld whole anything from 0 up."""
        out: list[Interval] = []
        for i, t in enumerate(self.structure.table):
            if i in self.primary:
                out.append((1.0, threshold - 1.0))
            elif t in self.withheld:
                out.append((0.0, INF))
            else:
                out.append((float(threshold), INF))
        return out

    def failing(self, threshold: int) -> list[int]:
        """Hidden counts an attacker of either kind could recover (or, blind, tell to be small)."""
        blind = ranges(self.structure, self.hidden, self.blind(), self.known)
        informed = ranges(self.structure, self.hidden, self.informed(threshold), self.known)
        return [
            i
            for i in sorted(self.hidden)
            if i not in self.unprotectable
            and not (protected(blind[i], i in self.primary, threshold) and protected(informed[i], False, threshold))
        ]


def protected(interval: Interval, primary: bool, threshold: int) -> bool:
    """At least two values possible, and for a primary count (blind attacker) one that is publishable."""
    lo, hi = interval
    return hi > lo and (not primary or hi >= threshold)


def group_structure(totals: int, tables: Sequence[Table]) -> Structure:
    """Node 0 the shared total; each table a partition of it holding its cells, in order."""
    s = Structure([], [], [], [])
    s.add(totals, -1, None)
    for t, table in enumerate(tables):
        for c in table.counts:
            s.add(c.count, t, 0, t)
    return s


def protect_group(tables: Sequence[Table], threshold: int, stated: bool) -> Pattern:
    """Primary and secondary suppression of tables that share their total (see the module docstring)."""
    total = tables[0].total
    s = group_structure(total, tables)
    primary = {i for i, v in enumerate(s.values) if 0 < v < threshold}
    pattern = Pattern(s, set(primary), primary, set(), {0} if stated else set())
    root_withholdable = len(tables) == 1 and not stated
    while True:
        failing = pattern.failing(threshold)
        if not failing:
            return pattern
        cell = failing[0]
        complement = _complement(pattern, cell, root_withholdable)
        if complement is not None:
            pattern.hidden.add(complement)
            continue
        t = s.table[cell]
        if t >= 0 and t not in pattern.withheld:
            pattern.withheld.add(t)
            pattern.hidden.update(i for i in range(len(s.values)) if s.table[i] == t)
            continue
        # Nothing left to hide: the total is public and itself below the threshold (or zero).
        pattern.unprotectable.add(cell)


def _decisions(pattern: Pattern, tables: Sequence[Table]) -> list[Decision]:
    out, offset = [], 1
    for t, table in enumerate(tables):
        nodes = range(offset, offset + len(table.counts))
        offset += len(table.counts)
        out.append(Decision(tuple(n in pattern.hidden for n in nodes), 0 in pattern.hidden, t in pattern.withheld))
    return out


def protect_tables(tables: Sequence[Table], threshold: int, stated: bool) -> list[Decision]:
    """The decisions for tables sharing a total. When the total is published (several tables share
    it and it is not itself small, or the dataset states it), it is a known number that joins
    nothing: each table is protected on its own, which is the same result, found in linear time."""
    total = tables[0].total
    if len(tables) > 1 and not 0 < total < threshold:
        return [_decisions(protect_group([table], threshold, stated=True), [table])[0] for table in tables]
    return _decisions(protect_group(tables, threshold, stated), tables)


def _complement(pattern: Pattern, cell: int, root_withholdable: bool) -> int | None:
    """The next count to suppress for `cell`: its total when withholding it helps, else the next
    non-zero published count after it in the variable's order (wrapping around), else the total
    of the part it belongs to.

    The choice looks only at positions and at which counts are zero or already hidden (both
    public), never at the values: choosing, say, the smallest count would tell an attacker that
    the hidden complement is no larger than any count left showing."""
    s = pattern.structure
    link = s.parent[cell]
    if link is None:
        return None
    parent, part = link
    if parent == 0 and root_withholdable and 0 not in pattern.hidden:
        return 0
    siblings = s.partitions[parent][part]
    start = siblings.index(cell)
    for c in siblings[start + 1 :] + siblings[:start]:
        if c not in pattern.hidden and s.values[c] > 0:
            return c
    if parent != 0 and parent not in pattern.hidden:
        return parent
    return None


@dataclass(frozen=True)
class Decision:
    """What `decide` chose for one table: which counts are hidden, whether its total is, and whether
    the table is withheld whole. Internal: the published view does not say a table was withheld
    whole (when it holds no zero it looks like any table whose counts are all suppressed, and
    saying so would tell an attacker that every count is small)."""

    hidden: tuple[bool, ...]
    total_hidden: bool
    withheld: bool


def decide(counts: DatasetCounts, policy: Policy) -> list[Decision]:
    """The suppression of each of a dataset's tables, in their order; tables with equal totals are
    protected together, as they share their total."""
    groups: dict[int, list[int]] = {}
    for i, table in enumerate(counts.tables):
        groups.setdefault(table.total, []).append(i)
    out: dict[int, Decision] = {}
    for total, members in groups.items():
        decisions = protect_tables([counts.tables[i] for i in members], policy.threshold, total in counts.stated)
        out.update(zip(members, decisions, strict=True))
    return [out[i] for i in range(len(counts.tables))]


def protect(counts: DatasetCounts, policy: Policy) -> list[PublishedTable]:
    """The published view of a dataset's tables, in their order (the module docstring says how)."""
    return [
        _published(table, decision, policy)
        for table, decision in zip(counts.tables, decide(counts, policy), strict=True)
    ]


def _published(table: Table, decision: Decision, policy: Policy) -> PublishedTable:
    t, hidden, withheld = policy.threshold, decision.hidden, decision.withheld
    cells = tuple(
        PublishedCount(c.code, None if h else policy.round(c.count), c.missing)
        for c, h in zip(table.counts, hidden, strict=True)
    )
    parts = list(zip(table.counts, hidden, strict=True))

    def part_sum(missing: bool) -> int | None:
        mine = [(c, h) for c, h in parts if c.missing == missing]
        if withheld or any(h for _c, h in mine):
            return None
        return policy.round(sum(c.count for c, _h in mine))

    summary = table.summary
    n_valid = sum(c.count for c in table.counts if not c.missing)
    coded_hidden = withheld or any(h and c.code is not None for c, h in parts)
    moments_ok = n_valid >= t and not coded_hidden

    def extreme(value: float | None) -> float | None:
        if value is None or withheld:
            return None
        for c, h in parts:
            if not h and not c.missing and c.code is not None and c.count >= t and _same_number(c.code, value):
                return value
        return None

    return PublishedTable(
        variable=table.variable,
        counts=cells,
        total=None if decision.total_hidden else policy.round(table.total),
        threshold=t,
        rounding=policy.rounding,
        valid=part_sum(False),
        invalid=part_sum(True),
        mean=_rounded(summary.mean) if moments_ok else None,
        stdev=_rounded(summary.stdev) if moments_ok else None,
        minimum=extreme(summary.minimum),
        maximum=extreme(summary.maximum),
    )


def _same_number(code: str, value: float) -> bool:
    try:
        return float(code) == value
    except ValueError:
        return False


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# --- building tables from what sources say -----------------------------------------------------------


class CountsError(ValueError):
    """A variable's counts contradict each other; the message says how (the harvest reports it)."""


def table_of(
    variable: str, frequencies: Sequence[tuple[str, int, bool]], summary: Summary = Summary(), total: int | None = None
) -> Table:
    """A variable's table from (code, count, missing) rows plus what the source states besides.

    Values the codes do not cover become an uncoded cell: valid ones when the source states the
    number of valid values (DDI sumStat vald) beyond its coded counts, missing ones likewise
    (invd), or one "other" cell when only a total is stated. A table whose parts exceed what the
    source states is refused with `CountsError`."""
    cells = [Count(code, count, missing) for code, count, missing in frequencies]
    if any(c.count < 0 for c in cells):
        raise CountsError("a count is negative")
    coded_valid = sum(c.count for c in cells if not c.missing)
    coded_missing = sum(c.count for c in cells if c.missing)
    if summary.valid is not None or summary.invalid is not None:
        for stated, coded, missing, name in (
            (summary.valid, coded_valid, False, "valid"),
            (summary.invalid, coded_missing, True, "invalid"),
        ):
            if stated is None:
                continue
            if stated < coded:
                raise CountsError(
                    f"the coded {name} counts add up to {coded}, more than the {stated} {name} values stated"
                )
            if stated > coded:
                cells.append(Count(None, stated - coded, missing))
        total_counted = sum(c.count for c in cells)
        if total is not None and total != total_counted:
            raise CountsError(f"the counts add up to {total_counted}, not the total {total} stated")
        return Table(variable, tuple(cells), total_counted, summary)
    counted = coded_valid + coded_missing
    if total is not None:
        if total < counted:
            raise CountsError(f"the counts add up to {counted}, more than the total {total} stated")
        if total > counted:
            cells.append(Count(None, total - counted, False))
    return Table(variable, tuple(cells), sum(c.count for c in cells), summary)


# --- the store's raw counts: read here only -------------------------------------------------------


def publish(counts: DatasetCounts, policy: Policy) -> tuple[str, str]:
    """(published view as JSON, stamp) of a dataset's raw counts, as the store keeps them."""
    return published_json(protect(counts, policy)), policy.stamp()


def refresh(store: StoreWriter, policies: Mapping[str, Policy]) -> int:
    """Publish again every dataset whose published view was made under another policy or method
    (after an operator raised a threshold, or an upgrade); how many were published again.

    The one reader of raw counts (`store.raw_counts`, on the store's write side only) besides the
    pipeline's write: everything else reads `store.published_counts`."""
    done = 0
    for uri, source, raw, stamp in store.raw_counts():
        policy = policies.get(source, Policy())
        if stamp != policy.stamp():
            view, new_stamp = publish(DatasetCounts.from_json(raw), policy)
            store.save_published_counts(uri, view, new_stamp)
            done += 1
    return done
