"""The OpenAPI 3 description of /api, written out by hand so it says what each field means."""

from __future__ import annotations

from typing import Any

from catalog.search import DOC_TYPES, FACETS, SORTS
from web.explorer import MAX_LIMIT, MAX_OFFSET, MAX_QUERY, PAGE_SIZE

ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    "description": "the record's stable id (shown in page URLs)",
}
PROBLEM = {
    "description": "problem details (RFC 9457)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        },
        "404": PROBLEM,
        "410": {**PROBLEM, "description": "the record left the catalogue: its source no longer lists it"},
        "400": PROBLEM,
    }


def _get(summary: str, responses: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": responses}}


def _query(name: str, description: str, schema: dict[str, Any] | None = None, many: bool = False) -> dict[str, Any]:
    schema = schema or {"type": "string"}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "array", "items": schema} if many else schema,
        "explode": True,
    }


OBJECT = {"type": "object", "additionalProperties": True}
TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}
SAMPLE_PARAMETERS = [
    ID,
    _query("rows", "number of rows (default 100)", {"type": "integer", "minimum": 1, "maximum": 10000}),
    _query("seed", "the same seed gives the same sample (default 1)", {"type": "integer"}),
]
SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "properties": {k: {"type": "string"} for k in ("type", "title", "detail", "instance")}
        | {"status": {"type": "integer"}},
    },
    "Hit": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "uri": {"type": "string"},
            "type": {"type": "string"},
            "name": {"type": "string"},
            "label": {"type": "string"},
            "labels": {**TEXTS, "description": "the label in each language the record gives (nb, nn, en, ...)"},
            "description": {"type": "string"},
            "descriptions": {**TEXTS, "description": "the description in each language the record gives"},
            "dataset": {"type": "string", "nullable": True},
            "dataset_titles": {**TEXTS, "description": "a variable's dataset's title in each language it has"},
            "dataset_id": {"type": "string", "nullable": True},
            "source": {"type": "string"},
            "source_title": {"type": "string"},
            "datatype": {"type": "string", "nullable": True},
            "period": {"type": "array", "items": {"type": "integer", "nullable": True}},
            "score": {"type": "number"},
            "highlights": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "HTML-escaped text with <mark> around matched words",
            },
            "matched_codes": {
                "type": "array",
                "items": {"type": "object", "properties": {"code": {"type": "string"}, "label": {"type": "string"}}},
                "description": "codes of the hit's code list the query asked for (a code, a level above it, its label, a common name)",
            },
            "may_hold": {
                "type": "string",
                "nullable": True,
                "description": "a category the query asked for (I21, T90, A10) that this variable, coded in that "
                "classification without a code list, may hold",
            },
            "codelist_id": {"type": "string", "nullable": True},
            "group": {
                "type": "string",
                "nullable": True,
                "description": "key shared by identical variables of one source; filter group=<key> lists them",
            },
            "group_size": {"type": "integer", "description": "grouped search: matching variables in the group"},
            "members": {
                "type": "array",
                "items": OBJECT,
                "description": "grouped search: up to 20 members (key, dataset_key, dataset_title, dataset_title_lang, dataset_titles, period_start, period_end), oldest first",
            },
            "group_period": {"type": "array", "items": {"type": "integer", "nullable": True}},
        },
    },
    "SearchResult": {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "type": {"type": "string"},
            "sort": {"type": "string"},
            "filters": OBJECT,
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "page_size": {"type": "integer", "description": "hits a page: the `limit` asked for"},
            "other_type_total": {"type": "integer"},
            "type_totals": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "hits of the same words per result type (variable, dataset, codelist), with the filters that apply to it",
            },
            "typos_tolerated": {
                "type": "boolean",
                "description": "nothing matched as typed; the hits match similar spellings",
            },
            "typo_edits": {"type": "integer", "description": "edits tolerated (0, 1 or 2)"},
            "typo_words": {"type": "array", "items": {"type": "string"}, "description": "the words spelt otherwise"},
            "corrected": {
                "type": "array",
                "items": {"type": "string"},
                "description": "the synonyms and common names of codes the misspelt words were taken for (hoftebrud: hoftebrudd)",
            },
            "any_words": {
                "type": "boolean",
                "description": "no hit matched all the words; these match some of them, the rarer words' first (but for words that only qualify)",
            },
            "optional_words": {
                "type": "array",
                "items": {"type": "string"},
                "description": "words typed that say whom the data are about (kvinner, children), beside others: "
                "hits need not hold them; those that do come first",
            },
            "broader_codes": {
                "type": "array",
                "items": {"type": "object", "properties": {"code": {"type": "string"}, "broader": {"type": "string"}}},
                "description": "codes no code list holds, each searched as the code it falls under (I21.0 as I21)",
            },
            "split_words": {
                "type": "array",
                "items": {"type": "object", "properties": {"word": {"type": "string"}, "parts": {"type": "string"}}},
                "description": "words that matched nothing as written, each searched as what it is made of "
                "(kreftdiagnose as kreft diagnose; alkoholvaner as alkohol)",
            },
            "synonyms": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"words": {"type": "string"}, "also": {"type": "array", "items": {"type": "string"}}},
                },
                "description": "words the synonym list expanded, each with the synonyms also searched "
                "(mammografi: brystkreft, mammacancer, breast cancer, mammography)",
            },
            "related": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"words": {"type": "string"}, "also": {"type": "array", "items": {"type": "string"}}},
                },
                "description": "words the synonym list relates one way to other terms, each with those also "
                "searched in names and labels (prematur: svangerskapslengde, gestasjonsalder, gestational age)",
            },
            "wider_code": {
                "type": "object",
                "nullable": True,
                "properties": {"code": {"type": "string"}, "broader": {"type": "string"}, "total": {"type": "integer"}},
                "description": "a searched code some lists hold, the code it falls under and how many hits a search for "
                "that finds, when more (C50.9 under C50), written after its classification when the searched "
                "code's lists are of one (N06A under ATC N06: not ICD-10's N06); null otherwise",
            },
            "each_word": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"words": {"type": "string"}, "total": {"type": "integer", "nullable": True}},
                },
                "description": "when no hit matches all the words (any_words), or together they find five rows or fewer: "
                "each word's own search and its total, a listed phrase as one (antibiotika barn: antibiotika, barn); "
                "total null for the words past the first six, which are not counted; empty otherwise",
            },
            "left_out_words": {
                "type": "array",
                "items": {"type": "string"},
                "description": "words past what one search holds (about a dozen; a word's synonyms and codes "
                "count), as typed: not searched, the hits are those of the words before them; empty otherwise",
            },
            "no_words": {
                "type": "boolean",
                "description": "q holds no letter or digit (only symbols or emoji): nothing was searched, no hits",
            },
            "grouped": {"type": "boolean", "description": "one hit per group of identical variables (grouped=1)"},
            "total_estimated": {
                "type": "boolean",
                "description": "the total of rows is an estimate (grouped, past the backend's exact count: "
                "tantivy from 500 rows); pages then goes one past a full page",
            },
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {
                "type": "object",
                "additionalProperties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
                    },
                },
            },
        },
    },
    "Suggestions": {
        "type": "object",
        "properties": {"q": {"type": "string"}, "suggestions": {"type": "array", "items": {"type": "string"}}},
    },
    "Frequency": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "nullable": True, "description": "null: the values no code covers"},
            "label": {"type": "object", "additionalProperties": {"type": "string"}, "description": "lang -> label"},
            "count": {
                "type": "integer",
                "nullable": True,
                "description": "null where suppressed (below the source's threshold, or to protect one that is)",
            },
            "missing": {"type": "boolean", "description": "a missing-value code"},
        },
    },
    "Variable": {
        **OBJECT,
        "description": "the variable as in catalog.model.Variable, with dataset, codelist "
        "(codes), its published distribution, equivalents (its source's other waves, other sources), "
        "related variables, topics, access route, provenance and validation",
        "properties": {
            "searched": {
                "type": "boolean",
                "description": "false while search cannot answer: the store's part alone, without "
                "equivalents and related variables (the page says so too)",
            },
            "frequencies": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Frequency"},
                "description": "counts per code after disclosure control, rounded (empty when none are published)",
            },
            "total": {
                "type": "integer",
                "nullable": True,
                "description": "the number of records; null where it would reveal a suppressed count",
            },
            "summary": {
                "type": "object",
                "nullable": True,
                "description": "valid and missing counts (null when one of their counts is suppressed), mean and "
                "standard deviation (null when fewer values than the threshold lie behind them, or a coded count "
                "is suppressed), minimum and maximum (null unless at least the threshold of records share the value)",
            },
            "disclosure": {
                "type": "object",
                "nullable": True,
                "description": "threshold, rounding base and number of suppressed counts",
            },
        },
    },
    "Dataset": {
        **OBJECT,
        "description": "the dataset as in catalog.model.Dataset (HealthDCAT-AP fields), its "
        "variables with ids, provenance, validation and quality score, its quality and utility label "
        "(label, see Label), the data permits that name it (uses) and the EHDS minimum elements it "
        "lacks (minimum.missing)",
    },
    "Label": {
        "type": "object",
        "description": "a dataset's data quality and utility label (EHDS Art. 78), see catalog/label.py",
        "properties": {
            "page": {"type": "string", "description": "the label's page (the certificate's oa:hasBody)"},
            "assessed": {"type": "string", "description": "when its values were first found"},
            "score": {"type": "number", "description": "mean of the assessed elements, percent"},
            "elements": {
                "type": "object",
                "additionalProperties": {"type": "number", "nullable": True},
                "description": "element of Art. 78(3) -> 0..1, null when none of its metrics is assessed",
            },
            "metrics": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {"value": {"type": "number", "nullable": True}, "note": {"type": "string"}},
                },
            },
        },
    },
    "Uses": {
        "type": "object",
        "properties": {
            "total": {"type": "integer", "description": "permits in the whole register"},
            "filters": OBJECT,
            "uses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "description": "an issued data permit (catalog.uses.DataUse), its datasets with ids and titles",
                },
            },
        },
    },
    "Confirmations": {
        "type": "object",
        "properties": {
            "holders": {
                "type": "array",
                "items": {
                    "type": "object",
                    "description": "a source or publisher: last_confirmed, confirmed_by, due, overdue, datasets",
                },
            }
        },
    },
    "Offer": {
        **OBJECT,
        "description": "a data service (kind service: an analysis platform or an analysis service) or a data "
        "product (kind product), with provider (publisher), how_to_order and order_url, price_model (free, "
        "cost-recovery or commercial) and price in words, terms; a single one also lists its datasets",
        "properties": {
            "id": {"type": "string"},
            "kind": {"type": "string", "enum": ["service", "product"]},
            "price_model": {"type": "string", "enum": ["free", "cost-recovery", "commercial"]},
            "datasets": {"type": "array", "items": OBJECT},
        },
    },
    "Marketplace": {
        "type": "object",
        "properties": {
            "filters": OBJECT,
            "total": {"type": "integer"},
            "entries": {"type": "array", "items": {"$ref": "#/components/schemas/Offer"}},
            "facets": OBJECT,
        },
    },
    "Sources": {"type": "object", "properties": {"sources": {"type": "array", "items": OBJECT}}},
    "Comparison": {
        **OBJECT,
        "description": "the variables' facts side by side: ids, missing ids, and rows of name, values "
        "(one per variable, null when not stated) and whether all are the same",
    },
    "Topics": {"type": "object", "properties": {"topics": {"type": "array", "items": OBJECT}}},
    "Source": {
        **OBJECT,
        "description": "a source's summary, its runs, the last finished run's errors (all) and "
        "its most frequent validation findings (each with its fix hint in the source's format); live_records and nonconforming_now: its live records "
        "and how many do not conform now (a run's counts.invalid counts only the records it stored)",
    },
}


def spec(server: str) -> dict[str, Any]:
    search_params = [
        _query(
            "q",
            f"words to search for (names, labels, descriptions, codes); above {MAX_QUERY} characters is refused (400)",
            {"type": "string", "maxLength": MAX_QUERY},
        ),
        _query("type", "what to search (default variable)", {"type": "string", "enum": list(DOC_TYPES)}),
        _query(
            "sort",
            "order (default relevance; uses: the most used in projects first)",
            {"type": "string", "enum": list(SORTS)},
        ),
        _query(
            "limit",
            f"hits a page (default {PAGE_SIZE}); above {MAX_LIMIT} is refused (400), not cut down",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": PAGE_SIZE},
        ),
        _query(
            "page",
            f"1-based page of `limit` hits; pages reach the first {MAX_OFFSET:,} hits (page × limit ≤ {MAX_OFFSET})",
            {"type": "integer", "minimum": 1},
        ),
        _query("grouped", "1: one hit per group of identical variables", {"type": "string", "enum": ["0", "1"]}),
        *[_query(f, f"filter on {f} (repeat: OR within a facet, AND across)", many=True) for f in FACETS],
        _query(
            "year",
            "variables and datasets whose data cover this year or span of years (2010, 2012-2015, from 2010 on: "
            "2010-, until 1999: -1999; repeat: any "
            "of them); a year typed among the words of q is read as this filter (the answer's query and "
            "filters say so); a value that is no year is refused (400)",
            {"type": "string", "pattern": r"^(\d{4}(-(\d{2}|\d{4})?)?|-\d{4})$"},
            many=True,
        ),
    ]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Helsedatakatalogen API",
            "version": "1",
            "description": "The variable explorer's data as JSON: search, suggestions, variables, datasets, "
            "sources and basket exports. Read-only; no authentication.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/search": _get(
                "Search variables or datasets with facets",
                _ok("SearchResult", "a page of hits")
                | {"400": PROBLEM | {"description": "a parameter out of its values or range, named in detail"}},
                search_params,
            ),
            "/api/suggest": _get(
                "Completions for a search box",
                _ok("Suggestions", "up to 10 labels"),
                [_query("q", "what has been typed so far")],
            ),
            "/api/variables/{id}": _get(
                "One variable with its code list, related variables and provenance",
                _ok("Variable", "the variable"),
                [ID],
            ),
            "/api/datasets/{id}": _get(
                "One dataset with its HealthDCAT-AP metadata and variables", _ok("Dataset", "the dataset"), [ID]
            ),
            "/api/datasets/{id}/synthetic.csv": _get(
                "A synthetic sample: one column per variable, values drawn from each variable's type, code list "
                "and published distribution, no real person (the file name says SYNTETISK)",
                {
                    "200": {"description": "header row of variable names, then the rows", "content": {"text/csv": {}}},
                    "400": PROBLEM,
                    "404": PROBLEM,
                },
                SAMPLE_PARAMETERS,
            ),
            "/api/datasets/{id}/synthetic.xlsx": _get(
                "The same synthetic sample as a workbook whose first sheet says it is synthetic",
                {
                    "200": {
                        "description": "sheet 1: what the data are; sheet 2: the rows",
                        "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
                    },
                    "400": PROBLEM,
                    "404": PROBLEM,
                },
                SAMPLE_PARAMETERS,
            ),
            "/api/marketplace": _get(
                "Data products, analysis services and platforms, filtered as on the marketplace page",
                _ok("Marketplace", "the matching entries and the filters' counts"),
                [
                    _query("kind", "product, analysis or platform", many=True),
                    _query("type", "kind of product: extract, cohort, indicator, other", many=True),
                    _query("price_model", "free, cost-recovery or commercial", many=True),
                    _query("provider", "the provider's name", many=True),
                ],
            ),
            "/api/services/{id}": _get(
                "One analysis platform or analysis service, with the datasets it serves",
                _ok("Offer", "the service"),
                [ID],
            ),
            "/api/products/{id}": _get(
                "One data product, with the datasets it is made from", _ok("Offer", "the product"), [ID]
            ),
            "/api/sources": _get("Every source with counts, conformance and last run", _ok("Sources", "sources")),
            "/api/sources/{name}": _get(
                "One source: harvest history, last run's errors and quality",
                _ok("Source", "the source"),
                [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            ),
            "/api/basket/export": _get(
                "Export a selection of variables (the basket) for an access application",
                {
                    "200": {
                        "description": "the selection in the chosen format",
                        "content": {
                            "text/csv": {},
                            "application/json": {},
                            "text/turtle": {},
                            "application/ld+json": {},
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                        },
                    },
                    "404": PROBLEM,
                },
                [
                    _query("ids", "variable ids, comma-separated or repeated", many=True),
                    _query(
                        "format", "export format", {"type": "string", "enum": ["csv", "xlsx", "json", "ttl", "jsonld"]}
                    ),
                ],
            ),
            "/api/compare": _get(
                "Compare variables side by side",
                _ok("Comparison", "the comparison"),
                [_query("ids", "variable ids, comma-separated or repeated (at most 8)", many=True)],
            ),
            "/api/topics": _get("The topics with their numbers of variables and datasets", _ok("Topics", "topics")),
            "/api/uses": _get(
                "The data use register: issued data permits (EHDS Art. 58), the latest first",
                _ok("Uses", "the permits that match"),
                [
                    _query("q", "words in the title, organisation, summary or legal basis"),
                    _query("organisation", "the organisation, exactly"),
                    _query("year", "the permit year", {"type": "string", "pattern": "^[0-9]{4}$"}),
                    _query("dataset", "a dataset URI the permit covers"),
                ],
            ),
            "/api/confirmations": _get(
                "When each source and publisher last confirmed its descriptions (EHDS Art. 60)",
                _ok("Confirmations", "holders, the soonest due first"),
                [_query("overdue", "only those overdue", {"type": "string", "enum": ["1"]})],
            ),
            "/api/openapi.json": _get("This description", {"200": {"description": "OpenAPI 3 document"}}),
        },
        "components": {"schemas": SCHEMAS},
    }
