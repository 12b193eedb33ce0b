"""Relevance on the judged query set: nDCG@10 per backend, printed (run with -s to see it)."""

from __future__ import annotations

from statistics import mean

from catalog.search import SearchBackend
from tests.search_fixtures import JUDGED, ndcg_at_10


def test_ndcg_at_10_on_the_judged_queries(loaded: SearchBackend) -> None:
    scores = ndcg_at_10(loaded)
    print(f"\nnDCG@10 {loaded.name}: mean {mean(scores.values()):.3f} over {len(scores)} queries")
    for query, score in sorted(scores.items(), key=lambda kv: kv[1]):
        print(f"  {score:.3f}  {query}")
    assert set(scores) == set(JUDGED)
    assert mean(scores.values()) >= 0.95
    assert min(scores.values()) >= 0.8


def test_ndcg_is_one_for_a_perfect_ranking_and_lower_for_a_swapped_one(loaded: SearchBackend) -> None:
    assert ndcg_at_10(loaded, {"MOR_ALDER": {"nnk/MOR_ALDER": 3}}) == {"MOR_ALDER": 1.0}
    assert ndcg_at_10(loaded, {"MOR_ALDER": {"mfr/MORS_ALDER": 3}})["MOR_ALDER"] < 1.0
