"""The counts a simulated source publishes about its variables: frequency tables and summaries.

Registries and surveys publish aggregates beside their metadata; the simulator does too, so the
catalogue's disclosure control has something real to do. Every variable with a code list gets a
frequency table over its codes that adds up to the dataset's population (its number of
individuals for a survey, of records for a registry: the shared total of all its tables), with
the long tail real registers have: some codes are never used, some by one to four people, and
missing-value codes by a few. Numeric variables that measure something get a summary (valid and
missing counts, mean, standard deviation, minimum and maximum) plausible for what they measure
(`plausible`); a whole number that is a code without its list gets none. Everything is deterministic
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
    "kg/m2": (25.6, 4.3),
    "mmHg": (128.0, 17.0),
    "mmol/l": (5.6, 1.2),
    "mmol/mol": (38.0, 7.0),
    "dager": (4.2, 5.1),
    "døgn": (4.2, 5.1),
    "timer": (8.0, 7.0),
    "måneder": (16.0, 14.0),
    "ganger": (3.0, 2.6),
    "kroner": (420.0, 380.0),
    "mm": (22.0, 14.0),
    "DDD": (45.0, 38.0),
}
MEASURES = {  # (variable, unit) -> (mean, sd): where the unit alone says too little
    ("MORS_ALDER", "år"): (30.4, 5.1),
    ("FARS_ALDER", "år"): (33.2, 5.9),
    ("ALDER_DIAGNOSE", "år"): (66.0, 14.0),
    ("ALDER_DOD", "år"): (79.0, 14.0),
    ("LENGDE", "cm"): (49.9, 2.4),
    ("HODE", "cm"): (35.0, 1.6),
    ("MIDJEMAAL", "cm"): (92.0, 13.0),
    ("SVLEN_DG", "dager"): (276.0, 13.0),
    ("VENTETID", "dager"): (58.0, 47.0),
    ("OPPFOLGINGSTID", "dager"): (2900.0, 2300.0),
    ("BMI_MOR", "kg/m2"): (24.2, 4.6),
    ("ALDER_VAKS", "måneder"): (14.0, 16.0),
    ("DRG_POENG", None): (1.1, 1.3),  # DRG weights: no unit, a cost weight around 1
    ("ANTALL_PAKNINGER", None): (1.6, 1.1),
    ("DOSENUMMER", None): (1.9, 0.9),
    ("NIHSS", None): (5.0, 6.0),  # stroke severity, 0-42
    ("MRS", None): (2.1, 1.6),  # modified Rankin scale, 0-6
    ("EDSS", None): (3.0, 2.1),  # MS disability, 0-10
    ("GLEASON", None): (7.0, 0.9),  # 6-10
}
"""What a variable named so measures; its suffixes (_IMP, _INN, _3MND, ...) measure the same."""


def plausible(v: Variable) -> tuple[float, float] | None:
    """The (mean, sd) of a variable's values, if the simulator knows what it measures: by its name
    and unit, else its unit. A whole number without unit or code list is a code (an education
    level, an answer category), a categorised variable (_KAT) is its categories' codes: their
    mean means nothing, and a registry publishes frequencies of codes, not a mean of them."""
    if v.name.endswith("_KAT"):
        return None
    known = [
        (name, unit) for name, unit in MEASURES if unit == v.unit and (v.name == name or v.name.startswith(name + "_"))
    ]
    if known:
        return MEASURES[max(known, key=lambda k: len(k[0]))]
    return UNITS.get(v.unit) if v.unit else None


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


def summary(rng: random.Random, v: Variable, n: int, mean: float, sd: float) -> VariableCounts:
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
    measured = plausible(v) if v.datatype in NUMERIC and n else None
    return summary(rng, v, n, *measured) if measured else None


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
