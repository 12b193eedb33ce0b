"""What only the oai-ddi harvester does: DDI questions and the study's HealthDCAT-AP mapping, the
`from` cursor, a deleted record taking its code lists along (simulated surveys, DDI-C 2.5 and
DDI-L 3.2), and OAI-PMH's corners on hand-written answers. Full, unchanged, generation, deletion,
fault, rate limit and duplicate behaviour is the harvester contract's (`test_harvester_contract.py`),
for both DDI flavours."""

from __future__ import annotations

import pytest

from catalog.model import Agent, Dataset
from harvesters.oai_ddi import NON_PUBLIC
from tests.simulated import codelists, configure, datasets, run

DDIC, DDIL, OTHER = "hunt", "sikt", "tromso"
COUNTS = ("new", "changed", "unchanged", "deleted", "errors")


def study_of(native_id: str) -> str:
    """oai:hunt.ntnu.no:HUNT4 -> HUNT4, the study id the DDI itself carries (IDNo / IdentifierContent)."""
    return native_id.rsplit(":", 1)[1]


def simulated_studies(sim, source) -> dict[str, Dataset]:
    nation = sim.nation
    src = nation.source(source)
    return {nation.study_id(src, i): nation.dataset(src, i) for i in nation.dataset_indices(src)}


def questions(studies):
    return {(ident, v.name): v.question for ident, d in studies.items() for v in d.variables if v.question}


@pytest.mark.parametrize("source", [DDIC, DDIL])
def test_every_variable_keeps_its_question(settings, store, sim, source):
    configure(settings, sim, source)
    run(settings, store)
    assert questions(datasets(store, source)) == questions(simulated_studies(sim, source))
    assert questions(datasets(store, source))


def test_a_study_maps_to_a_healthdcat_dataset_with_minted_uris_and_language_tags(settings, store, sim):
    configure(settings, sim, DDIC)
    run(settings, store)
    study, expected = next(iter(simulated_studies(sim, DDIC).items()))
    d = datasets(store, DDIC)[study]
    mint = f"{settings.base_uri}id/{DDIC}/"
    org = sim.nation.source(DDIC).spec.org.name_nb
    assert (d.uri, d.variables[1].uri, d.variables[1].codelist) == (
        mint + f"dataset/{study}",
        mint + f"variable/{study}/{d.variables[1].name}",
        mint + f"codelist/{study}/{d.variables[1].name}",
    )
    assert d.publisher == Agent(name={"nb": org})
    assert (d.description, d.keywords, d.population_coverage, d.access_rights) == (
        expected.description,
        expected.keywords,
        expected.population_coverage,
        NON_PUBLIC,
    )
    assert (d.temporal_start, d.temporal_end, d.issued, d.version, d.number_of_unique_individuals) == (
        expected.temporal_start[:4],
        expected.temporal_end[:4],
        expected.issued[:10],
        expected.version,
        expected.number_of_unique_individuals,
    )
    assert [(v.name, v.title, v.unit) for v in d.variables] == [
        (v.name, {"nb": v.title["nb"]}, v.unit) for v in expected.variables
    ]
    assert codelists(store, DDIC)[d.variables[1].codelist].identifier == f"{study}/{d.variables[1].name}"


def test_a_rerun_asks_only_for_records_from_the_newest_datestamp(settings, store, sim):
    configure(settings, sim, DDIC)
    run(settings, store)
    newest = max(t["modified"] for t in sim.manifest()[DDIC]["datasets"].values())
    assert store.state(DDIC)["from"] == newest  # the contract's failing URLs show it sent as `from`


def test_a_deleted_record_deletes_its_study_and_all_its_code_lists(settings, store, sim):
    configure(settings, sim, DDIC)
    run(settings, store)
    sim.generation = 1
    (gone,) = [study_of(k) for k in sim.manifest()[DDIC]["deleted"]]
    mint = f"{settings.base_uri}id/{DDIC}/"
    its_lists = {uri for uri in codelists(store, DDIC) if uri.startswith(mint + f"codelist/{gone}/")}
    run(settings, store)
    deleted = {s.uri for s in store.records(DDIC, include_deleted=True) if s.deleted_at}
    assert its_lists and {mint + f"dataset/{gone}"} | its_lists <= deleted


# --- protocol corners, on a hand-written repository -------------------------------------------

ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    "<responseDate>2025-01-01T00:00:00Z</responseDate><request>{url}</request>{body}</OAI-PMH>"
)
IDENTIFY = (
    "<Identify><repositoryName>Test</repositoryName><baseURL>{url}</baseURL><protocolVersion>2.0"
    "</protocolVersion><granularity>YYYY-MM-DD</granularity></Identify>"
)


def codebook(study: str, variables: str) -> str:
    return (
        f'<codeBook xmlns="ddi:codebook:2_5" xml:lang="nb"><stdyDscr><citation><titlStmt><titl>Studie {study}'
        f"</titl><IDNo>{study}</IDNo></titlStmt></citation></stdyDscr><dataDscr>{variables}</dataDscr></codeBook>"
    )


def record(ident: str, stamp: str, metadata: str | None) -> str:
    if metadata is None:
        return (
            f'<record><header status="deleted"><identifier>{ident}</identifier><datestamp>{stamp}</datestamp>'
            "</header></record>"
        )
    return (
        f"<record><header><identifier>{ident}</identifier><datestamp>{stamp}</datestamp></header>"
        f"<metadata>{metadata}</metadata></record>"
    )


def repository(server, settings, pages: dict[str, str], identify: str = IDENTIFY) -> str:
    from catalog.config import SourceConfig

    url = server.url + "/oai"
    server.serve("/oai?verb=Identify", ENVELOPE.format(url=url, body=identify.format(url=url)), Content_Type="text/xml")
    for query, body in pages.items():
        server.serve("/oai?" + query, ENVELOPE.format(url=url, body=body), Content_Type="text/xml")
    settings.values.update(http_retries=0)
    settings.sources["test"] = SourceConfig("test", "oai-ddi", url, options={"timeout": 0.5})
    return url


FIRST = "verb=ListRecords&metadataPrefix=oai_ddi25"
VARS = (
    '<var name="KJONN"><labl>Kjønn</labl><catgry><catValu>1</catValu><labl>Mann</labl></catgry>'
    '<catgry missing="Y"><catValu>9</catValu><labl>Ukjent</labl></catgry><varFormat type="numeric"/></var>'
)


def test_resumption_tokens_are_followed_to_the_empty_token(settings, store, server):
    repository(
        server,
        settings,
        {
            FIRST: "<ListRecords>"
            + record("oai:t:A", "2024-01-01", codebook("A", VARS))
            + '<resumptionToken cursor="0" completeListSize="2">page2</resumptionToken></ListRecords>',
            "verb=ListRecords&resumptionToken=page2": "<ListRecords>"
            + record("oai:t:B", "2024-02-01", codebook("B", ""))
            + '<resumptionToken cursor="1" completeListSize="2"/></ListRecords>',
        },
    )
    result = run(settings, store)["test"]
    assert result.ok and sorted(datasets(store, "test")) == ["A", "B"]
    assert store.state("test")["from"] == "2024-02-01"
    (codes,) = codelists(store, "test").values()
    assert [(c.code, c.label, c.missing) for c in codes.concepts] == [
        ("1", {"nb": "Mann"}, False),
        ("9", {"nb": "Ukjent"}, True),
    ]


def test_an_incremental_run_asks_from_the_last_datestamp_and_follows_deleted_headers(settings, store, server):
    repository(
        server,
        settings,
        {
            FIRST: "<ListRecords>"
            + record("oai:t:A", "2024-01-01", codebook("A", VARS))
            + record("oai:t:B", "2024-02-01", codebook("B", ""))
            + "</ListRecords>"
        },
    )
    run(settings, store)
    server.serve(
        "/oai?" + FIRST + "&from=2024-02-01",
        ENVELOPE.format(url="", body=("<ListRecords>" + record("oai:t:A", "2024-03-01", None) + "</ListRecords>")),
        Content_Type="text/xml",
    )
    result = run(settings, store)["test"]
    assert {k: result.counts[k] for k in COUNTS} == {"new": 0, "changed": 0, "unchanged": 1, "deleted": 2, "errors": 0}
    assert sorted(datasets(store, "test")) == ["B"] and codelists(store, "test") == {}
    assert store.state("test")["from"] == "2024-03-01"


def test_no_records_match_means_nothing_changed(settings, store, server):
    repository(
        server,
        settings,
        {FIRST: "<ListRecords>" + record("oai:t:A", "2024-01-01", codebook("A", "")) + "</ListRecords>"},
    )
    run(settings, store)
    server.serve(
        "/oai?" + FIRST + "&from=2024-01-01",
        ENVELOPE.format(url="", body='<error code="noRecordsMatch">nothing</error>'),
        Content_Type="text/xml",
    )
    result = run(settings, store)["test"]
    assert result.ok and {k: result.counts[k] for k in COUNTS} == {
        "new": 0,
        "changed": 0,
        "unchanged": 1,
        "deleted": 0,
        "errors": 0,
    }


def test_a_rejected_resumption_token_fails_the_source_in_plain_words(settings, store, server):
    url = repository(
        server,
        settings,
        {
            FIRST: "<ListRecords>"
            + record("oai:t:A", "2024-01-01", codebook("A", ""))
            + "<resumptionToken>old</resumptionToken></ListRecords>",
            "verb=ListRecords&resumptionToken=old": '<error code="badResumptionToken">expired</error>',
        },
    )
    result = run(settings, store)["test"]
    assert result.status == "failed"
    assert result.error == (
        "the repository rejected our resumption token (it expired or the repository changed while "
        "we paged); the next run starts the listing again (badResumptionToken: expired) at "
        f"{url}?verb=ListRecords&resumptionToken=old"
    )


def test_a_repeated_resumption_token_is_a_paging_loop(settings, store, server):
    repository(
        server,
        settings,
        {
            FIRST: "<ListRecords>"
            + record("oai:t:A", "2024-01-01", codebook("A", ""))
            + "<resumptionToken>same</resumptionToken></ListRecords>",
            "verb=ListRecords&resumptionToken=same": "<ListRecords>"
            + record("oai:t:B", "2024-01-01", codebook("B", ""))
            + "<resumptionToken>same</resumptionToken></ListRecords>",
        },
    )
    result = run(settings, store)["test"]
    assert result.status == "failed" and "sent the resumption token 'same' twice (a paging loop)" in result.error


def test_bad_records_and_variables_are_reported_with_url_record_and_field_and_the_rest_harvested(
    settings, store, server
):
    url = repository(
        server,
        settings,
        {
            FIRST: "<ListRecords>"
            + record("oai:t:A", "2024-01-01", "<dc>not ddi</dc>")
            + record("oai:t:B", "2024-01-01", "<codeBook/>")
            + record(
                "oai:t:C",
                "2024-01-01",
                codebook(
                    "C",
                    '<var ID="V1"><labl>Uten navn</labl></var>'
                    + VARS
                    + '<var name="KJONN"/><var name="X"><catgry><labl>Ingen verdi'
                    "</labl></catgry></var>",
                ),
            )
            + "</ListRecords>"
        },
    )
    result = run(settings, store)["test"]
    page = f"{url}?{FIRST}"
    assert result.ok and [(e.url, e.record_id, e.field, e.message) for e in result.errors] == [
        (
            page,
            "oai:t:A",
            "metadata",
            "the record oai:t:A could not be mapped: the metadata is <dc>, neither a "
            "DDI-Codebook codeBook nor a DDI-Lifecycle FragmentInstance; its last good "
            "version is kept",
        ),
        (
            page,
            "oai:t:B",
            "stdyDscr",
            "the record oai:t:B could not be mapped: the codeBook has no stdyDscr (study "
            "description); its last good version is kept",
        ),
        (page, "C V1", "name", "study C: a variable (V1) has no name, so it was skipped"),
        (page, "C KJONN", "name", "study C: the variable KJONN occurs more than once; the first was kept"),
        (page, "C X", "catValu", "study C, variable X: a category has no value (catValu), so it was skipped"),
    ]
    assert [v.name for v in datasets(store, "test")["C"].variables] == ["KJONN", "X"]


def test_an_entity_declaration_is_refused_before_parsing(settings, store, server):
    evil = (
        '<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><Identify>&x;</Identify></OAI-PMH>'
    )
    url = repository(server, settings, {})
    server.serve("/oai?verb=Identify", evil, Content_Type="text/xml")
    result = run(settings, store)["test"]
    assert result.error == (
        "refused XML with a DOCTYPE or entity declaration (possible XXE or entity expansion "
        f"attack) at {url}?verb=Identify"
    )


def test_a_record_the_pipeline_cannot_validate_is_reported_and_its_neighbours_stored(settings, store, server):
    """A study whose language tag no RDF tool accepts reaches validation as it came: that record
    fails (named, with the reason) and the records before and after it are stored as usual."""
    url = repository(
        server,
        settings,
        {
            FIRST: "<ListRecords>"
            + record("oai:t:A", "2024-01-01", codebook("A", VARS))
            + record("oai:t:B", "2024-01-01", codebook("B", VARS).replace('xml:lang="nb"', 'xml:lang="ikke et språk"'))
            + record("oai:t:C", "2024-01-01", codebook("C", VARS))
            + "</ListRecords>"
        },
    )
    result = run(settings, store)["test"]
    assert result.ok and sorted(datasets(store, "test")) == ["A", "C"]
    assert sorted(c.identifier for c in codelists(store, "test").values()) == ["A/KJONN", "C/KJONN"]
    reason = "(ValueError: 'ikke et språk' is not a valid language tag!); it was not stored"
    assert [(e.url, e.record_id, e.message) for e in result.errors] == [
        (
            f"{url}?{FIRST}",
            f"{settings.base_uri}id/test/{what}",
            f"the record could not be validated, rendered or indexed {reason}",
        )
        for what in ("dataset/B", "codelist/B/KJONN")
    ]


def test_a_studys_nations_are_mapped_to_eu_countries_by_code_or_english_name(settings, store, server):
    """`nation` by its ISO code (`abbr`, either case, two or three letters) or, without one, its
    English name; a place that is no country is left out, each country once."""
    nations = (
        '<nation abbr="no">Norge</nation><nation abbr="SWE">Sverige</nation><nation>Finland</nation>'
        '<nation>Scandinavia</nation><nation abbr="NO">Norway</nation>'
    )
    study = codebook("N", VARS).replace(
        "</citation></stdyDscr>", f"</citation><stdyInfo><sumDscr>{nations}</sumDscr></stdyInfo></stdyDscr>"
    )
    repository(server, settings, {FIRST: "<ListRecords>" + record("oai:t:N", "2024-01-01", study) + "</ListRecords>"})
    assert run(settings, store)["test"].ok
    eu = "http://publications.europa.eu/resource/authority/country/"
    assert datasets(store, "test")["N"].spatial == [f"{eu}NOR", f"{eu}SWE", f"{eu}FIN"]
