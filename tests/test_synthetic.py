"""Synthetic samples of every simulated dataset follow each variable's type, code list and published distribution.

The whole simulated nation is harvested once; every dataset's sample is then made from what the
store publishes (the same function the API serves) and checked column by column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from catalog import synthetic
from catalog.disclosure import published_tables
from catalog.export import as_published
from catalog.model import CodeList, Dataset
from catalog.pipeline import harvest
from tests.simulated import OPERATOR_DEFAULTS

ROWS = 3000
WHOLE = re.compile(r"-?\d+")
DECIMAL = re.compile(r"-?\d+(\.\d+)?")


@pytest.fixture(scope="module")
def nation(tmp_path_factory, _simulator):
    from catalog.config import Settings
    from catalog.store import SQLiteStore

    settings = Settings.load(tmp_path_factory.mktemp("synthetic") / "home")
    for src in _simulator.source_configs():
        src.options["defaults"] = OPERATOR_DEFAULTS
        settings.sources[src.name] = src
    store = SQLiteStore(settings.db_path)
    results = harvest(settings, store, None)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    codelists = {s.uri: s.record for s in store.records(kind="codelist")}
    datasets = [
        (
            as_published(s.record, settings, settings.sources.get(s.source)),
            published_tables(store.published_counts(s.uri)),
        )
        for s in store.records(kind="dataset")
        if s.record.variables  # type: ignore[union-attr]
    ]
    return datasets, codelists


def sample(dataset: Dataset, codelists: dict[str, CodeList], published, seed: int = 1) -> dict[str, list[str]]:
    rows = list(synthetic.rows(dataset, codelists, published, ROWS, seed))
    assert rows[0] == [v.name for v in dataset.variables], "one column per variable, in their order"
    assert all(len(r) == len(rows[0]) for r in rows) and len(rows) == ROWS + 1
    return {name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])}


def test_every_simulated_datasets_sample_follows_its_metadata(nation):
    datasets, codelists = nation
    checked: Counter[str] = Counter()
    for dataset, published in datasets:
        columns = sample(dataset, codelists, published)
        first, last = (
            int((x or "0")[:4]) for x in (dataset.temporal_start, dataset.temporal_end or str(dt.date.today()))
        )
        last = max(first, last)  # a period that starts in the future (the simulator has some) is that one year
        for v in dataset.variables:
            values = columns[v.name]
            cl = codelists.get(v.codelist or "")
            table = published.get(v.uri)
            if cl is not None and cl.concepts:
                codes = {c.code for c in cl.concepts}
                assert set(values) <= codes, f"{v.uri}: codes outside its code list"
                missing = {c.code for c in cl.concepts if c.missing}
                if table is not None:
                    shown = {c.code: c.count for c in table.counts if c.code in codes}
                    never = {code for code, n in shown.items() if n == 0}
                    assert not set(values) & never, f"{v.uri}: a code the source counts as unused was drawn"
                    largest = max((code for code in shown if shown[code]), key=lambda c: shown[c], default=None)
                    if largest is not None and table.total and shown[largest] > 0.6 * table.total:
                        assert Counter(values).most_common(1)[0][0] == largest, f"{v.uri}: not its distribution"
                    checked["distribution"] += 1
                elif missing:
                    rate = sum(x in missing for x in values) / ROWS
                    assert rate < 0.06, f"{v.uri}: missing codes drawn too often ({rate:.3f})"
                    checked["missing rate"] += 1
                checked["coded"] += 1
            elif v.datatype == "integer":
                assert all(WHOLE.fullmatch(x) for x in values), v.uri
                if table is not None and table.minimum is not None and table.maximum is not None:
                    assert all(table.minimum <= int(x) <= table.maximum for x in values)
                checked["integer"] += 1
            elif v.datatype == "decimal":
                assert all(DECIMAL.fullmatch(x) for x in values), v.uri
                checked["decimal"] += 1
            elif v.datatype == "date":
                years = {int(x[:4]) for x in values}
                assert all(dt.date.fromisoformat(x) for x in values) and first <= min(years) and max(years) <= last
                checked["date"] += 1
            elif v.datatype == "gYear":
                assert all(first <= int(x) <= last for x in values), v.uri
                checked["gYear"] += 1
            elif v.datatype == "boolean":
                assert set(values) <= {"true", "false"}, v.uri
                checked["boolean"] += 1
    assert checked["distribution"] > 100 and checked["coded"] > 500 and checked["integer"] > 50, checked


def test_a_sample_is_the_same_for_the_same_seed_and_each_column_stands_alone(nation):
    datasets, codelists = nation
    dataset, published = next((d, p) for d, p in datasets if len(d.variables) > 5)
    assert sample(dataset, codelists, published, 3) == sample(dataset, codelists, published, 3)
    assert sample(dataset, codelists, published, 3) != sample(dataset, codelists, published, 4)
    fewer = Dataset(**{**dataset.__dict__, "variables": dataset.variables[1:]})
    whole, part = sample(dataset, codelists, published, 3), sample(fewer, codelists, published, 3)
    assert all(part[v.name] == whole[v.name] for v in fewer.variables), "a column depends on its variable alone"
