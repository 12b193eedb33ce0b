"""Readiness for the EHDS feed: which datasets reach it, and for each one left out exactly what is
missing and who can supply it, per source and per publisher.

A dataset reaches the HealthDCAT-AP (EHDS) feed when its published view (`catalog.published`)
conforms to our HealthDCAT-AP shapes; the pipeline stored that verdict and its report. This
module reads them back and explains every violation as a field of the model ("publisher.email",
"description", "variables.AGE.description") and who can fix it:

- **operator**: the field is empty in the published view and an operator setting would supply
  it: an entry of the organisation register (`organisations."<IRI>".email`), a source default
  (`sources.<name>.options.defaults.access_rights`) or the access body's settings. The gap names
  the exact setting;
- **publisher**: content no operator may invent (a title, a description, a variable's
  description or label) or a value the source states in a form the profile refuses. These are
  what a publisher's fix list (`fix_list`, CSV and a web page) asks the registry to mend.

Beside the gaps, what does not keep a dataset out but the access body should see to: a title or
description without English (`language_warnings`), and a publisher without a publisher type
(`Coverage.untyped_publishers`, with the entry of the organisation register that would state it).

The verdicts are the pipeline's, made with the settings of their time. When the register or a
source's defaults changed since, a dataset is `stale` until its source's next harvest or
`catalog reindex` validates it again; the report says so rather than guess.

The functions are pure: `assess` one stored dataset, `coverage` a store (or one source), `fix_list`
one publisher's rows; `Assessed` gathers `coverage` from records a caller reads for more (the
source page, `catalog report`: `source_readiness`), so it reads them once. Other checks of the published view (e.g. the EHDS minimum metadata) can
reuse `assess`'s field mapping (`field_of`) and `Gap`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from rdflib import URIRef
from rdflib.namespace import DCAT, FOAF, PROV
from rdflib.namespace import DCTERMS as DCT

from catalog import profiles
from catalog.config import DEFAULT_FIELDS, Settings, SourceConfig, folded
from catalog.model import Agent, Dataset, key_for, text
from catalog.published import Completed, org_number, registered
from catalog.rdf import CSVW, CV, DCAT_VERSION, DCATAP, DPV, GEODCATAP, HEALTH, SCHEMA, VCARD, stable_bnode
from catalog.store import StoredRecord, StoreReader
from catalog.texts import Said
from catalog.validation import rule_of

OPERATOR = "operator"
PUBLISHER = "publisher"

DATASET_FIELDS: dict[URIRef, str] = {
    DCT.title: "title",
    DCT.description: "description",
    DCT.identifier: "identifier",
    DCT.publisher: "publisher",
    DCAT.contactPoint: "contact",
    HEALTH.hdab: "hdab",
    GEODCATAP.custodian: "custodian",
    DCT.creator: "creator",
    DCAT.keyword: "keywords",
    DCAT.theme: "themes",
    HEALTH.healthCategory: "health_categories",
    HEALTH.healthTheme: "health_themes",
    DCT.accessRights: "access_rights",
    DCATAP.applicableLegislation: "applicable_legislation",
    DPV.hasLegalBasis: "legal_basis",
    DPV.hasPurpose: "purpose",
    DCT.provenance: "provenance",
    HEALTH.populationCoverage: "population_coverage",
    DCT.temporal: "temporal",
    DCT.spatial: "spatial",
    DCT.issued: "issued",
    DCT.modified: "modified",
    DCT.language: "languages",
    DCAT.landingPage: "landing_page",
    DCT.accrualPeriodicity: "frequency",
    DCT.type: "dataset_type",
    DCT.conformsTo: "conforms_to",
    DCT.relation: "relations",
    HEALTH.hasCodingSystem: "coding_systems",
    HEALTH.hasCodeValues: "code_values",
    DPV.hasPersonalData: "has_personal_data",
    PROV.wasGeneratedBy: "generated_by",
    HEALTH.numberOfRecords: "number_of_records",
    HEALTH.numberOfUniqueIndividuals: "number_of_unique_individuals",
    HEALTH.minTypicalAge: "min_typical_age",
    HEALTH.maxTypicalAge: "max_typical_age",
    HEALTH.hasStructuredData: "has_structured_data",
    HEALTH.hasVariables: "variables",
    DCAT.distribution: "distributions",
    DCAT_VERSION: "version",
}
"""A dataset's predicates -> the model's field names (the inverse of `catalog.rdf.add_dataset`)."""

PART_FIELDS: dict[URIRef, str] = {
    FOAF.name: "name",
    CV.contactPoint: "email",  # a contact point is an e-mail address or a web page
    CV.email: "email",
    CV.contactPage: "url",
    FOAF.homepage: "url",
    DCT.type: "type",
    VCARD.fn: "name",
    VCARD.hasEmail: "email",
    VCARD.hasURL: "url",
    DCAT.startDate: "start",
    DCAT.endDate: "end",
    CSVW.name: "name",
    CSVW.title: "title",
    CSVW.datatype: "datatype",
    CSVW.propertyUrl: "property_url",
    CSVW.table: "table",
    CSVW.column: "column",
    DCT.title: "title",
    DCT.description: "description",
    SCHEMA.validFrom: "valid_from",
    SCHEMA.validThrough: "valid_to",
    DCAT.accessURL: "access_url",
    DCAT.downloadURL: "download_url",
    DCT.format: "format",
    DCT.license: "license",
    DCAT.mediaType: "media_type",
    DCAT.byteSize: "byte_size",
}
"""The predicates of the nodes a dataset hangs from -> the field names of those parts."""

AGENT_ROLES = {
    "publisher": DCT.publisher,
    "custodian": GEODCATAP.custodian,
    "creator": DCT.creator,
    "hdab": HEALTH.hdab,
}
AGENT_PATHS = {f"{p}/{q}": f"{role}.{name}" for role, p in AGENT_ROLES.items() for q, name in PART_FIELDS.items()}
"""A dataset's paths through one of its agents, as `catalog.shacl.path_text` writes a sequence path
("…/publisher/…/type", Release 8's publisher type) -> the field ("publisher.type")."""
ROLE_NAMES = {
    "publisher": ("Utgiveren", "Utgivaren", "publisher"),
    "custodian": ("Dataansvarlig", "Dataansvarleg", "custodian"),
    "creator": ("Opphavspersonen", "Opphavspersonen", "creator"),
    "hdab": ("Tilgangsorganet", "Tilgangsorganet", "access body"),
}
"""Each agent role as the messages below name it: bokmål, nynorsk, English."""
MISSING_CONTACT = Said(
    "{nb} mangler e-post eller nettside (kontaktpunkt) | The {en} has no e-mail address or web page (contact point)",
    "{nn} manglar e-post eller nettside (kontaktpunkt)",
)
MISSING_NAME = Said("{nb} mangler navn | The {en} has no name", "{nn} manglar namn")
MISSING_AGENT = Said("{nb} mangler | The {en} is missing", "{nn} manglar")


NO_ENGLISH: dict[str, tuple[Said, Said]] = {
    "title": (
        Said(
            "Datasettet har ingen engelsk tittel | The dataset has no English title",
            "Datasettet har ingen engelsk tittel",
        ),
        Said(
            "Legg til en dct:title på engelsk (språkmerket en) | Add a dct:title in English (language tag en)",
            "Legg til ein dct:title på engelsk (språkmerket «en»)",
        ),
    ),
    "description": (
        Said(
            "Datasettet har ingen engelsk beskrivelse | The dataset has no English description",
            "Datasettet har inga engelsk skildring",
        ),
        Said(
            "Legg til en dct:description på engelsk (språkmerket en) | Add a dct:description in English (language tag en)",
            "Legg til ein dct:description på engelsk (språkmerket «en»)",
        ),
    ),
}
"""A warning, not a gap: HealthDCAT-AP Release 8's shapes (and DCAT-AP 3's) ask a title and a
description in no particular language, so a dataset in Norwegian alone conforms and reaches the
feed; but the EU catalogue it is exchanged with (HealthData@EU) is read across the union, English
its common language, and a Norwegian-only text is found there only by its Norwegian words or a
machine's translation (data.europa.eu's piveau translates metadata: ../shared/notes/peer-systems.md).
Field -> (message, hint)."""
NO_LANGUAGE_TAG: dict[str, tuple[Said, Said]] = {
    "title": (
        Said(
            "Datasettets tittel har ikke språkmerke | The dataset's title has no language tag",
            "Tittelen til datasettet har ikkje språkmerke",
        ),
        Said(
            "Merk dct:title med språket den er skrevet på (engelsk: språkmerket en) | Tag the dct:title with "
            "the language it is written in (English: language tag en)",
            "Merk dct:title med språket han er skriven på (engelsk: språkmerket «en»)",
        ),
    ),
    "description": (
        Said(
            "Datasettets beskrivelse har ikke språkmerke | The dataset's description has no language tag",
            "Skildringa av datasettet har ikkje språkmerke",
        ),
        Said(
            "Merk dct:description med språket den er skrevet på (engelsk: språkmerket en) | Tag the "
            "dct:description with the language it is written in (English: language tag en)",
            "Merk dct:description med språket ho er skriven på (engelsk: språkmerket «en»)",
        ),
    ),
}
"""The warning of `NO_ENGLISH` for a text in no language the source says: "has no English
title" was wrong of the real UK Data Service's and IPUMS's English titles (DDI without xml:lang),
and a registry told so would answer that it is English. Field -> (message, hint)."""


def _said(nb: str, en: str, nn: str) -> Said:
    return Said(f"{nb} | {en}", nn)


def _ckan_extra(key: str, nb: str, en: str, nn: str) -> Said:
    """The hint for a field CKAN's mapping reads from an extra (or a scheming field) named `key`."""
    return _said(
        f"Oppgi {nb} i pakkens felt {key} (extras eller ckanext-scheming)",
        f"Give {en} in the package's field {key} (extras or ckanext-scheming)",
        f"Oppgi {nn} i feltet {key} for pakken (extras eller ckanext-scheming)",
    )


LIST_HINTS = {
    "variables.*.title": _said(
        "Fyll ut kolonnen «{column}» i variabellisten for variabelen",
        'Fill in the column "{column}" of the variable list for the variable',
        "Fyll ut kolonnen «{column}» i variabellista for variabelen",
    ),
    "variables.*.description": _said(
        "Fyll ut kolonnen «{column}» i variabellisten med hva variabelen måler",
        'Fill in the column "{column}" of the variable list with what the variable measures',
        "Fyll ut kolonnen «{column}» i variabellista med kva variabelen måler",
    ),
}
"""A variable's label and description as a variable list (`harvesters.varlist`) holds them: a
spreadsheet source's list, or the list a CKAN package has as a resource."""

CKAN_HINTS: dict[str, Said] = {
    "title": _said(
        "Fyll ut pakkens title (ckanext-scheming: title_translated)",
        "Fill in the package's title (ckanext-scheming: title_translated)",
        "Fyll ut title for pakken (ckanext-scheming: title_translated)",
    ),
    "description": _said(
        "Skriv en beskrivelse av datasettet i pakkens notes (ckanext-scheming: notes_translated)",
        "Write a description of the dataset in the package's notes (ckanext-scheming: notes_translated)",
        "Skriv ei skildring av datasettet i notes for pakken (ckanext-scheming: notes_translated)",
    ),
    "title.en": _said(
        "Legg til en engelsk tittel under «en» i pakkens title_translated (ckanext-scheming): title har bare ett språk",
        "Add an English title under en in the package's title_translated (ckanext-scheming): title has one language",
        "Legg til ein engelsk tittel under «en» i title_translated for pakken (ckanext-scheming): title har berre "
        "eitt språk",
    ),
    "description.en": _said(
        "Legg til en engelsk beskrivelse under «en» i pakkens notes_translated (ckanext-scheming): notes har bare "
        "ett språk",
        "Add an English description under en in the package's notes_translated (ckanext-scheming): notes has one "
        "language",
        "Legg til ei engelsk skildring under «en» i notes_translated for pakken (ckanext-scheming): notes har berre "
        "eitt språk",
    ),
    "keywords": _said(
        "Legg til emneord som pakkens tags",
        "Add keywords as the package's tags",
        "Legg til emneord som tags for pakken",
    ),
    "themes": _said(
        "Oppgi temaer fra EUs tema-vokabular som IRI-er i pakkens felt theme (extras eller ckanext-scheming), "
        "eller som en gruppes uri",
        "Give themes of the EU data-theme vocabulary as IRIs in the package's field theme (extras or "
        "ckanext-scheming), or as a group's uri",
        "Oppgi tema frå tema-vokabularet til EU som IRI-ar i feltet theme for pakken (extras eller "
        "ckanext-scheming), eller som uri for ei gruppe",
    ),
    "health_categories": _ckan_extra(
        "health_category",
        "helsekategorier som IRI-er fra HealthDCAT-APs healthcategories",
        "health categories as IRIs of HealthDCAT-AP's healthcategories",
        "helsekategoriar som IRI-ar frå healthcategories i HealthDCAT-AP",
    ),
    "health_themes": _ckan_extra(
        "health_theme", "helsetemaer som IRI-er", "health themes as IRIs", "helsetema som IRI-ar"
    ),
    "access_rights": _ckan_extra(
        "access_rights",
        "tilgangsnivået som IRI fra EUs access-right-vokabular (PUBLIC, RESTRICTED eller NON_PUBLIC)",
        "the access level as an IRI of the EU access-right vocabulary (PUBLIC, RESTRICTED or NON_PUBLIC)",
        "tilgangsnivået som IRI frå access-right-vokabularet til EU (PUBLIC, RESTRICTED eller NON_PUBLIC)",
    ),
    "applicable_legislation": _ckan_extra(
        "applicable_legislation",
        "lovverket (f.eks. http://data.europa.eu/eli/reg/2025/327/oj) som ELI-IRI-er",
        "the legislation (e.g. http://data.europa.eu/eli/reg/2025/327/oj) as ELI IRIs",
        "lovverket (t.d. http://data.europa.eu/eli/reg/2025/327/oj) som ELI-IRI-ar",
    ),
    "legal_basis": _ckan_extra("legal_basis", "rettslig grunnlag", "the legal basis", "rettsleg grunnlag"),
    "purpose": _ckan_extra("purpose", "formålet", "the purpose", "føremålet"),
    "provenance": _ckan_extra(
        "provenance",
        "hvor dataene kommer fra (HDX: dataset_source og methodology)",
        "where the data come from (HDX: dataset_source and methodology)",
        "kvar dataa kjem frå (HDX: dataset_source og methodology)",
    ),
    "population_coverage": _ckan_extra("population_coverage", "populasjonen", "the population", "populasjonen"),
    "temporal": _said(
        "Oppgi perioden i pakkens felt temporal_start og temporal_end, ÅÅÅÅ-MM-DD (HDX: dataset_date)",
        "Give the period in the package's fields temporal_start and temporal_end, YYYY-MM-DD (HDX: dataset_date)",
        "Oppgi perioden i felta temporal_start og temporal_end for pakken, ÅÅÅÅ-MM-DD (HDX: dataset_date)",
    ),
    "spatial": _ckan_extra(
        "spatial_uri",
        "området som IRI-er fra EUs land-vokabular (HDX: grupper med ISO 3166 alpha-3-navn)",
        "the area as IRIs of the EU country vocabulary (HDX: groups named by ISO 3166 alpha-3)",
        "området som IRI-ar frå land-vokabularet til EU (HDX: grupper med ISO 3166 alpha-3-namn)",
    ),
    "frequency": _ckan_extra(
        "frequency",
        "oppdateringsfrekvensen som IRI fra EUs frekvens-vokabular (HDX: data_update_frequency)",
        "the update frequency as an IRI of the EU frequency vocabulary (HDX: data_update_frequency)",
        "oppdateringsfrekvensen som IRI frå frekvens-vokabularet til EU (HDX: data_update_frequency)",
    ),
    "dataset_type": _ckan_extra(
        "dcat_type",
        "datasett-typen som IRI fra EUs dataset-type-vokabular",
        "the dataset type as an IRI of the EU dataset-type vocabulary",
        "datasett-typen som IRI frå dataset-type-vokabularet til EU",
    ),
    "languages": _ckan_extra(
        "language",
        "språkene som IRI-er fra EUs språkvokabular",
        "the languages as IRIs of the EU language vocabulary",
        "språka som IRI-ar frå språkvokabularet til EU",
    ),
    "conforms_to": _ckan_extra(
        "conforms_to", "standardene som IRI-er", "the standards as IRIs", "standardane som IRI-ar"
    ),
    "coding_systems": _ckan_extra(
        "coding_system",
        "kodeverkene (f.eks. ICD-10 eller ATC) som IRI-er",
        "the coding systems (e.g. ICD-10 or ATC) as IRIs",
        "kodeverka (t.d. ICD-10 eller ATC) som IRI-ar",
    ),
    **{
        name: _ckan_extra(name, "antallet som heltall", "the count as a whole number", "talet som heiltal")
        for name in ("number_of_records", "number_of_unique_individuals", "min_typical_age", "max_typical_age")
    },
    "landing_page": _said(
        "Oppgi datasettets nettside som pakkens url",
        "Give the dataset's web page as the package's url",
        "Oppgi nettsida til datasettet som url for pakken",
    ),
    "version": _said("Oppgi pakkens version", "Give the package's version", "Oppgi version for pakken"),
    "contact": _said(
        "Oppgi kontaktpunktet som pakkens maintainer og maintainer_email (ellers author og author_email)",
        "Give the contact point as the package's maintainer and maintainer_email (else author and author_email)",
        "Oppgi kontaktpunktet som maintainer og maintainer_email for pakken (elles author og author_email)",
    ),
    "publisher": _said(
        "Legg pakken i organisasjonen som utgir den (eller oppgi publisher_name, publisher_email, publisher_url "
        "og publisher_uri)",
        "Put the package in the organisation publishing it (or give publisher_name, publisher_email, "
        "publisher_url and publisher_uri)",
        "Legg pakken i organisasjonen som gir han ut (eller oppgi publisher_name, publisher_email, publisher_url "
        "og publisher_uri)",
    ),
    "distributions": _said(
        "Legg til en ressurs med url i pakken",
        "Add a resource with a url to the package",
        "Legg til ein ressurs med url i pakken",
    ),
    "distributions.*.license": _said(
        "Oppgi lisensen som pakkens license_url",
        "Give the licence as the package's license_url",
        "Oppgi lisensen som license_url for pakken",
    ),
    "distributions.*.format": _said(
        "Oppgi ressursens format, f.eks. CSV",
        "Give the resource's format, e.g. CSV",
        "Oppgi formatet til ressursen, t.d. CSV",
    ),
    "distributions.*.description": _said(
        "Beskriv ressursen i dens description",
        "Describe the resource in its description",
        "Skildre ressursen i description for han",
    ),
    **LIST_HINTS,
}
"""What `harvesters.ckan` reads for each field: the package's own fields (title, notes, tags, url,
maintainer, the organisation, resources), ckanext-dcat's extras (or ckanext-scheming's fields) by
the key it reads, and HDX's own fields where it reads them (`hdx_fields`)."""

MICRODATA_HINTS: dict[str, Said] = {
    "title": _said(
        "Gi målevariabelen en label (measureVariable.label) i datastrukturen",
        "Give the measure variable a label (measureVariable.label) in the data structure",
        "Gi målevariabelen ein label (measureVariable.label) i datastrukturen",
    ),
    "description": _said(
        "Beskriv målevariabelen i measureVariable.representedVariables[].description (den nyeste)",
        "Describe the measure variable in measureVariable.representedVariables[].description (the newest)",
        "Skildre målevariabelen i measureVariable.representedVariables[].description (den nyaste)",
    ),
    "variables.*.title": _said(
        "Gi variabelen en label i datastrukturen",
        "Give the variable a label in the data structure",
        "Gi variabelen ein label i datastrukturen",
    ),
    "variables.*.description": _said(
        "Beskriv variabelen i representedVariables[].description (den nyeste)",
        "Describe the variable in representedVariables[].description (the newest)",
        "Skildre variabelen i representedVariables[].description (den nyaste)",
    ),
    "variables.*.unit": _said(
        "Oppgi måleenheten i representedVariables[].valueDomain.unitOfMeasure",
        "Give the unit in representedVariables[].valueDomain.unitOfMeasure",
        "Oppgi måleeininga i representedVariables[].valueDomain.unitOfMeasure",
    ),
    "variables.*.valid_from": _said(
        "Oppgi representedVariables[].validPeriod.start",
        "Give representedVariables[].validPeriod.start",
        "Oppgi representedVariables[].validPeriod.start",
    ),
    "title.en": _said(
        "microdata.no gir measureVariable.label på ett språk (languageCode), som katalogen leser: en engelsk "
        "tittel kan ikke komme fra kilden",
        "microdata.no gives measureVariable.label in one language (languageCode), which the catalogue reads: an "
        "English title cannot come from the source",
        "microdata.no gir measureVariable.label på eitt språk (languageCode), som katalogen les: ein engelsk "
        "tittel kan ikkje kome frå kjelda",
    ),
    "description.en": _said(
        "microdata.no gir measureVariable.representedVariables[].description på ett språk (languageCode), som "
        "katalogen leser: en engelsk beskrivelse kan ikke komme fra kilden",
        "microdata.no gives measureVariable.representedVariables[].description in one language (languageCode), "
        "which the catalogue reads: an English description cannot come from the source",
        "microdata.no gir measureVariable.representedVariables[].description på eitt språk (languageCode), som "
        "katalogen les: ei engelsk skildring kan ikkje kome frå kjelda",
    ),
    "keywords": _said(
        "Oppgi datastrukturens subjectFields",
        "Give the data structure's subjectFields",
        "Oppgi subjectFields for datastrukturen",
    ),
    "population_coverage": _said(
        "Oppgi datastrukturens populationDescription",
        "Give the data structure's populationDescription",
        "Oppgi populationDescription for datastrukturen",
    ),
    "temporal": _said(
        "Oppgi datastrukturens temporalCoverage (start og stop, dager siden 1970-01-01)",
        "Give the data structure's temporalCoverage (start and stop, days since 1970-01-01)",
        "Oppgi temporalCoverage for datastrukturen (start og stop, dagar sidan 1970-01-01)",
    ),
    "access_rights": _said(
        "Oppgi datastrukturens sensitivityLevel (PUBLIC er åpen, alt annet ikke-offentlig)",
        "Give the data structure's sensitivityLevel (PUBLIC is public, anything else non-public)",
        "Oppgi sensitivityLevel for datastrukturen (PUBLIC er open, alt anna ikkje-offentleg)",
    ),
    "provenance": _said(
        "Beskriv dataene i datalagerets description (/data-store)",
        "Describe the data in the data store's description (/data-store)",
        "Skildre dataa i description for datalageret (/data-store)",
    ),
}
"""What `harvesters.microdata` reads for each field of a data structure's JSON (`/all`, `/data-store`)."""

VARDEF_HINTS: dict[str, Said] = {
    "variables.*.title": _said(
        "Gi variabeldefinisjonen et name (på hvert språk: Accept-Language «nb», «nn», «en»)",
        "Give the variable definition a name (in each language: Accept-Language nb, nn, en)",
        "Gi variabeldefinisjonen eit name (på kvart språk: Accept-Language «nb», «nn», «en»)",
    ),
    "variables.*.description": _said(
        "Skriv variabeldefinisjonens definition (på hvert språk: Accept-Language «nb», «nn», «en»)",
        "Write the variable definition's definition (in each language: Accept-Language nb, nn, en)",
        "Skriv definition for variabeldefinisjonen (på kvart språk: Accept-Language «nb», «nn», «en»)",
    ),
    "variables.*.valid_from": _said(
        "Oppgi variabeldefinisjonens valid_from",
        "Give the variable definition's valid_from",
        "Oppgi valid_from for variabeldefinisjonen",
    ),
    "variables.*.property_url": _said(
        "Oppgi variabeldefinisjonens external_reference_uri",
        "Give the variable definition's external_reference_uri",
        "Oppgi external_reference_uri for variabeldefinisjonen",
    ),
    "title.en": _said(
        "Ta med «en» i kildens innstilling {setting}.languages (vardef svarer på engelsk med Accept-Language: en)",
        "Include en in the source's setting {setting}.languages (vardef answers in English to Accept-Language: en)",
        "Ta med «en» i innstillinga {setting}.languages for kjelda (vardef svarar på engelsk med Accept-Language: «en»)",
    ),
    "contact": _said(
        "Oppgi variabeldefinisjonenes contact (title og email)",
        "Give the variable definitions' contact (title and email)",
        "Oppgi contact for variabeldefinisjonane (title og email)",
    ),
}
"""What `harvesters.vardef` reads: each definition's fields, in each language it asks for; a
dataset is a subject field's shelf, its title and description the catalogue's own."""
VARDEF_HINTS["description.en"] = VARDEF_HINTS["title.en"]

NOT_READ = _said(
    "Høsteren for {format} leser ikke dette feltet fra kilden: operatøren oppgir det i catalog.toml, {default}",
    "The {format} harvester reads no such field from the source: the operator states it in catalog.toml, {default}",
    "Haustaren for {format} les ikkje dette feltet frå kjelda: operatøren oppgir det i catalog.toml, {default}",
)
"""The hint of a field a kind's mapping cannot read from its format at all (`READ`): only the
operator's default completes it ({default}: the setting, filled in by `format_hint`)."""
READ: dict[str, set[str]] = {
    "ckan": {*CKAN_HINTS, "issued", "modified", "has_structured_data"},
    "microdata": {*MICRODATA_HINTS, "modified", "has_structured_data"},
    "vardef": {*VARDEF_HINTS, "publisher", "modified", "has_structured_data"},
    # from the source's options (`harvesters.spreadsheet`): a variable list holds variables only
    "spreadsheet": {
        *("title", "description", "publisher", "keywords", "themes", "health_categories", "access_rights"),
        *("landing_page", "has_structured_data"),
    },
}
"""The dataset fields each kind's harvester reads (the others, of `DEFAULT_FIELDS`, get `NOT_READ`):
a registry's variable list was told "Legg til geodcatap:custodian", which its list cannot say."""
FORMAT_NAMES = {"ckan": "CKAN", "microdata": "microdata.no", "vardef": "vardef"}


FORMAT_HINTS: dict[str, dict[str, Said]] = {
    "oai-ddi": {
        "title": Said(
            "Legg til studiens tittel i stdyDscr/citation/titlStmt/titl (DDI-Lifecycle: StudyUnit/Citation/Title) "
            "| Add the study's title in stdyDscr/citation/titlStmt/titl (DDI-Lifecycle: StudyUnit/Citation/Title)",
            "Legg til tittelen på studien i stdyDscr/citation/titlStmt/titl (DDI-Lifecycle: StudyUnit/Citation/Title)",
        ),
        "description": Said(
            "Legg til et sammendrag av studien i stdyDscr/stdyInfo/abstract (DDI-Lifecycle: StudyUnit/Abstract) "
            "| Add an abstract of the study in stdyDscr/stdyInfo/abstract (DDI-Lifecycle: StudyUnit/Abstract)",
            "Legg til eit samandrag av studien i stdyDscr/stdyInfo/abstract (DDI-Lifecycle: StudyUnit/Abstract)",
        ),
        "variables.*.title": Said(
            "Legg til variabelens etikett i var/labl (DDI-Lifecycle: Variable/Label) "
            "| Add the variable's label in var/labl (DDI-Lifecycle: Variable/Label)",
            "Legg til etiketten til variabelen i var/labl (DDI-Lifecycle: Variable/Label)",
        ),
        "variables.*.description": Said(
            "Legg til en var/txt som forklarer hva variabelen måler (DDI-Lifecycle: Variable/Description) "
            "| Add a var/txt explaining what the variable measures (DDI-Lifecycle: Variable/Description)",
            "Legg til ein var/txt som forklarer kva variabelen måler (DDI-Lifecycle: Variable/Description)",
        ),
        "title.en": Said(
            'Legg til en titl på engelsk (xml:lang="en") i stdyDscr/citation/titlStmt | Add a titl in English '
            '(xml:lang="en") to stdyDscr/citation/titlStmt',
            "Legg til ein titl på engelsk (xml:lang «en») i stdyDscr/citation/titlStmt",
        ),
        "description.en": Said(
            'Legg til en abstract på engelsk (xml:lang="en") i stdyDscr/stdyInfo | Add an abstract in English '
            '(xml:lang="en") to stdyDscr/stdyInfo',
            "Legg til ein abstract på engelsk (xml:lang «en») i stdyDscr/stdyInfo",
        ),
        "title.untagged": Said(
            "Merk titl (stdyDscr/citation/titlStmt) med språket den er skrevet på, med xml:lang (engelsk: en), "
            "eller hele codeBook | Tag the titl (stdyDscr/citation/titlStmt) with the language it is written in, "
            "with xml:lang (English: en), or the whole codeBook",
            "Merk titl (stdyDscr/citation/titlStmt) med språket han er skriven på, med xml:lang (engelsk: «en»), "
            "eller heile codeBook",
        ),
        "description.untagged": Said(
            "Merk abstract (stdyDscr/stdyInfo) med språket den er skrevet på, med xml:lang (engelsk: en), "
            "eller hele codeBook | Tag the abstract (stdyDscr/stdyInfo) with the language it is written in, "
            "with xml:lang (English: en), or the whole codeBook",
            "Merk abstract (stdyDscr/stdyInfo) med språket han er skriven på, med xml:lang (engelsk: «en»), "
            "eller heile codeBook",
        ),
    },
    "spreadsheet": {
        "title": Said(
            "Oppgi datasettets tittel i kildens innstilling {setting}.title (variabellisten har ingen) | State the "
            "dataset's title in the source's setting {setting}.title (the variable list has none)",
            "Oppgi tittelen på datasettet i innstillinga {setting}.title for kjelda (variabellista har ingen)",
        ),
        "description": Said(
            "Be registeret om en beskrivelse av datasettet og oppgi den i kildens innstilling "
            "{setting}.description (variabellisten har ingen) | Ask the registry for a description of the dataset "
            "and state it in the source's setting {setting}.description (the variable list has none)",
            "Be registeret om ei skildring av datasettet og oppgi ho i innstillinga {setting}.description for "
            "kjelda (variabellista har inga)",
        ),
        **LIST_HINTS,
    },
    "ckan": CKAN_HINTS,
    "microdata": MICRODATA_HINTS,
    "vardef": VARDEF_HINTS,
}
"""The fix hints of a gap or warning (by field: "description", "variables.*.description",
"title.en"; "title.untagged" for `NO_LANGUAGE_TAG`) named in the format the source harvests, by
its kind: the hints of the shapes and of `NO_ENGLISH` name RDF terms ("Add dct:description"),
which a DDI archive or a registry's variable list does not write. Each names what its harvester
reads (`harvesters.oai_ddi`: a study's stdyInfo/abstract, a variable's labl and txt;
`harvesters.spreadsheet`: the dataset's title and description from the source's options, a
variable's from the list's columns, `harvesters.varlist`; `harvesters.ckan`: a package's fields
and extras; `harvesters.microdata`, `harvesters.vardef`: their JSON's fields). A kind not here
(DCAT, klass) keeps the RDF term. {setting} and {column} are filled in by `format_hint`."""

LIST_COLUMNS = {"title": "Etikett", "description": "Beskrivelse"}
"""The heading of each field a variable list reads without a mapping (`varlist.DEFAULT_HEADINGS`)."""


def hint_key(field: str) -> str:
    """The key of `FORMAT_HINTS` a gap's or finding's field is told by: "variables.AGE.description"
    -> "variables.*.description", "distributions[0].license" -> "distributions.*.license"."""
    field = re.sub(r"^distributions\[\d+\]", "distributions.*", field)
    top, _, what = field.partition(".")
    return f"variables.*.{what.rpartition('.')[2]}" if top == "variables" and "." in what else field


def _default_of(key: str) -> str | None:
    """The operator's default (`options.defaults`) that would supply the dataset field `key`, if any."""
    name = {"temporal": "temporal_start", "distributions": "access_url"}.get(key, key.partition(".")[0])
    return name if name in DEFAULT_FIELDS or name == "access_url" else None


TOLD_AS = {
    "temporal_start": "temporal",
    "temporal_end": "temporal",
    "contact.name": "contact",
    "contact.email": "contact",
    "publisher.name": "publisher",
    "publisher.email": "publisher",
    "publisher.url": "publisher",
}
"""Fields a format's hints tell by the hint of the whole they are part of, where a format has one
(`format_hint`): a CKAN package's temporal extras, its maintainer, its organisation."""


def format_hint(field: str, hint: str, source: SourceConfig | None, kit: bool = False) -> str:
    """The hint of a gap, warning or finding on `field` in the format of `source`'s kind
    (`FORMAT_HINTS`; `NOT_READ` for a field its harvester cannot read at all), else `hint` as it
    is: "Add dct:description" to a DCAT feed, "Add an abstract of the study in
    stdyDscr/stdyInfo/abstract" to a DDI archive, "Write a description of the dataset in the
    package's notes" to a CKAN portal. To a feed the publisher kit wrote (`kit`, `kit_feeds`) the
    DCAT term's hint with the kit's key or heading beside it (`kit_hint`)."""
    if kit:
        return kit_hint(field, hint)
    if source is None or source.kind not in FORMAT_HINTS:
        return hint
    key = hint_key(field)
    hints = FORMAT_HINTS[source.kind]
    said = hints.get(key) or hints.get(TOLD_AS.get(key, ""))
    default = _default_of(key)
    if said is None and default and source.kind in READ and key.partition(".")[0] not in READ[source.kind]:
        said = NOT_READ
    if said is None:
        return hint
    base = key.rpartition(".")[2]
    mapped = [h for h, f in (source.options.get("columns") or {}).items() if str(f).split("_")[0] == base]
    column = str(mapped[0]) if mapped else LIST_COLUMNS.get(base, base)
    return said.text.format(
        setting=f"sources.{source.name}.options",
        column=column,
        format=FORMAT_NAMES.get(source.kind, source.kind),
        default=f"sources.{source.name}.options.defaults.{default}",
    )


def format_texts() -> list[Said]:
    """Every text of `FORMAT_HINTS`, `NOT_READ` and `KIT_PLACES` (some with placeholders:
    `catalog.texts` finds their nynorsk)."""
    told = dict.fromkeys(said for hints in FORMAT_HINTS.values() for said in hints.values())
    return [*told, NOT_READ, *KIT_PLACES.values()]


KIT_PLACES = {
    "key": Said(
        "i utgiverpakken: {key} i metadata.toml | in the publisher kit: {key} in metadata.toml",
        "i utgivarpakken: {key} i metadata.toml",
    ),
    "heading": Said(
        "i utgiverpakken: kolonnen {heading} i variabellisten | in the publisher kit: the column {heading} of the "
        "variable list",
        "i utgivarpakken: kolonnen {heading} i variabellista",
    ),
}
"""Where a registry that publishes with the kit states a field: a `metadata.toml` key, or a heading
of its variable list (`kit_hint`)."""
KIT_HINT = re.compile(
    r"(?P<nb>.*) \((?P<place_nb>i utgiverpakken: [^()|]+)\) \| (?P<en>.*) \((?P<place_en>in the publisher kit: [^()|]+)\)"
)
"""A hint `kit_hint` wrote: the DCAT term's hint, each side followed by its side of the kit's place."""


def kit_place(field: str) -> str | None:
    """Where the publisher kit states the dataset field `field` ("contact.email",
    "variables.AGE.title", "distributions[0].license", "title.en"), in "bokmål | English": the
    `metadata.toml` key, or the template's heading for a variable's field, as the kit's own
    report names them (`catalog.publish.metadata_key`, `variable_heading`); None where neither
    states it."""
    from catalog.publish import metadata_key, variable_heading

    top, _, rest = field.partition(".")
    if top == "variables":
        heading = variable_heading(rest.rpartition(".")[2]) if "." in rest else None
        return KIT_PLACES["heading"].text.format(heading=heading) if heading else None
    key = metadata_key(field)
    return KIT_PLACES["key"].text.format(key=key) if key else None


def kit_hint(field: str, hint: str) -> str:
    """`hint` (a shape's, naming the DCAT term the access body reads: "Add dcat:contactPoint") with
    where the kit states `field` beside each language's side: a registry publishing with the kit
    edits metadata.toml and its list, never the feed's terms, and had to translate them back."""
    place = kit_place(field)
    if place is None:
        return hint
    place_nb, place_en = place.split(" | ", 1)
    if not hint:
        return place
    nb, en = hint.split(" | ", 1) if " | " in hint else (hint, hint)
    return f"{nb} ({place_nb}) | {en} ({place_en})"


def kit_feeds(store: StoreReader, settings: Settings) -> frozenset[str]:
    """The sources whose feed the publisher kit wrote, as their last full harvest found it
    (`harvesters.dcat.KIT_STATE`): their hints name the kit's keys beside the DCAT terms."""
    return frozenset(name for name, source in settings.sources.items() if kit_feed(store, source))


def kit_feed(store: StoreReader, source: SourceConfig | None) -> bool:
    """Whether the publisher kit wrote `source`'s feed, as its last full harvest found it (`kit_feeds`)."""
    from harvesters.dcat import KIT_STATE

    return source is not None and source.kind == "dcat" and bool(store.state(source.name).get(KIT_STATE))


@dataclass(frozen=True)
class Gap:
    """One thing that keeps a dataset out of the EHDS feed."""

    field: str  # "publisher.email", "description", "variables.AGE.description"
    fixer: str  # OPERATOR or PUBLISHER
    message: str  # "Norsk | English"
    hint: str = ""  # how to fix it, "Norsk | English"
    setting: str | None = None  # the operator setting that would supply it


@dataclass(frozen=True)
class GapGroup:
    """Gaps shown together: one field of the dataset, or one field missing from several variables."""

    field: str  # "publisher.email", or "variables.*.description" for a field of variables
    fixer: str
    message: str
    hint: str
    setting: str | None
    variables: tuple[str, ...] = ()  # the names of the variables it concerns


@dataclass
class DatasetReadiness:
    uri: str
    key: str
    identifier: str
    title: str
    source: str
    publisher: str  # display name of the published view's publisher ("" when none)
    publisher_key: str
    in_feed: bool
    stale: bool
    gaps: list[Gap] = field(default_factory=list)
    completed: list[Completed] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    """The title in each language it has, for a page in the reader's (`title` is the bokmål one, for the fix list)."""
    publisher_names: dict[str, str] = field(default_factory=dict)
    """The publisher's name in each language it has."""
    warnings: list[Gap] = field(default_factory=list)
    """What does not keep it out of the feed but the access body should ask of its publisher
    (`language_warnings`), whether or not the feed carries it."""
    publisher_type: str = ""
    """The IRI of the published view's publisher's type ("" when it has none, or there is no publisher)."""
    publisher_type_setting: str = ""
    """Where the operator states that type, when the publisher has none (`type_setting`); else ""."""
    publisher_registered: bool = False
    """Whether the organisation register has an entry for the publisher."""
    kit: bool = False
    """Whether the publisher kit wrote its source's feed (`kit_feeds`): its hints name the kit's keys."""

    def by(self, fixer: str) -> list[Gap]:
        return [g for g in self.gaps if g.fixer == fixer]

    def grouped(self, fixer: str) -> list[GapGroup]:
        """The gaps for `fixer`, a variable field missing from many variables as one group. The
        names are collected before each group is made: a group made again for every variable copied
        its names each time, 3.2 s for a dataset of 20,000 variables without a description and
        minutes for one of 100,000 (its page, its source's and the EHDS fix lists)."""
        groups: dict[str, tuple[Gap, list[str]]] = {}
        for g in self.by(fixer):
            if g.field.startswith("variables.") and g.field.count(".") >= 2:
                name, _, what = g.field.removeprefix("variables.").rpartition(".")
                key = f"variables.*.{what}"
                names = groups[key][1] if key in groups else []
                names.append(name)
                groups[key] = (g, names)  # the last gap's message, hint and setting, as before
            else:
                groups[g.field] = (g, [])
        return [
            GapGroup(key, g.fixer, g.message, g.hint, g.setting, tuple(names)) for key, (g, names) in groups.items()
        ]

    @property
    def operator_can_complete(self) -> bool:
        """Left out only for what operator settings would supply."""
        return not self.in_feed and bool(self.gaps) and not self.by(PUBLISHER)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("gaps")
        out["completed"] = [asdict(c) for c in self.completed]
        out["missing"] = {fixer: [asdict(g) for g in self.by(fixer)] for fixer in (OPERATOR, PUBLISHER)}
        return out


@dataclass
class Tally:
    """How many datasets reach the EHDS feed, and why the others do not."""

    datasets: int = 0
    in_feed: int = 0
    operator_can_complete: int = 0  # left out only for what operator settings would supply
    publisher_must_fix: int = 0  # left out (also) for what only the publisher can supply
    operator_too: int = 0
    """Of `publisher_must_fix`, those that lack operator settings as well: the publisher's fix alone
    does not bring them into the feed. "0 the operator's settings would complete, 13 need their
    publisher" told the demo's operator there was nothing to do, where each of the 13 also lacked
    two of its source's defaults (the access body's drill, 2026-12-07)."""
    stale: int = 0
    without_english: int = 0  # with no English title or description (a warning: `NO_ENGLISH`)
    without_publisher_type: int = 0  # whose publisher has no publisher type (a warning: `NO_PUBLISHER_TYPE`)

    def add(self, d: DatasetReadiness) -> None:
        self.datasets += 1
        self.in_feed += d.in_feed
        self.operator_can_complete += d.operator_can_complete
        self.publisher_must_fix += bool(d.by(PUBLISHER)) and not d.in_feed
        self.operator_too += bool(d.by(PUBLISHER)) and bool(d.by(OPERATOR)) and not d.in_feed
        self.stale += d.stale
        self.without_english += bool(d.warnings)
        self.without_publisher_type += bool(d.publisher_type_setting)

    @property
    def left_out(self) -> int:
        return self.datasets - self.in_feed

    @property
    def percent(self) -> float:
        return 100.0 * self.in_feed / self.datasets if self.datasets else 100.0


@dataclass(frozen=True)
class Problem:
    """One rule a code list breaks, and how often (every code without a label is a finding)."""

    message: str  # "Norsk | English"
    hint: str
    count: int


@dataclass
class CodeListReadiness:
    """A code list the datasets in the EHDS feed use: whether the feed carries it, and if not, why.

    The feed carries a code list that a dataset it carries uses, when the code list conforms
    (`HealthDcatAp.checked_kinds`, `referenced_kinds`); one that does not, or that the catalogue
    does not hold, leaves a variable's `hk:codeList` pointing at nothing the feed exchanges."""

    uri: str
    key: str  # "" when the catalogue does not hold it
    identifier: str
    title: str
    source: str
    held: bool
    in_feed: bool
    used_by: list[str] = field(default_factory=list)  # the URIs of the datasets in the feed using it
    problems: list[Problem] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("in_feed")
        return out


@dataclass
class CodeListTally:
    """How many of the code lists the feed's datasets use it carries."""

    used: int = 0
    in_feed: int = 0
    not_held: int = 0  # named by a variable, but not in the catalogue


def _problems(findings: Iterable[dict[str, Any]]) -> list[Problem]:
    """The violations as rules, with how many findings each (the most frequent first)."""
    counted: dict[tuple[str, str], int] = {}
    for f in findings:
        if f.get("severity") == "Violation":
            key = (f.get("message") or "", f.get("hint") or "")
            counted[key] = counted.get(key, 0) + 1
    return [Problem(m, h, n) for (m, h), n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))]


def codelist_readiness(store: StoreReader, uri: str, used_by: list[str]) -> CodeListReadiness:
    """One code list datasets in the feed use; its record is read only when the feed leaves it out
    (a conforming one is counted: ICD-10's record is megabytes)."""
    stored = store.get(uri)
    if stored is None or stored.deleted_at or stored.kind != "codelist":
        return CodeListReadiness(uri, "", "", "", "", held=False, in_feed=False, used_by=used_by)
    if stored.conforms:
        return CodeListReadiness(uri, stored.key, "", "", stored.source, held=True, in_feed=True, used_by=used_by)
    record = stored.codelist()
    return CodeListReadiness(
        uri,
        stored.key,
        record.identifier,
        text(record.title),
        stored.source,
        held=True,
        in_feed=False,
        used_by=used_by,
        problems=_problems((stored.validation or {}).get("findings") or []),
        titles=dict(record.title),
    )


@dataclass
class UntypedPublisher:
    """A publisher without a publisher type, the datasets it publishes and where its type is set."""

    key: str
    name: str
    setting: str  # the operator setting that states it: an entry of the organisation register
    message: str  # "Norsk | English"
    hint: str
    registered: bool  # whether the register has an entry for it (else the setting is a new entry)
    names: dict[str, str] = field(default_factory=dict)
    datasets: list[str] = field(default_factory=list)  # the identifiers of its datasets
    sources: list[str] = field(default_factory=list)


@dataclass
class Coverage:
    """The readiness of every dataset in scope, tallied per source and per publisher, and of the
    code lists the datasets in the feed use."""

    datasets: list[DatasetReadiness] = field(default_factory=list)
    codelists: list[CodeListReadiness] = field(default_factory=list)

    @property
    def codelist_total(self) -> CodeListTally:
        return CodeListTally(
            used=len(self.codelists),
            in_feed=sum(c.in_feed for c in self.codelists),
            not_held=sum(not c.held for c in self.codelists),
        )

    @property
    def total(self) -> Tally:
        tally = Tally()
        for d in self.datasets:
            tally.add(d)
        return tally

    def by_source(self) -> dict[str, Tally]:
        out: dict[str, Tally] = {}
        for d in self.datasets:
            out.setdefault(d.source, Tally()).add(d)
        return dict(sorted(out.items()))

    def by_publisher(self) -> dict[str, tuple[str, Tally]]:
        """publisher key -> (name, tally), the publishers with most datasets left out first."""
        out: dict[str, tuple[str, Tally]] = {}
        for d in self.datasets:
            out.setdefault(d.publisher_key, (d.publisher, Tally()))[1].add(d)
        return dict(sorted(out.items(), key=lambda kv: (-kv[1][1].left_out, kv[1][0].casefold())))

    def left_out(self) -> list[DatasetReadiness]:
        return [d for d in self.datasets if not d.in_feed]

    def warned(self) -> list[DatasetReadiness]:
        return [d for d in self.datasets if d.warnings]

    def untyped_publishers(self) -> list[UntypedPublisher]:
        """The publishers without a publisher type, the most datasets first."""
        out: dict[str, UntypedPublisher] = {}
        for d in self.datasets:
            if not d.publisher_type_setting:
                continue
            found = out.get(d.publisher_key)
            if found is None:
                found = out[d.publisher_key] = UntypedPublisher(
                    d.publisher_key,
                    d.publisher,
                    d.publisher_type_setting,
                    NO_PUBLISHER_TYPE.text,
                    (SET_TYPE_IN_REGISTER if d.publisher_registered else NOT_REGISTERED).text,
                    d.publisher_registered,
                    names=dict(d.publisher_names),
                )
            found.datasets.append(d.identifier)
            if d.source not in found.sources:
                found.sources.append(d.source)
        return sorted(out.values(), key=lambda p: (-len(p.datasets), p.name.casefold()))

    def to_dict(self) -> dict[str, Any]:
        def tally(t: Tally) -> dict[str, Any]:
            return {**asdict(t), "left_out": t.left_out}

        return {
            "total": tally(self.total),
            "sources": {name: tally(t) for name, t in self.by_source().items()},
            "publishers": {key: {"name": name, **tally(t)} for key, (name, t) in self.by_publisher().items()},
            "left_out": [d.to_dict() for d in self.left_out()],
            "warnings": [
                {
                    "dataset": d.uri,
                    "identifier": d.identifier,
                    "source": d.source,
                    "publisher_key": d.publisher_key,
                    "in_feed": d.in_feed,
                    "warnings": [asdict(w) for w in d.warnings],
                }
                for d in self.warned()
            ],
            "publishers_without_type": [asdict(p) for p in self.untyped_publishers()],
            "codelists": {
                **asdict(self.codelist_total),
                "left_out": [c.to_dict() for c in self.codelists if not c.in_feed],
            },
        }


# --- one dataset ----------------------------------------------------------------------------------


def publisher_identity(agent: Agent | None) -> tuple[str, str]:
    """(key, display name) of a publisher: the same organisation gives the same key in every source."""
    if agent is None:
        return "", ""
    name = text(agent.name) or agent.uri or agent.identifier or ""
    number = org_number(agent)
    ident = f"orgnr:{number}" if number else agent.uri or folded(text(agent.name))
    return key_for(ident or "?"), name


def node_fields(d: Dataset) -> dict[str, str]:
    """Each node the dataset's statements hang from -> the model field it stands for (as catalog.rdf names them)."""
    s = URIRef(d.uri)
    nodes: dict[str, str] = {}
    for role, predicate in AGENT_ROLES.items():
        agent = getattr(d, role)
        if agent is None:
            continue
        node = URIRef(agent.uri) if agent.uri else stable_bnode(s, predicate)
        nodes.setdefault(str(node), role)
        point = URIRef(f"{agent.uri}#contactPoint") if agent.uri else stable_bnode(node, CV.contactPoint)
        nodes.setdefault(str(point), f"{role}.contact_point")
    if d.contact is not None:
        nodes.setdefault(str(URIRef(d.contact.uri) if d.contact.uri else stable_bnode(s, DCAT.contactPoint)), "contact")
    nodes[str(stable_bnode(s, DCT.temporal))] = "temporal"
    for predicate, name in (
        (DPV.hasLegalBasis, "legal_basis"),
        (DPV.hasPurpose, "purpose"),
        (DCT.provenance, "provenance"),
    ):
        nodes[str(stable_bnode(s, predicate))] = name
    for i, dist in enumerate(d.distributions):
        nodes.setdefault(dist.uri, f"distributions[{i}]")
    nodes[f"{d.uri}#variables"] = "variables"
    for v in d.variables:
        nodes.setdefault(v.uri, f"variables.{v.name}")
        nodes.setdefault(f"{d.uri}#table" + (f"-{v.table}" if v.table else ""), "variables")
    nodes[d.uri] = ""
    return nodes


def field_of(finding: dict[str, Any], nodes: dict[str, str]) -> str:
    """The model field a validation finding is about: "publisher.email", "variables.AGE.description"."""
    part = nodes.get(finding.get("focus") or "", None)
    path = URIRef(finding["path"]) if finding.get("path") else None
    if part is None:
        return "?"
    if part == "":
        if path is None:
            return "has_structured_data"  # the only dataset-level rule without a path: structured -> variables
        return DATASET_FIELDS.get(path) or AGENT_PATHS.get(str(path), str(path))
    if part.endswith(".contact_point") or (part == "contact" and path is None):
        return part.removesuffix(".contact_point") + ".email"  # "neither e-mail nor web page"
    if part == "temporal" and path is not None:
        return "temporal_" + PART_FIELDS.get(path, str(path))
    if path is None:
        return part
    return f"{part}.{PART_FIELDS.get(path, str(path))}"


def _empty(view: Dataset, name: str) -> bool:
    top, _, sub = name.partition(".")
    value = getattr(view, top, None)
    if sub and value is not None:
        value = getattr(value, sub, None)
    return value in (None, "", [], {})


def operator_setting(name: str, view: Dataset, source: str) -> str | None:
    """The operator setting that would supply the empty field `name` of the published view, if any."""
    top, _, sub = name.partition(".")
    defaults = f"sources.{source}.options.defaults"
    if top in ("publisher", "custodian"):
        if sub not in ("", "name", "email", "url"):
            return None
        agent: Agent | None = getattr(view, top)
        key = sub or "name"
        if agent is None:
            return f"{defaults}.{top}"
        if agent.uri:
            return f'organisations."{agent.uri}".{key}'
        number = org_number(agent)
        if number:
            return f'organisations."<IRI>" with org_number = "{number}" and {key}'
        if text(agent.name):
            return f'organisations."<IRI>" with name = "{text(agent.name)}" and {key} (or {defaults}.{top}.{key})'
        return f"{defaults}.{top}.{key}"
    if top == "contact":
        return f"{defaults}.contact" + (f".{sub}" if sub in ("name", "email", "url") else "")
    if top == "hdab":
        return "settings hdab_name and hdab_email"
    if top == "distributions" and not view.distributions:
        return f"{defaults}.access_url"
    if top == "has_structured_data" and not view.variables:
        # with variables the catalogue says true itself; without, true is a violation of its own
        # ("says it has structured data but describes no variables"): the value, not only the name
        return f"{defaults}.has_structured_data = false"
    if top in DEFAULT_FIELDS and not sub:
        return f"{defaults}.{top}"
    return None


def _agent_gaps(role: str, view: Dataset) -> list[tuple[str, str]]:
    """(field, message) of what an agent lacks for HealthDCAT-AP: its name, its e-mail or web page."""
    agent: Agent | None = getattr(view, role, None)
    nb, _nn, en = ROLE_NAMES.get(role, (role, role, role))
    if agent is None:
        return [(role, MISSING_AGENT.text.format(nb=nb, en=en))]
    out = []
    if not any(n.strip() for n in agent.name.values()):
        out.append((f"{role}.name", MISSING_NAME.text.format(nb=nb, en=en)))
    if not agent.email and not agent.url:
        out.append((f"{role}.email", MISSING_CONTACT.text.format(nb=nb, en=en)))
    return out


def agent_texts() -> dict[str, str]:
    """Every message `_agent_gaps` writes -> its nynorsk."""
    return {
        said.text.format(nb=nb, en=en): said.nn.format(nn=nn)
        for said in (MISSING_AGENT, MISSING_NAME, MISSING_CONTACT)
        for nb, nn, en in ROLE_NAMES.values()
    }


def _missing(view: Dataset, name: str) -> bool:
    """Whether the field is empty in the published view (".email" stands for "e-mail or web page")."""
    if name.endswith(".email"):
        return _empty(view, name) and _empty(view, name.removesuffix(".email") + ".url")
    return _empty(view, name)


def gaps(
    view: Dataset, findings: Iterable[dict[str, Any]], source: str, supplied: Mapping[str, str] | None = None
) -> list[Gap]:
    """The violations of a published view as fields, each with who can supply it: the operator, when
    the field is empty and a setting would fill it, or when the operator's setting supplied the
    value that violates (`supplied`: field the view took from the operator's settings -> that
    setting; named as `operator_setting` names it, else as it is), else the publisher."""
    by_operator = dict(supplied or {})
    nodes = node_fields(view)
    found: dict[str, Gap] = {}
    for f in findings:
        if f.get("severity") != "Violation":
            continue
        name = field_of(f, nodes)
        details = [(name, f.get("message") or "")]
        if name in AGENT_ROLES and f.get("component") == "NodeConstraintComponent":
            details = _agent_gaps(name, view) or details  # "the publisher must have a name and a contact point": which?
        if name in REFUSED_TYPES and f.get("value"):
            details = [(name, REFUSED_TYPES[name].text.format(value=f["value"]))]
        for detail, message in details:
            if detail not in found:
                own = _missing(view, detail) or detail in by_operator
                setting = (operator_setting(detail, view, source) if own else None) or by_operator.get(detail)
                found[detail] = Gap(detail, OPERATOR if setting else PUBLISHER, message, f.get("hint") or "", setting)
    return sorted(found.values(), key=lambda g: (g.fixer, not g.field.startswith("variables"), g.field))


def findings_in_format(
    findings: Iterable[dict[str, Any]], view: Dataset, source: SourceConfig | None, kit: bool = False
) -> list[dict[str, Any]]:
    """Validation findings of `view` (the published view they were found on) with their fix hints
    in the format of `source`'s kind, as its gaps are told (`format_hint`, by the field each is
    about, `field_of`): a findings table told a CKAN registry "Add dct:description" while its
    readiness said "notes". The stored findings keep the shapes' hints (the API gives those)."""
    if not kit and (source is None or source.kind not in FORMAT_HINTS):
        return list(findings)
    nodes = node_fields(view)
    return [{**f, "hint": format_hint(field_of(f, nodes), f.get("hint") or "", source, kit)} for f in findings]


class RuleHints:
    """The fix hint of each rule a source's datasets break, keyed as `validation.stored_by_rule`
    counts the source's findings, in the format of the source's kind (`findings_in_format`): the
    source page's table of its most frequent findings gave no hint where each dataset page told the
    registry which of its own fields to fill. A rule's findings share their hint (`format_hint` by
    the kind of field, not the variable), so the first finding of each gives it, and a dataset's
    fields are looked up only when it breaks a rule not seen before."""

    def __init__(self, source: SourceConfig | None, kit: bool = False):
        self.source = source
        self.kit = kit
        self.hints: dict[tuple[str, str, str], str] = {}

    def gather(self, records: Iterable[StoredRecord]) -> Iterator[StoredRecord]:
        """Passes the records through, noting the hints of the rules their findings break."""
        for stored in records:
            found = (stored.validation or {}).get("findings", [])
            new = [f for f in found if rule_of(f) not in self.hints]
            if new and stored.kind == "dataset":
                told = findings_in_format(new, stored.dataset(), self.source, self.kit)
                for f in told:
                    self.hints.setdefault(rule_of(f), f.get("hint") or "")
            yield stored


def source_readiness(
    store: StoreReader, settings: Settings, source: str
) -> tuple[Coverage, dict[tuple[str, str, str], str]]:
    """A source's `coverage` and its rules' hints (`RuleHints`) from one read of its datasets:
    `catalog report` gives each rule's hint beside its count, as the source page and
    `/api/sources/<name>` do, and its readiness; it read the datasets once for each."""
    kits = kit_feeds(store, settings)
    found, told = Assessed(settings, kits), RuleHints(settings.sources.get(source), source in kits)
    for _ in told.gather(found.gather(store.records(source, kind="dataset"))):
        pass
    return found.coverage(store), told.hints


def language_warnings(view: Dataset, source: SourceConfig | None = None, kit: bool = False) -> list[Gap]:
    """A title or description the (published) dataset states, but not in English: the publisher's
    to add (the operator may not write a registry's texts), told in its source's format
    (`format_hint`). One it lacks altogether is a gap."""
    out = []
    for name, (message, hint) in NO_ENGLISH.items():
        said: dict[str, str] = getattr(view, name)
        stated = {lang for lang, v in said.items() if v.strip()}
        if stated and not any(lang.lower().split("-")[0] == "en" for lang in stated):
            how = f"{name}.en"
            if stated == {""}:  # in no language the source says: perhaps English, not known to be
                message, hint = NO_LANGUAGE_TAG[name]
                how = f"{name}.untagged"
            out.append(Gap(f"{name}.en", PUBLISHER, message.text, format_hint(how, hint.text, source, kit)))
    return out


def language_texts() -> dict[str, str]:
    """Every text `language_warnings` writes -> its nynorsk."""
    return dict(said for table in (NO_ENGLISH, NO_LANGUAGE_TAG) for pair in table.values() for said in pair)


NO_PUBLISHER_TYPE = Said(
    "Utgiveren har ingen utgivertype (dct:type) | The publisher has no publisher type (dct:type)",
    "Utgivaren har ingen utgivartype (dct:type)",
)
SET_TYPE_IN_REGISTER = Said(
    "Oppgi type i organisasjonens oppføring i organisasjonsregisteret (catalog.toml), som kode eller navn, "
    'f.eks. type = "public-health-registry" | State type in the organisation\'s entry of the organisation '
    'register (catalog.toml), as a code or a name, e.g. type = "public-health-registry"',
    "Oppgi type i oppføringa til organisasjonen i organisasjonsregisteret (catalog.toml), som kode eller namn, "
    't.d. type = "public-health-registry"',
)
NOT_REGISTERED = Said(
    "Operatørens oppgave, ikke i utgiverens retteliste: organisasjonen er ikke i organisasjonsregisteret, og "
    "katalogen gir den ingen type. Legg den inn i catalog.toml med type (innstillingen som er oppgitt), f.eks. "
    'type = "public-health-registry". Vil utgiveren heller oppgi typen selv, er feltet dct:type på utgiveren '
    "i dens feed (i utgiverpakken: publisher = { type = ... } i metadata.toml) | The operator's to do, not in "
    "the publisher's fix list: the organisation is not in the organisation register, and the catalogue gives "
    'it no type. Add it in catalog.toml with type (the setting given), e.g. type = "public-health-registry". '
    "Should the publisher state its type itself instead, the field is dct:type of the publisher in its feed "
    "(in the publisher kit: publisher = { type = ... } in metadata.toml)",
    "Operatøren si oppgåve, ikkje i rettelista til utgivaren: organisasjonen er ikkje i organisasjonsregisteret, "
    "og katalogen gir han ingen type. Legg han inn i catalog.toml med type (innstillinga som er oppgitt), t.d. "
    'type = "public-health-registry". Vil utgivaren heller oppgi typen sjølv, er feltet dct:type på utgivaren '
    "i feeden hans (i utgivarpakken: publisher = { type = ... } i metadata.toml)",
)
"""A warning, not a gap: HealthDCAT-AP Release 8 describes a dataset's publisher by a type of its own
publisher-type list (public-health-registry, non-gov-org), and its shapes refuse another list's
there, but none asks for one, so a dataset whose publisher has none conforms and reaches the feed.
Most sources state none; the organisation register's `type` supplies it (`catalog.published`), and
the catalogue invents none: an organisation the register does not hold keeps what its source
states (a source's default publisher has no type), so the hint for it says so and names the entry
to add. It is the operator's to do, and no publisher's fix list asks it: the hint said "or ask the
publisher to state dct:type", which read as the publisher's job; it now says whose it is, and
names the publisher's field only for a publisher that would rather state its type itself. Message
and hints of `UntypedPublisher`."""


REFUSED_TYPES = {
    "publisher.type": Said(
        "Utgivertypen {value} er ikke fra HealthDCAT-APs utgivertypeliste, og Release 8 avviser den for et datasetts "
        "utgiver | The publisher type {value} is not of HealthDCAT-AP's publisher-type list, and Release 8 refuses "
        "it for a dataset's publisher",
        "Utgivartypen {value} er ikkje frå utgivartypelista til HealthDCAT-AP, og Release 8 avviser han for "
        "utgivaren av eit datasett",
    )
}
"""A gap's message for a type outside the list Release 8 asks for, naming the value (the shapes'
message cannot): ADMS's NationalAuthority, which DCAT-AP 3 asks of an agent and our hint once
suggested, is refused for a dataset's publisher (mdr-vocabularies.shape.ttl,
HealthPublisherAgent_ShapeCV). Neither Release 8's files nor our notes map ADMS's types to
HealthDCAT-AP's, so the hint (the shapes') names the list and the two types its files show, not an
equivalent of the value."""


def value_texts() -> list[Said]:
    """The texts `gaps` writes with the value found ({value}: `catalog.texts` finds their nynorsk)."""
    return list(REFUSED_TYPES.values())


def publisher_texts() -> dict[str, str]:
    """Every text `untyped_publishers` writes -> its nynorsk."""
    return dict((NO_PUBLISHER_TYPE, SET_TYPE_IN_REGISTER, NOT_REGISTERED))


def type_setting(agent: Agent, settings: Settings) -> tuple[str, bool]:
    """Where the operator states the publisher type of `agent` (one without), and whether the
    organisation register holds it: its entry's `type`, else the entry to add (at the agent's IRI,
    or one found by its organisation number or name, as `operator_setting` names one)."""
    entry = registered(agent, settings)
    if entry is not None:
        return f"{entry.setting}.type", True
    return _new_entry(agent), False


def _new_entry(agent: Agent) -> str:
    if agent.uri:
        return f'organisations."{agent.uri}" with type'
    number = org_number(agent)
    if number:
        return f'organisations."<IRI>" with org_number = "{number}" and type'
    return f'organisations."<IRI>" with name = "{text(agent.name)}" and type'


def assess(stored: StoredRecord, settings: Settings, kit: bool = False) -> DatasetReadiness:
    """One stored dataset: does it reach the EHDS feed, what keeps it out, who supplied what;
    `kit`: the publisher kit wrote its source's feed (`kit_feeds`), and the hints name its keys."""
    source = settings.sources.get(stored.source)
    ehds = profiles.ehds()
    view = ehds.published(stored.record, settings, source)
    record = view.record
    assert isinstance(record, Dataset)
    kept = stored.validation or {}
    key, name = publisher_identity(record.publisher)
    publisher = record.publisher
    setting, known = type_setting(publisher, settings) if publisher and not publisher.type else ("", False)
    return DatasetReadiness(
        uri=stored.uri,
        key=stored.key,
        identifier=record.identifier,
        title=text(record.title) or record.identifier,
        source=stored.source,
        publisher=name,
        publisher_key=key,
        in_feed=bool(stored.conforms),
        stale=kept.get("view") != (ehds.view_digest(settings, stored.source) or ""),
        gaps=[]
        if stored.conforms
        else [
            replace(g, hint=format_hint(g.field, g.hint, source, kit)) if g.fixer == PUBLISHER else g
            for g in gaps(
                record,
                kept.get("findings") or [],
                stored.source,
                {c.field: c.setting for c in view.completed if c.by == "operator"},
            )
        ],
        completed=view.completed,
        titles=dict(record.title),
        publisher_names=dict(record.publisher.name) if record.publisher else {},
        warnings=language_warnings(record, source, kit),
        publisher_type=(publisher.type or "") if publisher else "",
        publisher_type_setting=setting,
        publisher_registered=known,
        kit=kit,
    )


class Assessed:
    """`coverage` of the datasets passed through (`gather`), for a reader that reads them for more
    than their readiness: the source page and `catalog report` read a source's datasets for their
    rules' hints (`RuleHints`) and quality too, and read them a second time for `coverage`, where a
    registry's dataset of 100,000 variables (a record of 17 MB) takes seconds a read."""

    def __init__(self, settings: Settings, kits: Iterable[str] = ()):
        self.settings = settings
        self.kits = frozenset(kits)  # the sources the publisher kit wrote the feed of (`kit_feeds`)
        self.datasets: list[DatasetReadiness] = []
        self.used: dict[str, list[str]] = {}  # code list -> the datasets in the feed that use it

    def add(self, stored: StoredRecord) -> None:
        """One stored dataset assessed; a record of another kind has no readiness and is passed over."""
        if stored.kind != "dataset":
            return
        self.datasets.append(assess(stored, self.settings, stored.source in self.kits))
        if stored.conforms:
            for uri in dict.fromkeys(v.codelist for v in stored.dataset().variables if v.codelist):
                self.used.setdefault(uri, []).append(stored.uri)

    def gather(self, records: Iterable[StoredRecord]) -> Iterator[StoredRecord]:
        """Passes the records through, assessing each dataset."""
        for stored in records:
            self.add(stored)
            yield stored

    def coverage(self, store: StoreReader) -> Coverage:
        """The readiness of the datasets gathered, and of the code lists those in the feed use, read
        from `store` (of any source: a registry's variables may use Statistics Norway's lists)."""
        return Coverage(
            list(self.datasets), [codelist_readiness(store, uri, users) for uri, users in sorted(self.used.items())]
        )


def coverage(store: StoreReader, settings: Settings, source: str | None = None) -> Coverage:
    """The readiness of every live dataset (of `source`, else all), and of the code lists those
    in the feed use (of any source: a registry's variables may use Statistics Norway's lists)."""
    found = Assessed(settings, kit_feeds(store, settings))
    for stored in store.records(source, kind="dataset"):
        found.add(stored)
    return found.coverage(store)


# --- a publisher's fix list -------------------------------------------------------------------------

FIX_LIST_COLUMNS = ("dataset", "title", "uri", "field", "problem", "how_to_fix", "keeps_out_of_feed")
"""`keeps_out_of_feed` is "yes" for what keeps the dataset out of the EHDS feed until mended, "no"
for what `/ehds/` asks of the publisher though the feed carries the dataset (a column added last,
so a reader of the earlier six by position reads them as before)."""


def fix_list(found: Coverage, publisher_key: str) -> list[dict[str, str]]:
    """Everything `/ehds/` and `catalog ehds-coverage` ask of the publisher, one row per dataset
    and field, in the same terms (field, message, hint), for the registry: what keeps a dataset
    out of the feed, then what is asked of it though it is in (its English title or description,
    `language_warnings`). The list gave only the first: the page asked MS-registeret for four
    English titles and descriptions its fix list never named. Datasets left out come first."""
    rows = []
    mine = sorted((d for d in found.datasets if d.publisher_key == publisher_key), key=lambda d: d.in_feed)
    for d in mine:
        asked = [(g, "yes") for g in d.by(PUBLISHER)] + [(w, "no") for w in d.warnings]
        for g, keeps_out in asked:
            rows.append(
                {
                    "dataset": d.identifier,
                    "title": d.title,
                    "uri": d.uri,
                    "field": g.field,
                    "problem": g.message,
                    "how_to_fix": g.hint,
                    "keeps_out_of_feed": keeps_out,
                }
            )
    return rows


def fix_list_csv(rows: Iterable[dict[str, str]]) -> str:
    """The rows as CSV with a header; cells a spreadsheet would run as formulas are kept as text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIX_LIST_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _as_text(v) for k, v in row.items()})
    return out.getvalue()


def _as_text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def publishers(found: Coverage) -> Iterator[tuple[str, str, Tally]]:
    """(key, name, tally) of each publisher, the most datasets left out first."""
    for key, (name, tally) in found.by_publisher().items():
        yield key, name, tally
