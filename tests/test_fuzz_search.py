"""Property: whatever a client sends to search, the answer is never a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from catalog.config import SourceConfig
from catalog.pipeline import harvest
from catalog.rdf import to_graph
from catalog.search import FACETS, open_backend
from tests.factories import apgar_codes, mfr_dataset
from web import create_app

QUERY_CHARS = st.characters(exclude_categories=["Cs"])
NASTY = st.sampled_from(
    [
        '"',
        "'",
        "(",
        ")",
        "*",
        "?",
        "~2",
        "^3",
        ":",
        "AND",
        "OR",
        "NOT",
        "-",
        "+",
        "[a TO b]",
        "{",
        "}",
        "/",
        "\\",
        "\x00",
        "fødsel*",
        "title:x",
        "<script>",
        "%",
        "%%",
        "😀",
    ]
)


@pytest.fixture(scope="module")
def client(tmp_path_factory, _static_server):
    from catalog.config import Settings
    from catalog.store import SQLiteStore

    settings = Settings.load(tmp_path_factory.mktemp("fuzz"))
    url = _static_server.serve(
        "/fuzz.ttl", to_graph([mfr_dataset(), apgar_codes()]).serialize(format="turtle"), Content_Type="text/turtle"
    )
    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=url)
    harvest(settings, SQLiteStore(settings.db_path), open_backend(settings))
    return create_app(settings).test_client()


params = st.fixed_dictionaries(
    {},
    optional={
        "q": st.one_of(st.text(QUERY_CHARS, max_size=300), st.lists(NASTY, max_size=6).map(" ".join)),
        "type": st.sampled_from(["variable", "dataset", "codelist", "x", ""]),
        "sort": st.sampled_from(["name", "relevance", "", "-1"]),
        "page": st.one_of(st.integers(-5, 10**9).map(str), st.text(max_size=5)),
        "limit": st.one_of(st.integers(-5, 10**6).map(str), st.text(max_size=5)),
        "grouped": st.sampled_from(["0", "1", "yes", ""]),
        **{f: st.text(QUERY_CHARS, max_size=20) for f in FACETS},
        "unknown": st.text(max_size=10),
    },
)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=params, path=st.sampled_from(["/api/search", "/search", "/api/suggest"]))
def test_search_never_answers_with_a_server_error(client, args, path):
    response = client.get(path, query_string=args)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
