"""The counts a simulated source publishes about its variables: frequency tables and summaries.

Registries and surveys publish aggregates beside their metadata; the simulator does too, so the
catalogue's disclosure control has something real to do. Every variable with a code list gets a
frequency table over its codes that adds up to the dataset's population (its number of
individuals for a survey, of records for a registry: the shared total of all its tables), with
the long tail real registers have: some codes are never used, some by one to four people, and
missing-value codes by a few. Numeric variables get a summary (valid and missing counts, mean,
standard deviation, minimum and maximum) plausible for their unit. Everything is deterministic
from the nation's seed, the source, the dataset and the variable.

Served as DDI-Codebook `catgry/catStat` and `sumStat` (surveys), as `/files/<slug>/frekvenser.csv`
beside a registry's variable list, and as a "Frekvenser" CSV resource of some CKAN packages.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field

from catalog.disclosure import Summary
from catalog.model import Dataset, Variable
from simulator.nation import Nation, Source

NUMERIC = {"integer", "decimal"}
UNITS = {  # unit -> (mean, standard deviation) of plausible values
    "gram": (3500.0, 550.0),
    "uker": (39.4, 1.9),
    "år": (44.0, 17.0),
    "cm": (171.0, 9.5),
    "kg": (77.0, 15.0),
    "mmHg": (128.0, 17.0),
    "mmol/l": (5.6, 1.2),
    "dager": (4.2, 5.1),
}


@dataclass(frozen=True)
class VariableCounts:
    """One variable's published counts: (code, count, missing) rows, or a numeric summary."""

    frequencies: tuple[tuple[str, int, bool], ...] = ()
    summary: Summary = field(default_factory=Summary)


def population(d: Dataset) -> int:
    """The total every table of the dataset adds up to."""
    return d.number_of_unique_individuals or d.number_of_records or 0


def frequencies(rng: random.Random, codes: list[tuple[str, bool]], n: int) -> tuple[tuple[str, int, bool], ...]:
    """Counts over `codes` ((code, missing)) adding up to `n`: a long tail of unused and rare codes."""
    fixed: dict[int, int] = {}
    weights: dict[int, float] = {}
    for k, (_code, missing) in enumerate(codes):
        r = rng.random()
        if missing:
            fixed[k] = rng.choice([0, rng.randint(1, 4), max(1, round(n * rng.uniform(0.002, 0.03)))])
        elif r < 0.12:
            fixed[k] = rng.randint(1, 4)
        elif r < 0.2:
            fixed[k] = 0
        else:
            weights[k] = rng.paretovariate(1.3)
    rest = n - sum(fixed.values())
    if rest < 0 or not weights:  # a tiny population: everything to the first code that takes it
        fixed = {k: 0 for k in range(len(codes))}
        rest = n
        weights = {0: 1.0}
    total = sum(weights.values())
    shares = {k: int(rest * w / total) for k, w in weights.items()}
    shares[max(weights, key=weights.__getitem__)] += rest - sum(shares.values())
    counts = {**fixed, **shares}
    return tuple((code, counts[k], missing) for k, (code, missing) in enumerate(codes))


def summary(rng: random.Random, v: Variable, n: int) -> VariableCounts:
    mean, sd = UNITS.get(v.unit or "", (rng.uniform(2, 120), 0.0))
    sd = sd or mean * rng.uniform(0.1, 0.4)
    invalid = rng.choice([0, rng.randint(1, 4), round(n * rng.uniform(0.005, 0.04))])
    invalid = min(invalid, n)
    whole = v.datatype == "integer"

    def value(x: float) -> float:
        return float(round(x)) if whole else round(x, 1)

    return VariableCounts(
        summary=Summary(
            valid=n - invalid,
            invalid=invalid,
            minimum=value(max(0.0, mean - 3.6 * sd)),
            maximum=value(mean + 3.9 * sd),
            mean=round(mean + rng.uniform(-0.05, 0.05) * sd, 3),
            stdev=round(sd, 3),
        )
    )


def variable_counts(nation: Nation, source: Source, d: Dataset, v: Variable) -> VariableCounts | None:
    """What the source publishes about one variable's values, or None (text, dates, identifiers)."""
    n = population(d)
    rng = random.Random(f"{nation.seed}:{source.name}:{d.identifier}:{v.name}:counts")
    if v.codelist:
        spec = nation.codelist_spec(v.codelist.rsplit("/", 1)[-1])
        return VariableCounts(frequencies(rng, [(code, code in spec.missing) for code, _nb, _en in spec.codes], n))
    if v.datatype in NUMERIC and n:
        return summary(rng, v, n)
    return None


def csv_bytes(nation: Nation, source: Source, d: Dataset) -> bytes:
    """The registry's frequency file: Variabel;Kode;Antall;Manglende, and a total row per variable."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Variabel", "Kode", "Antall", "Manglende"])
    for v in d.variables:
        counts = variable_counts(nation, source, d, v)
        if counts is None or not counts.frequencies:
            continue
        for code, count, missing in counts.frequencies:
            writer.writerow([v.name, code, count, "ja" if missing else "nei"])
        writer.writerow([v.name, "Totalt", population(d), ""])
    return out.getvalue().encode("utf-8-sig")
