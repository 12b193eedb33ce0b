"""Disclosure control: suppressed counts cannot be recovered from anything published.

The attacker here is written independently of `catalog.disclosure`'s audit: it enumerates every
total a group of tables sharing it could have, and for each the values each suppressed count can
take given the published counts (read *unrounded*, which only helps it), the stated population,
that counts are whole numbers >= 0, and that zeros are published (so a suppressed count of a
table not withheld whole is >= 1). A count is recovered when only one value remains; a small
count is exposed when every value it can take is below the threshold. Hypothesis generates the
tables, favouring small counts, shared totals and stated populations; the tests must find neither.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.disclosure import (
    MIN_THRESHOLD,
    Count,
    CountsError,
    DatasetCounts,
    Policy,
    PolicyError,
    PublishedTable,
    Summary,
    Table,
    decide,
    protect,
    table_of,
)

T = MIN_THRESHOLD


def dataset(
    *tables: list[int],
    stated: set[int] | frozenset[int] = frozenset(),
    missing: set[str] | frozenset[str] = frozenset(),
) -> DatasetCounts:
    return DatasetCounts(
        "https://example.org/d",
        tuple(
            Table(f"v{n}", tuple(Count(str(i), c, f"{n}.{i}" in missing) for i, c in enumerate(cells)), sum(cells))
            for n, cells in enumerate(tables)
        ),
        frozenset(stated),
    )


def shown(published: list[PublishedTable]) -> list[tuple[list[int | None], int | None]]:
    return [([c.count for c in t.counts], t.total) for t in published]


# --- the attacker ---------------------------------------------------------------------------------


def attack(
    counts: DatasetCounts, published: list[PublishedTable], withheld: list[bool], slack: int = 3 * T
) -> dict[tuple[int, int], set[int]]:
    """(table, cell) -> every value the suppressed cell can take; (table, -1) for a suppressed total.

    Tables with equal true totals share them, and the attacker is told which tables were withheld
    whole (their zeros hidden too): both more than it would know.
    Totals are tried up to the true one plus `slack` (the feasible sets are unbounded above when
    a total is suppressed; a bounded search can only make the attacker look stronger)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(counts.tables):
        groups[t.total].append(i)
    found: dict[tuple[int, int], set[int]] = defaultdict(set)
    for true_total, members in groups.items():
        public = true_total in counts.stated or any(published[i].total is not None for i in members)
        candidates = [true_total] if public else range(0, true_total + slack + 1)
        for n in candidates:
            per_table = []
            for i in members:
                table, view = counts.tables[i], published[i]
                hidden = [k for k, c in enumerate(view.counts) if c.count is None]
                rest = n - sum(table.counts[k].count for k, c in enumerate(view.counts) if c.count is not None)
                least = 0 if withheld[i] else 1
                if rest < least * len(hidden) or (not hidden and rest != 0):
                    break
                # one equation: each hidden cell ranges from its least value to what the others leave
                per_table.append({(i, k): range(least, rest - least * (len(hidden) - 1) + 1) for k in hidden if hidden})
            else:
                for cells in per_table:
                    for key, values in cells.items():
                        found[key].update(values)
                if not public:
                    for i in members:
                        found[(i, -1)].add(n)
    return found


def one_equation(rest: int, least: int, cells: int) -> range:
    """The values one of `cells` counts (each >= `least`) adding up to `rest` can take: alone it is
    `rest`; with others, from `least` up to what the others' least values leave."""
    if cells == 1:
        return range(rest, rest + 1)
    return range(least, rest - least * (cells - 1) + 1)


def enumerated(rest: int, least: int, cells: int) -> set[tuple[int, ...]]:
    """Every way `cells` counts of at least `least` add up to `rest`: the attacker's range, by brute force."""
    return {combo for combo in itertools.product(range(least, rest + 1), repeat=cells) if sum(combo) == rest}


def test_the_attackers_one_equation_ranges_are_what_brute_force_finds():
    for rest, least, cells in itertools.product(range(0, 9), (0, 1), (1, 2, 3)):
        combos = enumerated(rest, least, cells)
        for k in range(cells):
            by_force = {combo[k] for combo in combos}
            closed = set(one_equation(rest, least, cells)) if combos else set()
            assert by_force == closed, (rest, least, cells, k)


def assert_safe(counts: DatasetCounts, policy: Policy) -> list[PublishedTable]:
    published = protect(counts, policy)
    t = policy.threshold
    for table, view in zip(counts.tables, published, strict=True):
        for raw, cell in zip(table.counts, view.counts, strict=True):
            assert cell.count is None or cell.count == 0 or cell.count >= t, "a small count was published"
            assert (cell.count == 0) == (raw.count == 0) or cell.count is None
        assert view.total is None or view.total == 0 or view.total >= t
    withheld = [d.withheld for d in decide(counts, policy)]
    found = attack(counts, published, withheld)
    for i, (table, view) in enumerate(zip(counts.tables, published, strict=True)):
        unprotectable = table.total in counts.stated and table.total < t
        for k, cell in enumerate(view.counts):
            if cell.count is not None:
                continue
            values = found[(i, k)]
            true = table.counts[k].count
            assert true in values, "the attacker's model is wrong: the truth is not among its answers"
            if unprotectable:
                assert withheld[i]
                continue
            assert len(values) >= 2, f"table {i} cell {k} ({true}) recovered: {sorted(values)[:5]}"
            if 0 < true < t:
                assert max(values) >= t, f"table {i} cell {k} ({true}) shown small: {sorted(values)}"
        if view.total is None and table.total not in counts.stated:
            values = found[(i, -1)]
            assert table.total in values and len(values) >= 2, f"total of table {i} recovered"
    return published


# --- strategies -----------------------------------------------------------------------------------

small_or_large = st.one_of(st.integers(0, T), st.integers(0, 3 * T), st.integers(T, 60))


@st.composite
def datasets(draw: st.DrawFn) -> DatasetCounts:
    """1-4 tables of 1-6 counts; often sharing their total (a balancing count makes them equal), often
    with the dataset's population stated, sometimes with missing-value codes."""
    tables = draw(st.lists(st.lists(small_or_large, min_size=1, max_size=6), min_size=1, max_size=4))
    if draw(st.booleans()):
        top = max(sum(t) for t in tables)
        tables = [t + [top - sum(t)] if sum(t) < top else t for t in tables]
    stated = {sum(tables[0])} if draw(st.booleans()) else set()
    missing = {f"{n}.{i}" for n, t in enumerate(tables) for i in range(len(t)) if draw(st.booleans())}
    return dataset(*tables, stated=stated, missing=missing)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(), st.integers(T, 8))
def test_no_suppressed_count_can_be_recovered_from_what_is_published(counts, threshold):
    assert_safe(counts, Policy(threshold, 1))


@settings(max_examples=150, deadline=None)
@given(datasets(), st.sampled_from([1, 3, 5, 10]))
def test_rounding_comes_after_suppression_and_never_shows_a_count_below_the_threshold(counts, base):
    policy = Policy(T, base)
    published = assert_safe(counts, policy)
    unrounded = protect(counts, Policy(T, 1))
    for view, exact in zip(published, unrounded, strict=True):
        assert [c.count is None for c in view.counts] == [c.count is None for c in exact.counts]
        for cell, raw in zip(view.counts, exact.counts, strict=True):
            if cell.count is not None:
                assert cell.count % base == 0 and abs(cell.count - raw.count) <= max(base // 2, T)


# --- the cases the issue names -------------------------------------------------------------------------


def test_a_total_that_would_reveal_the_one_small_count_is_withheld():
    published = assert_safe(dataset([3, 50, 70]), Policy(T, 1))
    assert shown(published) == [([None, 50, 70], None)]


def test_when_the_dataset_states_its_population_a_second_count_is_suppressed_instead():
    published = assert_safe(dataset([3, 50, 70], stated={123}), Policy(T, 1))
    assert shown(published) == [([None, None, 70], 123)]


def test_two_tables_sharing_a_total_cannot_reveal_each_others_small_count():
    """Withholding A's total is useless when B, fully published, adds up to the same total."""
    published = assert_safe(dataset([3, 50, 70], [60, 63]), Policy(T, 1))
    assert shown(published) == [([None, None, 70], 123), ([60, 63], 123)]


def test_two_small_counts_need_a_complement_large_enough_to_hide_them():
    published = assert_safe(dataset([1, 1, 1, 40, 80], stated={123}), Policy(T, 1))
    assert shown(published) == [([None, None, None, None, 80], 123)]


def test_a_table_that_suppression_cannot_protect_is_withheld_whole_zeros_included():
    """Three counts of 2 under a stated 6: hiding all three still shows each is at most 4 (each of
    the others is at least 1, as zeros are published); withholding the zeros too restores doubt."""
    published = assert_safe(dataset([2, 2, 2, 0], stated={6}), Policy(T, 1))
    assert shown(published) == [([None, None, None, None], 6)]
    assert decide(dataset([2, 2, 2, 0], stated={6}), Policy(T, 1))[0].withheld


def test_zeros_and_large_counts_are_published_as_they_are():
    published = assert_safe(dataset([0, 120, 35], [155, 0]), Policy(T, 1))
    assert shown(published) == [([0, 120, 35], 155), ([155, 0], 155)]


def test_a_total_below_the_threshold_is_suppressed_with_its_counts():
    published = assert_safe(dataset([3, 1, 0]), Policy(T, 1))
    assert shown(published) == [([None, None, 0], None)]


def test_an_operator_may_raise_the_threshold_but_never_lower_it():
    assert shown(assert_safe(dataset([7, 50, 70]), Policy(10, 1))) == [([None, 50, 70], None)]
    with pytest.raises(PolicyError, match="at least 5"):
        Policy(4)
    with pytest.raises(PolicyError, match="at least 5"):
        Policy.from_options({"disclosure": {"threshold": 3}})
    with pytest.raises(PolicyError, match="unknown key"):
        Policy.from_options({"disclosure": {"treshold": 10}})
    assert Policy.from_options({"disclosure": {"threshold": 10, "rounding": 1}}) == Policy(10, 1)


@pytest.mark.parametrize(
    ("count", "base", "shown_as"),
    [(0, 5, 0), (5, 5, 5), (7, 5, 5), (8, 5, 10), (2141, 5, 2140), (5, 10, 10), (7, 1, 7)],
)
def test_rounding_to_a_base_halves_up_and_never_below_the_threshold(count, base, shown_as):
    assert Policy(T, base).round(count) == shown_as


# --- an attacker who knows the algorithm -------------------------------------------------------------


def every_table(cells: int, total: int) -> list[tuple[int, ...]]:
    """Every table of `cells` counts adding up to at most `total`."""
    return [t for t in itertools.product(range(total + 1), repeat=cells) if sum(t) <= total]


SPACES = {
    "3 counts, population stated": (lambda t: dataset(list(t), stated={sum(t)}), every_table(3, 16), 16),
    "3 counts, population not stated": (lambda t: dataset(list(t)), every_table(3, 26), 26 - 2 * T),
    "4 counts, population stated": (lambda t: dataset(list(t), stated={sum(t)}), every_table(4, 11), 11),
    "two tables sharing their total": (
        lambda t: dataset(list(t[:2]), list(t[2:])),
        [t for t in every_table(4, 32) if t[0] + t[1] == t[2] + t[3] <= 16],
        16 - 2 * T,
    ),
}
"""name -> (dataset of a table, the tables of the space, the largest hidden total judged)."""
STATED = [space for name, space in SPACES.items() if name.endswith("population stated")]


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
def test_an_attacker_who_knows_the_algorithm_still_recovers_no_suppressed_count(space):
    """Every table of a space is published; tables published alike are indistinguishable, so a
    suppressed count is recovered only if all of them agree on it. The space holds every table up
    to some total, so where a publication's total is stated its every preimage is in the space;
    where it may be hidden, only publications of tables well inside the space are judged (their
    neighbours beyond the edge are left out, which can only favour the attacker)."""
    make, tables, judged = space
    policy = Policy(T, 1)
    alike: dict[tuple, list[tuple[int, ...]]] = defaultdict(list)
    for cells in tables:
        alike[tuple((tuple(c.count for c in v.counts), v.total) for v in protect(make(cells), policy))].append(cells)
    checked = 0
    for view, preimages in alike.items():
        total_known = all(total is not None for _counts, total in view) or space in STATED
        if not total_known and min(sum(t) for t in preimages) > judged:
            continue
        flat = [count for counts, _total in view for count in counts]
        for k, count in enumerate(flat):
            if count is None:
                values = {t[k] for t in preimages}
                assert len(values) >= 2, (view, preimages)
                checked += 1
    assert checked > 100


# --- building tables from what sources state ------------------------------------------------------------


def test_values_the_codes_do_not_cover_become_an_uncoded_count():
    t = table_of("v", [("88", 2, True)], Summary(valid=2139, invalid=2))
    assert t.counts == (Count("88", 2, True), Count(None, 2139, False)) and t.total == 2141
    t = table_of("v", [("1", 10, False)], total=14)
    assert t.counts == (Count("1", 10, False), Count(None, 4, False))


def test_counts_that_exceed_what_the_source_states_are_refused():
    with pytest.raises(CountsError, match="more than the 5 valid values"):
        table_of("v", [("1", 10, False)], Summary(valid=5, invalid=0))
    with pytest.raises(CountsError, match="more than the total 3"):
        table_of("v", [("1", 10, False)], total=3)


def test_means_and_extremes_are_withheld_when_few_or_when_a_coded_count_is_hidden():
    summary = Summary(valid=60, invalid=0, minimum=0.0, maximum=2.0, mean=1.1, stdev=0.7)
    safe = protect(
        DatasetCounts("d", (table_of("v", [("0", 20, False), ("1", 14, False), ("2", 26, False)], summary),)),
        Policy(T, 1),
    )[0]
    assert (safe.mean, safe.stdev, safe.minimum, safe.maximum) == (1.1, 0.7, 0.0, 2.0)
    few = Summary(valid=60, invalid=0, minimum=0.0, maximum=2.0, mean=1.0, stdev=0.2)
    hidden = protect(
        DatasetCounts("d", (table_of("v", [("0", 2, False), ("1", 56, False), ("2", 2, False)], few),)), Policy(T, 1)
    )[0]
    assert (hidden.mean, hidden.stdev, hidden.minimum, hidden.maximum) == (None, None, None, None)
    continuous = Summary(valid=2141, invalid=0, minimum=2.0, maximum=9921.0, mean=2585.3, stdev=1529.7)
    numbers = protect(DatasetCounts("d", (table_of("idno", [], continuous),)), Policy(T, 1))[0]
    assert (numbers.mean, numbers.minimum, numbers.maximum) == (2585.3, None, None), "an extreme is one person's value"


def test_one_variables_table_is_found_in_the_published_view_as_decoding_all_of_it_finds_it() -> None:
    """`published_table_text` decodes the variable's table alone (a variable's page of a registry's
    100,000 variables built them all, 9 s): what it gives is what `published_tables` holds, for a
    view as `published_json` writes it and one written otherwise, whatever the codes say."""
    import json

    from catalog.disclosure import PublishedCount, published_json, published_table_text, published_tables

    odd = 'https://x.example/v/"variable":"ø"'
    tables = [
        PublishedTable(f"https://x.example/v/{i}", (PublishedCount(f'{i}"variable":"v/{i + 1}"', 9),), 9, 5, 5)
        for i in range(3)
    ]
    tables += [PublishedTable(odd, (PublishedCount(None, None, True),), None, 5, 5, mean=1.5)]
    tables += [PublishedTable("https://x.example/v/1", (), 0, 5, 5)]  # a second table of one variable: the last counts
    compact = published_json(tables)
    spaced = json.dumps([t.to_dict() for t in tables], indent=1)
    for view in (compact, spaced):
        whole = published_tables(view)
        for variable in [*whole, "https://x.example/v/9", "https://x.example/v/", "v/2"]:
            text = published_table_text(view, variable)
            expected = whole.get(variable)
            assert (PublishedTable.from_dict(json.loads(text)) if text else None) == expected, (view[:20], variable)
    assert published_table_text(compact, odd) == json.dumps(
        tables[3].to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    for nothing in (None, "", "[]", '{"variable": "https://x.example/v/1"}', "[7]"):
        assert published_table_text(nothing, "https://x.example/v/1") is None, nothing
