"""Search benchmark: embedded tantivy backend against a SQLite FTS5 baseline on the same documents.

    python -m bench.bench_search                 # 1,000,000 variables (a few minutes)
    python -m bench.bench_search --docs 100000   # quicker

Generates N realistic variable documents with a deterministic generator (streamed, so memory
stays bounded): surveys repeat their variables over waves (one group of identical variables per
question, 2-8 waves), registries over a few datasets, and code lists are as in the simulated
nation (35 % of variables, mostly short lists, some ICD-10 and ATC), completed as the pipeline
completes them. Indexes them with the tantivy backend (prints variables/s; target >= 20,000/s),
then runs queries of 2-3 words with six facets, highlighting and a top 20, as the explorer does:
one row per group of identical variables (`group=True`, groups counted), and, for comparison with
earlier runs, one row per variable; then code queries ("C50", "A10", "metformin") (prints p50/p95
of each; target p95 <= 25 ms). The same documents go into SQLite FTS5 (MATCH + bm25 + highlight,
one GROUP BY per facet), timed on the same word queries; the ratio of the p95s is printed
(target >= 10x).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalog.model import CodeList, Concept, key_for
from catalog.search import FACETS, SearchQuery
from catalog.search.analysis import fold
from catalog.search.documents import coded, group_key
from catalog.search.tantivy_backend import TantivyBackend
from catalog.topics import taxonomy
from simulator.content import APGAR, ATC, FYLKER, ICD10, ICD10_KAPITLER, JA_NEI, KJONN

SOURCES = [
    ("mfr", "central-registry", "PHDR"),
    ("npr", "central-registry", "EHR"),
    ("kpr", "central-registry", "EHR"),
    ("kreft", "central-registry", "CANCER"),
    ("norpd", "central-registry", "MEDICATION"),
    ("dar", "central-registry", "PHDR"),
    ("hkr", "central-registry", "EHR"),
    ("msis", "central-registry", "INFECTION"),
    ("hunt", "survey", "PHDR"),
    ("tromso", "survey", "PHDR"),
    ("moba", "survey", "PHDR"),
    ("ssb", "statistics", "PHDR"),
    ("nnk", "quality-registry", "PHDR"),
    ("diabetes", "quality-registry", "DIABETES"),
    ("hjerteinfarkt", "quality-registry", "EHR"),
    ("hjerneslag", "quality-registry", "EHR"),
    ("bryst", "quality-registry", "CANCER"),
    ("barnediabetes", "quality-registry", "DIABETES"),
]
CONCEPTS = """fødselsvekt svangerskapslengde røykevaner snusbruk kroppsmasseindeks blodtrykk hjerteinfarkt
hjerneslag kolesterol blodsukker hba1c diagnose hovedtilstand bitilstand legemiddel utlevering døgndose
dødsårsak innleggelse utskriving omsorgsnivå keisersnitt apgarskår hodeomkrets placentavekt alder kjønn
utdanning inntekt sivilstand bosted kommune fylke høyde vekt livvidde hoftevidde alkoholforbruk fysisk
aktivitet søvnvansker angst depresjon smerte astma allergi vaksinasjon smitte infeksjon antibiotika
kreftdiagnose stadium metastase operasjon strålebehandling cellegift tumorstørrelse reseptorstatus troponin
ekg ejeksjonsfraksjon trombolyse reperfusjon rehabilitering fastlege kontakttype takst henvisning ventetid
sykehusopphold reinnleggelse komplikasjon infeksjonsrate mortalitet overlevelse tannhelse synshemning
hørselstap diabetestype insulinbruk blodtrykksmedisin statinbruk røykeslutt svangerskapsdiabetes preeklampsi
""".split()
QUALIFIERS = """ved fødsel i svangerskapet ved innkomst ved utskriving siste år siste måned før svangerskapet
etter fødsel målt registrert selvrapportert mor far barn pasient daglig ukentlig totalt gjennomsnitt
høyeste laveste første siste""".split()
ENGLISH = {
    "fødselsvekt": "birth weight",
    "røykevaner": "smoking habits",
    "blodtrykk": "blood pressure",
    "hjerteinfarkt": "myocardial infarction",
    "kroppsmasseindeks": "body mass index",
    "alder": "age",
}
DATATYPES = ["integer", "decimal", "string", "date", "boolean"]


SURVEYS = {"hunt", "tromso", "moba"}
CODE_LISTS = [
    (
        weight,
        CodeList(
            uri=f"https://example.org/kodeverk/{name}",
            identifier=name,
            title={"nb": title},
            concepts=[Concept(code, {"nb": label}) for code, label, _en in rows],
        ),
    )
    for weight, name, title, rows in [
        (0.36, "janei", "Ja/nei", JA_NEI),
        (0.25, "kjonn", "Kjønn", KJONN),
        (0.08, "apgar", "Apgar-skår", APGAR),
        (0.07, "fylke", "Fylke", FYLKER),
        (0.07, "icd10-kapittel", "ICD-10 kapitler", ICD10_KAPITLER),
        (0.10, "icd10", "ICD-10 (utvalg)", ICD10),
        (0.07, "atc", "ATC (utvalg)", ATC),
    ]
]
CODED = [(key_for(c.uri), coded(c)) for _weight, c in CODE_LISTS]
CODED_WEIGHTS = [weight for weight, _c in CODE_LISTS]
WITH_CODE_LIST = 0.35
"""As in the simulated nation (`catalog demo`): 35 % of variables have a code list; of those 61 %
have at most five codes, 22 % six to fifteen, 17 % more (ICD-10, ATC); ten codes on average."""


def generate(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """`n` variable documents shaped like `catalog.search.documents` makes them and the pipeline
    completes them, deterministic. A question is repeated over waves (surveys: 2-8) or datasets
    (registries: mostly one, sometimes 2-5) as identical variables sharing a group."""
    rng = random.Random(seed)
    topics = taxonomy()
    i = 0
    while i < n:
        source, kind, category = SOURCES[i % len(SOURCES)]
        copies = rng.randint(2, 8) if source in SURVEYS else (rng.randint(2, 5) if rng.random() < 0.2 else 1)
        concept = rng.choice(CONCEPTS)
        qualifiers = " ".join(rng.sample(QUALIFIERS, rng.randint(1, 3)))
        label = f"{concept.capitalize()} {qualifiers}"
        name = f"{fold(concept)[:10].upper()}_{i:07d}"
        labels = {"nb": label}
        if concept in ENGLISH:
            labels["en"] = f"{ENGLISH[concept].capitalize()} {rng.choice(['at birth', 'in pregnancy', 'measured'])}"
        datatype = rng.choice(DATATYPES)
        access = rng.choice(["NON_PUBLIC", "RESTRICTED", "PUBLIC"])
        code = rng.choices(CODED, CODED_WEIGHTS)[0] if rng.random() < WITH_CODE_LIST else None
        first = rng.randrange(1960, 2020)
        for wave in range(min(copies, n - i)):
            start = min(2024, first + 4 * wave)
            end = min(2025, start + rng.randrange(1, 40))
            description = (
                f"{label}. Registrert i {source} fra {start} til {end}; "
                f"{' '.join(rng.sample(CONCEPTS, 3))} {' '.join(rng.sample(QUALIFIERS, 4))}."
            )
            dataset = (i + wave * 7) % 5000
            doc = {
                "key": f"v{i + wave:08x}",
                "uri": f"https://example.org/{source}/variabel/{name}/{wave}",
                "type": "variable",
                "name": name,
                "label": label,
                "labels": labels,
                "description": description,
                "descriptions": {"nb": description},
                "keywords": [concept],
                "codes": [],
                "dataset_key": f"d{dataset}",
                "dataset_title": f"{source} datasett {dataset}",
                "source": source,
                "source_title": source.upper(),
                "source_kind": kind,
                "publisher": source.upper(),
                "health_category": [category],
                "topic": topics.of_text([label]),
                "theme": ["HEAL"],
                "period": [f"{d}-{d + 9}" for d in range(start - start % 10, end + 1, 10)],
                "period_start": start,
                "period_end": end,
                "datatype": datatype,
                "unit": None,
                "codelist_key": code[0] if code else None,
                "access_rights": access,
                "languages": sorted(labels),
                "valid": True,
            }
            if code:
                doc["coded"] = code[1]
            doc["group"] = group_key(doc, code[1]["signature"] if code else "")
            yield doc
        i += copies


def queries(count: int, seed: int = 11) -> list[str]:
    """Queries of 2-3 words as researchers type them: a concept with one or two qualifiers."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = [rng.choice(CONCEPTS), *rng.sample([q for q in QUALIFIERS if len(q) > 3], rng.randint(1, 2))]
        out.append(" ".join(words))
    return out


class Timed:
    """Wraps a generator and adds up the time spent producing items, to subtract it from indexing."""

    def __init__(self, items: Iterator[dict[str, Any]]):
        self.items = items
        self.seconds = 0.0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while True:
            start = time.perf_counter()
            try:
                item = next(self.items)
            except StopIteration:
                self.seconds += time.perf_counter() - start
                return
            self.seconds += time.perf_counter() - start
            yield item


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


CODE_QUERIES = ["C50", "A10", "metformin", "I21", "E11 diabetes", "ondartet svulst"]
"""A code, a level of ATC, a drug, a category with children, a code with a word, a code's meaning."""


def timed(backend: TantivyBackend, texts: list[str], **options: Any) -> tuple[list[float], list[int]]:
    """Milliseconds per search (the first 10 warm up) and the totals found."""
    times, totals = [], []
    for i, text in enumerate(texts):
        start = time.perf_counter()
        result = backend.search(SearchQuery(text=text, limit=20, facets=FACETS, highlight=True, **options))
        if i >= 10 or len(texts) <= 10:
            times.append((time.perf_counter() - start) * 1000)
        totals.append(result.total)
    return times, totals


def bench_tantivy(root: Path, n: int, qs: list[str]) -> list[float]:
    """The p95 times of the explorer's grouped search, which the target is about."""
    backend = TantivyBackend(root)
    docs = Timed(generate(n))
    start = time.perf_counter()
    indexed = backend.replace_all(docs)
    elapsed = time.perf_counter() - start
    print(
        f"tantivy: indexed {indexed:,} variables in {elapsed:.1f} s: {indexed / elapsed:,.0f}/s end to end, "
        f"{indexed / (elapsed - docs.seconds):,.0f}/s excluding document generation ({docs.seconds:.1f} s)"
    )
    results = {}
    for label, texts, options in [
        ("grouped, as the explorer asks", qs, {"group": True}),
        ("one row per variable", qs, {}),
        ("codes, grouped", CODE_QUERIES * 5, {"group": True}),
    ]:
        times, totals = timed(backend, texts, **options)
        results[label] = times
        print(
            f"tantivy, {label}: {len(times)} queries, median {statistics.median(totals):,.0f} found: "
            f"p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms"
        )
    backend.close()
    return results["grouped, as the explorer asks"]


FTS_FACETS = ("source", "source_kind", "health_category", "datatype", "access_rights")


def build_fts(path: Path, n: int) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(f"""
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE docs(id INTEGER PRIMARY KEY, key TEXT, {", ".join(f"{f} TEXT" for f in FTS_FACETS)}, doc TEXT);
        CREATE TABLE doc_period(id INTEGER, period TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(name, label, description, tokenize="unicode61 remove_diacritics 2");
    """)
    start = time.perf_counter()
    rows, periods, texts = [], [], []
    for i, doc in enumerate(generate(n)):
        rows.append(
            (
                i,
                doc["key"],
                *(doc[f][0] if isinstance(doc[f], list) else doc[f] for f in FTS_FACETS),
                json.dumps(doc, ensure_ascii=False),
            )
        )
        periods += [(i, p) for p in doc["period"]]
        texts.append((i, doc["name"], " ".join(doc["labels"].values()), doc["description"]))
        if len(rows) == 10_000:
            _flush(db, rows, periods, texts)
    _flush(db, rows, periods, texts)
    db.execute("CREATE INDEX doc_period_id ON doc_period(id)")
    db.commit()
    elapsed = time.perf_counter() - start
    print(f"fts5: indexed {n:,} variables in {elapsed:.1f} s: {n / elapsed:,.0f}/s")
    return db


def _flush(db: sqlite3.Connection, rows: list[Any], periods: list[Any], texts: list[Any]) -> None:
    db.executemany(f"INSERT INTO docs VALUES ({', '.join('?' * (len(FTS_FACETS) + 3))})", rows)
    db.executemany("INSERT INTO doc_period VALUES (?, ?)", periods)
    db.executemany("INSERT INTO fts(rowid, name, label, description) VALUES (?, ?, ?, ?)", texts)
    rows.clear()
    periods.clear()
    texts.clear()


def fts_search(db: sqlite3.Connection, text: str) -> tuple[int, list[Any], dict[str, list[Any]]]:
    match = " AND ".join(f'"{w}"' for w in text.split())
    hits = db.execute(
        "SELECT d.doc, highlight(fts, 1, '<mark>', '</mark>') FROM fts JOIN docs d ON d.id = fts.rowid "
        "WHERE fts MATCH ? ORDER BY bm25(fts, 4.0, 3.0, 1.0) LIMIT 20",
        (match,),
    ).fetchall()
    matched = "SELECT rowid FROM fts WHERE fts MATCH ?"
    total = db.execute(f"SELECT count(*) FROM ({matched})", (match,)).fetchone()[0]
    facets = {
        f: db.execute(
            f"SELECT {f}, count(*) FROM docs WHERE id IN ({matched}) GROUP BY {f} ORDER BY count(*) DESC", (match,)
        ).fetchall()
        for f in FTS_FACETS
    }
    facets["period"] = db.execute(
        f"SELECT period, count(*) FROM doc_period WHERE id IN ({matched}) GROUP BY period ORDER BY count(*) DESC",
        (match,),
    ).fetchall()
    return total, [json.loads(doc) for doc, _ in hits], facets


def bench_fts(path: Path, n: int, qs: list[str]) -> list[float]:
    db = build_fts(path, n)
    times = []
    for i, text in enumerate(qs):
        start = time.perf_counter()
        fts_search(db, text)
        if i >= 10:
            times.append((time.perf_counter() - start) * 1000)
    print(f"fts5: {len(times)} queries: p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms")
    db.close()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000, help="variables to generate (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=210, help="queries to time (the first 10 warm up)")
    parser.add_argument("--fts-queries", type=int, default=60, help="queries to time on the slower FTS5 baseline")
    parser.add_argument("--dir", type=Path, default=None, help="where to build the indices (default: a temp dir)")
    args = parser.parse_args(argv)
    qs = queries(args.queries)
    print(f"machine load at start: {_load()}")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        tantivy_times = bench_tantivy(Path(tmp) / "tantivy", args.docs, qs)
        fts_times = bench_fts(Path(tmp) / "fts.sqlite", args.docs, qs[: args.fts_queries])
    ratio = percentile(fts_times, 95) / percentile(tantivy_times, 95)
    median_ratio = percentile(fts_times, 50) / percentile(tantivy_times, 50)
    print(f"ratio fts5/tantivy: p95 {ratio:.1f}x, p50 {median_ratio:.1f}x (targets: p95 <= 25 ms, ratio >= 10x)")
    print(f"machine load at end: {_load()}")


def _load() -> str:
    """Load averages and core count: figures taken on a busy machine are not comparable."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min), {fifteen:.2f} (15 min) on {os.cpu_count()} cores"


if __name__ == "__main__":
    main()
