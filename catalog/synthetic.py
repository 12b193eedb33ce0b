"""Synthetic samples: data shaped like a dataset's extract, for writing scripts before access is granted.

A sample has one column per variable, in the variables' order, and values that follow what the
catalogue publishes about each variable and nothing else: its type, its code list (codes only,
missing-value codes at a small rate) and its published distribution (`catalog.disclosure`'s
view: suppressed counts share what the total leaves, evenly). Each column is drawn on its own, so
the sample has no joint structure beyond what the metadata states (no correlations, no real
person), and it is the same for the same seed: each column's generator is seeded by the seed and
the variable's URI alone.

Only the published view is read, so a sample can reveal nothing the variable page does not show.
It is labelled synthetic wherever a person sees it (the file name, the page, the first sheet of
the XLSX variant); the CSV itself is plain (a header row of variable names, then the rows) so that
a script reads it as it would read the real extract. `add_sample` puts it in the EHDS feed as the
dataset's `adms:sample`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from rdflib import URIRef

from catalog.disclosure import PublishedTable
from catalog.model import CodeList, Dataset, Variable, key_for
from catalog.rdf import ADMS, DCAT, DCATAP, DCT, EU, RDF, text

MAX_ROWS = 10_000
DEFAULT_ROWS = 100
MISSING_RATE = 0.02
"""How often a missing-value code is drawn when the published counts do not say."""
TITLE = {"nb": "Syntetiske data", "nn": "Syntetiske data", "en": "Synthetic data"}
WARNING = {
    "nb": "SYNTETISKE DATA – ikke ekte personer. Verdiene er trukket hver for seg fra variablenes type, "
    "kodeverk og publiserte fordeling, uten sammenheng mellom variablene. Bruk dem til å skrive og teste "
    "analyseskript før du får tilgang; ingen resultater fra dem sier noe om virkeligheten.",
    "nn": "SYNTETISKE DATA – ikkje verkelege personar. Verdiane er trekte kvar for seg frå typen, kodeverket "
    "og den publiserte fordelinga til variablane, utan samanheng mellom variablane. Bruk dei til å skrive og "
    "teste analyseskript før du får tilgang; ingen resultat frå dei seier noko om verda.",
    "en": "SYNTHETIC DATA – not real people. Each value is drawn on its own from the variable's type, code "
    "list and published distribution, with no relation between variables. Use them to write and test "
    "analysis scripts before access is granted; no result from them says anything about the world.",
}


class SampleError(ValueError):
    """A sample that cannot be made as asked; the message says what is allowed."""


def check_rows(rows: int) -> int:
    if not 1 <= rows <= MAX_ROWS:
        raise SampleError(f"rows={rows}: a synthetic sample has from 1 to {MAX_ROWS:,} rows")
    return rows


def filename(dataset: Dataset, suffix: str) -> str:
    """The download's name says what it is: synthetic, never to be mistaken for the extract."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in dataset.identifier)[:60] or "datasett"
    return f"SYNTETISK-{safe}-synthetic.{suffix}"


@dataclass(frozen=True)
class Column:
    """How one variable's values are drawn."""

    name: str
    draw: Callable[[random.Random, int], list[str]]


def columns(
    dataset: Dataset, codelists: Mapping[str, CodeList], published: Mapping[str, PublishedTable]
) -> list[Column]:
    return [
        Column(v.name, _drawer(v, dataset, codelists.get(v.codelist or ""), published.get(v.uri)))
        for v in dataset.variables
    ]


def rows(
    dataset: Dataset, codelists: Mapping[str, CodeList], published: Mapping[str, PublishedTable], count: int, seed: int
) -> Iterator[list[str]]:
    """The header row (variable names), then `count` rows; each column from its own seeded generator."""
    check_rows(count)
    cols = columns(dataset, codelists, published)
    values = [col.draw(random.Random(f"{seed}:{v.uri}"), count) for col, v in zip(cols, dataset.variables, strict=True)]
    yield [col.name for col in cols]
    for i in range(count):
        yield [column[i] for column in values]


# --- one variable ---------------------------------------------------------------------------------


def _drawer(
    v: Variable, d: Dataset, codelist: CodeList | None, table: PublishedTable | None
) -> Callable[[random.Random, int], list[str]]:
    if codelist is not None and codelist.concepts:
        return _codes(codelist, table)
    if table is not None and any(c.code is not None for c in table.counts):
        return _codes(None, table)
    kind = v.datatype
    if kind in (
        "integer",
        "long",
        "int",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "decimal",
        "double",
        "float",
        "number",
    ):
        return _numbers(v, table)
    if kind == "boolean":
        return lambda rng, n: [rng.choice(("true", "false")) for _ in range(n)]
    if kind in ("date", "dateTime", "gYear", "gYearMonth"):
        return _dates(v, d)
    if kind == "time":
        return lambda rng, n: [
            f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}" for _ in range(n)
        ]
    if kind == "duration":
        return lambda rng, n: [f"P{rng.randrange(1, 365)}D" for _ in range(n)]
    return lambda rng, n: [f"{v.name[:12]}-{rng.randrange(10**8):08d}" for _ in range(n)]


def _codes(codelist: CodeList | None, table: PublishedTable | None) -> Callable[[random.Random, int], list[str]]:
    """Codes weighted by their published counts; suppressed ones share what the total leaves (or, with
    the total suppressed too, each gets half the threshold); with no counts, valid codes alike and
    missing-value codes at MISSING_RATE. Only codes of the code list are drawn."""
    known = [c.code for c in codelist.concepts] if codelist else []
    missing = {c.code for c in codelist.concepts if c.missing} if codelist else set()
    weights: dict[str, float] = {}
    if table is not None:
        cells = [c for c in table.counts if c.code is not None and (not known or c.code in known)]
        missing |= {c.code for c in cells if c.missing and c.code is not None}
        shown = sum(c.count or 0 for c in cells)
        hidden = [c for c in cells if c.count is None]
        others = sum(c.count or 0 for c in table.counts if c.code is None)
        left = max(0, table.total - shown - others) if table.total is not None else None
        share = (left / len(hidden)) if hidden and left is not None else table.threshold / 2
        for c in cells:
            weights[c.code] = float(c.count) if c.count is not None else share  # type: ignore[index]
        if not known:
            known = [c.code for c in cells]  # type: ignore[misc]
    if not weights or not any(weights.values()):
        valid = [code for code in known if code not in missing] or known
        weights = {code: (1.0 - MISSING_RATE) / len(valid) for code in valid}
        for code in missing:
            weights[code] = MISSING_RATE / len(missing)
    codes = list(weights)
    cumulative = list(weights.values())
    return lambda rng, n: rng.choices(codes, weights=cumulative, k=n)


def _numbers(v: Variable, table: PublishedTable | None) -> Callable[[random.Random, int], list[str]]:
    """Normal around the published mean and standard deviation, within the published extremes; whole
    numbers for integer types. Without a published summary, a spread from 0 to 100."""
    mean = table.mean if table is not None and table.mean is not None else 50.0
    sd = table.stdev if table is not None and table.stdev is not None else 15.0
    low = table.minimum if table is not None and table.minimum is not None else (0.0 if mean >= 0 else None)
    high = table.maximum if table is not None and table.maximum is not None else None
    whole = v.datatype not in ("decimal", "double", "float", "number")

    def one(rng: random.Random) -> str:
        x = rng.gauss(mean, sd)
        if low is not None:
            x = max(low, x)
        if high is not None:
            x = min(high, x)
        return str(round(x)) if whole else f"{x:.2f}"

    return lambda rng, n: [one(rng) for _ in range(n)]


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value and value[:4].isdigit() else None


def _dates(v: Variable, d: Dataset) -> Callable[[random.Random, int], list[str]]:
    """Dates within the variable's (else the dataset's) period, in the type's form."""
    start = _year(v.valid_from) or _year(d.temporal_start) or 2000
    end = _year(v.valid_to) or _year(d.temporal_end) or dt.date.today().year
    first, last = dt.date(start, 1, 1).toordinal(), dt.date(max(start, end), 12, 31).toordinal()

    def one(rng: random.Random) -> str:
        day = dt.date.fromordinal(rng.randint(first, last))
        if v.datatype == "gYear":
            return str(day.year)
        if v.datatype == "gYearMonth":
            return day.isoformat()[:7]
        if v.datatype == "dateTime":
            return f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00"
        return day.isoformat()

    return lambda rng, n: [one(rng) for _ in range(n)]


# --- in the EHDS feed -------------------------------------------------------------------------------


def sample_url(base_uri: str, dataset: Dataset, rows: int = DEFAULT_ROWS) -> str:
    return f"{base_uri.rstrip('/')}/api/datasets/{key_for(dataset.uri)}/synthetic.csv?rows={rows}"


def add_sample(g: object, dataset: Dataset, base_uri: str) -> URIRef | None:
    """`adms:sample` of a dataset with variables: a CSV distribution described as synthetic.

    A Distribution as HealthDCAT-AP's `adms:sample` shape asks (access URL, the dataset's
    applicable legislation), with what a reader needs to see it is not real data: title and
    description say so, in both languages."""
    if not dataset.variables:
        return None
    s = URIRef(dataset.uri)
    node = URIRef(f"{dataset.uri}#synthetic-sample")
    add = g.add  # type: ignore[attr-defined]
    add((s, ADMS.sample, node))
    add((node, RDF.type, DCAT.Distribution))
    url = URIRef(sample_url(base_uri, dataset))
    add((node, DCAT.accessURL, url))
    add((node, DCAT.downloadURL, url))
    media = URIRef("http://www.iana.org/assignments/media-types/text/csv")
    add((node, DCAT.mediaType, media))
    add((media, RDF.type, DCT.MediaType))
    add((node, DCT.format, URIRef(EU + "file-type/CSV")))
    add((URIRef(EU + "file-type/CSV"), RDF.type, DCT.MediaTypeOrExtent))
    for lang in TITLE:
        add((node, DCT.title, text(f"{TITLE[lang]}: {next(iter(dataset.title.values()), dataset.identifier)}", lang)))
        add((node, DCT.description, text(WARNING[lang], lang)))
    for law in dataset.applicable_legislation:
        add((node, DCATAP.applicableLegislation, URIRef(law)))
    return node


__all__: Sequence[str] = ["rows", "filename", "add_sample", "check_rows", "SampleError", "MAX_ROWS"]
