"""The publisher kit: a spreadsheet and a metadata file become a feed our harvester reads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from catalog.cli import main
from catalog.config import DEFAULT_FIELDS, SourceConfig
from catalog.minimum import ELEMENTS
from catalog.model import Dataset, key_for
from catalog.pipeline import harvest
from catalog.publish import COLUMNS, KIT_KEYS, MINIMUM_KEYS, publish
from tests.conftest import shared_path

METADATA = """
base_url = "{base}"
title = {{ nb = "Norsk pasientregister", en = "Norwegian Patient Registry" }}
description = {{ nb = "Opphold og konsultasjoner i spesialisthelsetjenesten." }}
keywords = ["sykehus", "opphold"]
health_categories = ["PHDR"]
applicable_legislation = ["http://data.europa.eu/eli/reg/2025/327/oj"]
legal_basis = "Forskrift om Norsk pasientregister."
provenance = "Meldinger fra helseforetakene."
dataset_type = "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"
access_url = "https://helsedata.no/soknad"
publisher = {{ name = "Helsedirektoratet", uri = "https://www.helsedirektoratet.no", orgnr = "983544622", email = "npr@helsedir.no" }}
contact = {{ name = "NPR", email = "npr@helsedir.no" }}
hdab = {{ name = "Helsedataservice", uri = "https://helsedata.no/hdab", email = "hds@helsedata.no" }}

[datasets.somatikk]
title = {{ nb = "NPR somatikk" }}
"""

CSV = """Variabelnavn;Variabeletikett;Beskrivelse;Datatype;Enhet;Kodeverk;Gyldig fra;Gyldig til
ALDER;Alder;Pasientens alder ved innleggelse.;heltall;år;;2008-01-01;
KJONN;Kjønn;Pasientens kjønn.;kode;;"1=Mann; 2=Kvinne";2008-01-01;
HDIAG;Hoveddiagnose;Hovedtilstand ved oppholdet.;tekst;;ICD-10;2008-01-01;
"""


def xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.fixture
def registry(tmp_path, server):
    folder = tmp_path / "npr"
    folder.mkdir()
    (folder / "somatikk.csv").write_text(CSV, encoding="utf-8")
    xlsx(
        folder / "psykiatri.xlsx", [list(COLUMNS)[:4], ["INNDATO", "Innskrivingsdato", "Dato for innskriving.", "dato"]]
    )
    (folder / "metadata.toml").write_text(METADATA.format(base=server.url + "/npr/"), encoding="utf-8")
    return folder


def host(server, out: Path) -> str:
    for path in out.iterdir():
        media = {"ttl": "text/turtle", "jsonld": "application/ld+json"}.get(path.suffix[1:], "text/plain")
        server.serve(f"/npr/{path.name}", path.read_bytes(), Content_Type=media)
    return server.url + "/npr/catalog.ttl"


@pytest.mark.parametrize("page_size", [50, 1])
def test_a_published_folder_is_harvested_with_every_variable_and_code_list(
    settings, store, server, registry, tmp_path, page_size
):
    result = publish(registry, tmp_path / "out", page_size=page_size)
    assert result.conforms, result.report
    settings.sources["npr"] = SourceConfig(name="npr", kind="dcat", url=host(server, tmp_path / "out"))
    [run] = harvest(settings, store, None, ["npr"])
    assert run.ok and run.counts["new"] == 3 and run.counts["errors"] == 0
    somatikk = store.get(server.url + "/npr/dataset/somatikk").record
    assert somatikk.title == {"nb": "NPR somatikk"} and somatikk.publisher.identifier == "983544622"
    assert [(v.name, v.datatype, v.unit, v.coding_system) for v in somatikk.variables] == [
        ("ALDER", "integer", "år", None),
        ("KJONN", "string", None, None),
        ("HDIAG", "string", None, "ICD-10"),
    ]
    codes = store.get(somatikk.variables[1].codelist).record
    assert [(c.code, c.label) for c in codes.concepts] == [("1", {"nb": "Mann"}), ("2", {"nb": "Kvinne"})]
    assert store.get(server.url + "/npr/dataset/psykiatri").record.variables[0].datatype == "date"


def test_a_large_feed_is_split_into_pages_linked_by_hydra(registry, tmp_path, server):
    result = publish(registry, tmp_path / "out", page_size=1)
    names = sorted(p.name for p in result.files)
    assert names == [
        "catalog-2.jsonld",
        "catalog-2.ttl",
        "catalog-3.jsonld",
        "catalog-3.ttl",
        "catalog.jsonld",
        "catalog.ttl",
    ]
    assert f"<{server.url}/npr/catalog-2.ttl>" in (tmp_path / "out/catalog.ttl").read_text()


def test_the_report_names_file_row_and_column_of_what_to_fix(registry, tmp_path):
    (registry / "somatikk.csv").write_text(
        "Variabelnavn;Variabeletikett;Datatype;Gyldig fra\n;Uten navn;tekst;\nA;A;heltal;2008\nA;Igjen;tekst;\n"
        "B;B;tekst;første mai\n",
        encoding="utf-8",
    )
    result = publish(registry, tmp_path / "out")
    assert [str(p) for p in result.problems] == [  # in bokmål and English, as the report says its texts
        "somatikk.csv row 2, Variabelnavn: raden har ikke noe variabelnavn, så den ble hoppet over | "
        "the row has no variable name, so it was skipped",
        "somatikk.csv row 3 (A), Datatype: datatypen 'heltal' er ikke en vi kjenner; bruk en av integer, decimal, "
        "string, date, dateTime, gYear, boolean (eller heltall, desimaltall, tekst, dato, år, ja/nei) | "
        "the data type 'heltal' is not one we know; use one of integer, decimal, "
        "string, date, dateTime, gYear, boolean (or heltall, desimaltall, tekst, dato, år, ja/nei)",
        "somatikk.csv row 4 (A), Variabelnavn: variabelen A er allerede oppført i row 3; denne raden ble hoppet "
        "over | the variable A was already listed in row 3; this row was skipped",
        "somatikk.csv row 5 (B), Gyldig fra: 'første mai' er ikke en dato; skriv den som 2024-01-31 eller "
        "31.01.2024 | 'første mai' is not a date; write it as 2024-01-31 or 31.01.2024",
    ]
    assert not result.conforms and not result.published and "row 3 (A), Datatype" in result.report


DATAHOTEL = "shortname,name,content\naar,År,\nyrkeskode,Yrkeskode,Yrkeskode (4-siffer) i STYRK\n"
"""A list with headings of its own, as the Datahotel's variable lists are (`shortname,name,content`)."""


def test_a_list_with_headings_of_its_own_is_published_with_the_columns_the_metadata_maps(registry, tmp_path):
    for p in [*registry.glob("*.csv"), *registry.glob("*.xlsx")]:
        p.unlink()
    (registry / "yrke.csv").write_text(DATAHOTEL, encoding="utf-8")
    unmapped = publish(registry, tmp_path / "out")
    [problem] = [str(p) for p in unmapped.problems]
    assert problem.startswith("yrke.csv: fant ingen overskriftsrad") and not unmapped.conforms
    nb, _, en = problem.partition(" | ")
    assert en.startswith("no header row found") and "options.columns" not in problem
    assert (
        'oppgi listens egne overskrifter i metadata.toml, f.eks. columns = { shortname = "name", name = "title" } '
        "(eller under [datasets.yrke])" in nb
    )
    assert (
        'map your own headings in metadata.toml, e.g. columns = { shortname = "name", name = "title" } '
        "(or under [datasets.yrke])" in en
    )
    meta = registry / "metadata.toml"
    meta.write_text(
        'columns = { shortname = "name", name = "title", content = "description" }\n' + meta.read_text(),
        encoding="utf-8",
    )
    [dataset] = publish(registry, tmp_path / "out").records
    assert isinstance(dataset, Dataset)
    assert [(v.name, v.title, v.description) for v in dataset.variables] == [
        ("aar", {"nb": "År"}, {}),
        ("yrkeskode", {"nb": "Yrkeskode"}, {"nb": "Yrkeskode (4-siffer) i STYRK"}),
    ]


def test_the_datahotels_real_list_is_published_with_its_columns_mapped(registry, tmp_path):
    real = shared_path("real-world/spreadsheet/nav-arbeidssokere-yrke-fields.csv")
    for p in [*registry.glob("*.csv"), *registry.glob("*.xlsx")]:
        p.unlink()
    (registry / real.name).write_bytes(real.read_bytes())
    meta = registry / "metadata.toml"
    mapping = 'columns = { shortname = "name", name = "title", content = "description" }'
    meta.write_text(meta.read_text() + f"\n[datasets.{real.stem}]\n{mapping}\n", encoding="utf-8")
    result = publish(registry, tmp_path / "out")
    [dataset] = result.records
    assert isinstance(dataset, Dataset)
    assert [v.name for v in dataset.variables][:3] == ["aar", "yrke_grovgruppe", "yrke_fingruppe"]
    assert len(dataset.variables) == 8 and result.problems == []
    # all read; what is left to fix is the list's own: its "aar" has no description (HealthDCAT-AP requires one)
    assert "Brudd | Violations: 1 " in result.report and "Variabelen mangler beskrivelse" in result.report


def test_missing_metadata_shows_as_violations_and_exit_status_1(registry, tmp_path, capsys):
    meta = registry / "metadata.toml"
    meta.write_text(meta.read_text().replace('health_categories = ["PHDR"]\n', ""), encoding="utf-8")
    assert main(["publish", str(registry), "--out", str(tmp_path / "out")]) == 1
    assert "healthCategory" in capsys.readouterr().out


def test_the_template_has_the_norwegian_headings_and_examples_that_publish(tmp_path, registry):
    template = tmp_path / "mal.xlsx"
    assert main(["publish", "--template", str(template)]) == 0
    sheet = load_workbook(template, read_only=True)["Variabler"]
    headings, example = list(sheet.iter_rows(max_row=2, values_only=True))
    assert list(headings) == list(COLUMNS) and example[0] == "VEKT"
    for p in registry.glob("*.csv"):
        p.unlink()
    (registry / "psykiatri.xlsx").unlink()
    template.rename(registry / "mal.xlsx")
    assert publish(registry, tmp_path / "out").conforms


def test_the_templates_guide_explains_each_heading_in_bokmal_nynorsk_and_english(tmp_path):
    """The "Veiledning" sheet said what each heading holds in English alone, under the Norwegian
    heading "Hva den skal inneholde", to a registry working in Norwegian."""
    template = tmp_path / "mal.xlsx"
    assert main(["publish", "--template", str(template)]) == 0
    rows = list(load_workbook(template, read_only=True)["Veiledning"].iter_rows(values_only=True))
    assert rows[0] == ("Kolonne", "Hva den skal inneholde", "Kva han skal innehalde", "What it holds")
    assert [row[0] for row in rows[1:]] == list(COLUMNS)
    assert all(row[1] and row[2] and row[3] and len({row[1], row[2], row[3]}) == 3 for row in rows[1:])
    by_heading = {row[0]: row for row in rows[1:]}
    assert by_heading["Variabelnavn"][1:] == (
        "variabelens kortnavn slik det står i dataene (påkrevd)",
        "kortnamnet til variabelen slik det står i dataa (påkravd)",
        "the variable's short name as in the data (required)",
    )


def test_no_metadata_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "liste.csv").write_text(CSV, encoding="utf-8")
    assert main(["publish", str(tmp_path / "liste.csv"), "--out", str(tmp_path / "out")]) == 2
    assert "metadata file missing" in capsys.readouterr().err


def test_the_template_comes_with_an_example_metadata_file_that_publishes_a_conforming_feed(tmp_path, capsys):
    """A registry following the error "metadata file missing" had nowhere to learn the file's keys
    (`--help` names none); the template now brings an example beside it, never over one."""
    folder = tmp_path / "registry"
    folder.mkdir()
    assert main(["publish", "--template", str(folder / "mal.xlsx")]) == 0
    assert f"wrote an example {folder / 'metadata.toml'}" in capsys.readouterr().out
    assert publish(folder, tmp_path / "out").conforms
    (folder / "metadata.toml").write_text("# mine\n", encoding="utf-8")
    assert main(["publish", "--template", str(folder / "mal.xlsx")]) == 0
    assert f"kept {folder / 'metadata.toml'} as it is (no example written over it" in capsys.readouterr().out
    assert (folder / "metadata.toml").read_text(encoding="utf-8") == "# mine\n"


def test_the_missing_metadata_error_says_where_an_example_comes_from(tmp_path, capsys):
    (tmp_path / "liste.csv").write_text(CSV, encoding="utf-8")
    assert main(["publish", str(tmp_path / "liste.csv"), "--out", str(tmp_path / "out")]) == 2
    assert "`catalog publish --template liste.xlsx` writes an example metadata.toml" in capsys.readouterr().err


def with_metadata(registry: Path, old: str, new: str) -> Path:
    meta = registry / "metadata.toml"
    text = meta.read_text(encoding="utf-8")
    assert old in text
    meta.write_text(text.replace(old, new, 1), encoding="utf-8")
    return meta


def somatikk(result) -> Dataset:
    return next(r for r in result.records if isinstance(r, Dataset) and r.identifier == "somatikk")


def test_every_field_an_operator_may_complete_can_be_said_in_the_metadata_and_reaches_the_feed(registry, tmp_path):
    """The kit's report asked for a place, a coding system, counts, a frequency, and the kit read
    none of them; a code of an EU list is its IRI, as for an operator's defaults."""
    with_metadata(
        registry,
        'dataset_type = "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"',
        'dataset_type = "STATISTICAL"\nspatial = ["NOR"]\nfrequency = "ANNUAL"\nnumber_of_records = 1200\n'
        'coding_systems = ["https://www.ehelse.no/kodeverk/icd-10"]\nhealth_categories = "PHDR"\n'
        "temporal_start = 2008-01-01\n",
    ).write_text(
        (registry / "metadata.toml").read_text(encoding="utf-8").replace('health_categories = ["PHDR"]\n', ""),
        encoding="utf-8",
    )
    result = publish(registry, tmp_path / "out")
    d = somatikk(result)
    assert d.dataset_type == "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"
    assert d.spatial == ["http://publications.europa.eu/resource/authority/country/NOR"]
    assert d.frequency == "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    assert d.number_of_records == 1200 and d.temporal_start == "2008-01-01"
    assert d.health_categories == ["https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/PHDR"]
    turtle = (tmp_path / "out" / "catalog.ttl").read_text(encoding="utf-8")
    assert "country/NOR" in turtle and "frequency/ANNUAL" in turtle and "icd-10" in turtle


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("title = {", "titel = {", "titel (line 3): ukjent nøkkel; mente du title? | unknown key; did you mean title?"),
        (
            'keywords = ["sykehus", "opphold"]',
            'keywords = "sykehus, opphold"',
            "keywords (line 5): 'sykehus, opphold' er verken en liste av emneord eller en tabell av språk -> "
            "emneord | 'sykehus, opphold' is neither",
        ),
        (
            'legal_basis = "Forskrift om Norsk pasientregister."',
            "legal_basis = 12",
            "legal_basis (line 8): 12 er verken en tekst eller en tabell av språk -> tekst | 12 is neither a text",
        ),
        ('email = "npr@helsedir.no" }', 'epost = "npr@helsedir.no" }', "publisher: må være en tabell av name, uri"),
        ('dataset_type = "http', 'dataset_type = "not a code http', "dataset_type (line 10): 'not a code http"),
        (
            'keywords = ["sykehus", "opphold"]',
            'keywords = ["sykehus", "opphold"]\ncode_values = "I21, I22"',
            'code_values (line 6): \'I21, I22\' er ikke en liste av tekster, f.eks. ["I21", "I22"] | '
            '\'I21, I22\' is not a list of texts, e.g. ["I21", "I22"]',
        ),
        (  # taken as an IRI of the EU list, and the report said "the dataset has no access level"
            'keywords = ["sykehus", "opphold"]',
            'keywords = ["sykehus", "opphold"]\naccess_rights = "OPEN"',
            "access_rights (line 6): 'OPEN' er ikke et tilgangsnivå: skriv ett av PUBLIC (Offentlig), "
            "RESTRICTED (Begrenset), NON_PUBLIC (Ikke-offentlig) | 'OPEN' is not an access level: write one of "
            "PUBLIC (Offentlig), RESTRICTED (Begrenset), NON_PUBLIC (Ikke-offentlig)",
        ),
        (  # published, with a traceback from rdflib in the report
            'keywords = ["sykehus", "opphold"]',
            'keywords = ["sykehus", "opphold"]\ntemporal_start = "2012-13-01"',
            "temporal_start (line 6): '2012-13-01' er ikke en dato (ÅÅÅÅ, ÅÅÅÅ-MM, ÅÅÅÅ-MM-DD eller et tidspunkt) | "
            "'2012-13-01' is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a date-time)",
        ),
        (  # a code or IRI of an EU list the feed must label, which the list does not hold: published
            # as .../dataset-type/Statistikk, "the code has no label" (exit 1)
            'dataset_type = "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"',
            'dataset_type = "Statistikk"',
            "dataset_type (line 10): 'Statistikk' er ikke en kode i http://publications.europa.eu/resource/authority/"
            "dataset-type/: skriv en av CODE_LIST, GEOSPATIAL, HVD, STATISTICAL, SYNTHETIC_DATA, TEST_DATA |",
        ),
        (
            'health_categories = ["PHDR"]',
            'health_categories = ["https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/PHD"]',
            "health_categories[0] (line 6): 'https://hdeu-dcat.data.health.europa.eu/resource/authority/"
            "healthcategories/PHD' er ikke en kode i https://hdeu-dcat.data.health.europa.eu/resource/authority/"
            "healthcategories/: skriv en av DIOH, EHCT,",
        ),
        (  # a list's line in its [datasets.<file>] table, not the same key's at the top (line 6)
            "[datasets.somatikk]\n",
            '[datasets.somatikk]\nhealth_categories = ["PHDR", "not a code"]\n',
            "datasets.somatikk.health_categories[1] (line 17): 'not a code' er verken en http(s)-IRI eller en kode",
        ),
    ],
)
def test_a_key_the_kit_does_not_know_or_a_value_of_the_wrong_kind_is_an_error_naming_it(
    registry, tmp_path, capsys, old, new, said
):
    """Unknown keys were dropped without a word, and a text where a list is asked was split into
    its letters (keywords " ", ",", "b", ...; categories .../D, .../H, ...)."""
    with_metadata(registry, old, new)
    assert main(["publish", str(registry), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "metadata.toml: " in err and said in err


def test_a_code_of_the_eu_lists_the_feed_labels_may_be_written_in_any_case(registry, tmp_path):
    with_metadata(
        registry,
        'health_categories = ["PHDR"]',
        'health_categories = ["phdr"]\nthemes = "heal"\ndataset_type = "statistical"',
    )
    with_metadata(
        registry, 'dataset_type = "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"\n', ""
    )
    result = publish(registry, tmp_path / "out")
    d = somatikk(result)
    assert d.health_categories == ["https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/PHDR"]
    assert d.themes == ["http://publications.europa.eu/resource/authority/data-theme/HEAL"]
    assert d.dataset_type == "http://publications.europa.eu/resource/authority/dataset-type/STATISTICAL"
    assert result.conforms


@pytest.mark.parametrize(
    ("said", "level"),
    [
        ("RESTRICTED", "RESTRICTED"),
        ("restricted", "RESTRICTED"),
        ("Begrenset", "RESTRICTED"),
        ("non-public", "NON_PUBLIC"),
        ("Ikke-offentlig", "NON_PUBLIC"),
    ],
)
def test_an_access_level_may_be_written_as_its_code_in_any_case_or_as_the_catalogue_names_it(
    registry, tmp_path, said, level
):
    with_metadata(
        registry, 'keywords = ["sykehus", "opphold"]', f'keywords = ["sykehus", "opphold"]\naccess_rights = "{said}"'
    )
    result = publish(registry, tmp_path / "out")
    assert {d.access_rights for d in result.records if isinstance(d, Dataset)} == {
        f"http://publications.europa.eu/resource/authority/access-right/{level}"
    }
    assert result.conforms


def test_metadata_saved_with_a_byte_order_mark_is_read_and_in_another_encoding_is_an_error(registry, tmp_path, capsys):
    meta = registry / "metadata.toml"
    text = meta.read_text(encoding="utf-8")
    meta.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert publish(registry, tmp_path / "out").conforms
    meta.write_bytes(text.replace("Opphold og", "Døgnopphold og").encode("cp1252"))
    assert main(["publish", str(registry), "--out", str(tmp_path / "out2")]) == 2
    assert "metadata.toml: er ikke UTF-8 (byte 0xf8 ved" in capsys.readouterr().err


def test_the_template_goes_into_a_new_folder_and_its_example_base_url_is_pointed_out(tmp_path, capsys):
    """ "No such file or directory" for a folder not made yet; and a feed published with the
    example's base_url links its pages to registry.example.no, which the harvest then refused."""
    folder = tmp_path / "new" / "registry"
    assert main(["publish", "--template", str(folder / "mal.xlsx")]) == 0
    capsys.readouterr()
    assert main(["publish", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert "Note: base_url is still the example's (https://registry.example.no/dcat/)" in capsys.readouterr().out


def feed_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.mark.parametrize(
    ("good", "bad", "said"),
    [
        ("Variabelnavn;", "Varibelnavn;", "somatikk.csv: fant ingen overskriftsrad: "),
        (
            "ALDER;Alder;",
            ";Alder;",
            "somatikk.csv row 2, Variabelnavn: raden har ikke noe variabelnavn, så den ble hoppet over | "
            "the row has no variable name, so it was skipped",
        ),
        (
            "HDIAG;Hoveddiagnose;",
            "ALDER;Hoveddiagnose;",
            "somatikk.csv row 4 (ALDER), Variabelnavn: variabelen ALDER er allerede oppført i row 2; denne raden "
            "ble hoppet over | the variable ALDER was already listed in row 2; this row was skipped",
        ),
        (
            "år;;2008-01-01",
            "år;;første januar",
            "somatikk.csv row 2 (ALDER), Gyldig fra: 'første januar' er ikke en dato",
        ),
    ],
)
def test_a_list_not_read_in_full_publishes_nothing_and_the_last_good_feed_stays_served(
    registry, tmp_path, capsys, good, bad, said
):
    """A misspelt heading published the dataset without variables ("wrote 2 files", "Conforms")
    over the good feed, and the catalogue's next harvest deleted every variable with "0 errors";
    an empty name cell or a repeated variable dropped its row from the feed the same way."""
    out = tmp_path / "site"
    assert main(["publish", str(registry), "--out", str(out)]) == 0
    served = feed_files(out)
    capsys.readouterr()
    lists = registry / "somatikk.csv"
    lists.write_text(lists.read_text(encoding="utf-8").replace(good, bad, 1), encoding="utf-8")

    assert main(["publish", str(registry), "--out", str(out)]) == 2

    assert feed_files(out) == served and [p.name for p in out.iterdir() if p.is_dir()] == []
    printed = capsys.readouterr()
    assert printed.out.startswith("IKKE PUBLISERT | NOT PUBLISHED: 1 error(s) in the lists; nothing was written to")
    assert said in printed.out and "Oppfyller profilen | Conforms" not in printed.out and "wrote" not in printed.out
    assert (
        f"error: ingenting publisert: 1 feil i somatikk.csv (listet over); {out} ble stående som den var | "
        f"nothing published: 1 error(s) in somatikk.csv (listed above); {out} was left as it was"
    ) in printed.err


def test_partial_publishes_what_was_read_and_names_what_it_left_out_but_never_a_list_it_could_not_read(
    registry, tmp_path, capsys
):
    lists = registry / "somatikk.csv"
    lists.write_text(lists.read_text(encoding="utf-8").replace("ALDER;Alder;", ";Alder;"), encoding="utf-8")
    out = tmp_path / "site"
    assert main(["publish", str(registry), "--out", str(out), "--partial"]) == 1
    result = capsys.readouterr().out
    assert (
        "somatikk.csv row 2, Variabelnavn: raden har ikke noe variabelnavn, så den ble hoppet over (publisert uten "
        "det: --partial) | the row has no variable name, so it was skipped (published without it: --partial)"
    ) in result
    turtle = (out / "catalog.ttl").read_text(encoding="utf-8")
    assert "/dataset/somatikk/variabel/KJONN>" in turtle and "/variabel/ALDER>" not in turtle

    lists.write_text("Varibelnavn;Beskrivelse\nALDER;Alder\n", encoding="utf-8")
    assert main(["publish", str(registry), "--out", str(out), "--partial"]) == 2
    assert "/dataset/somatikk/variabel/KJONN>" in (out / "catalog.ttl").read_text(encoding="utf-8")


def test_a_new_feed_replaces_the_old_whole_and_leaves_the_rest_of_the_served_folder_alone(registry, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<h1>Registeret</h1>", encoding="utf-8")
    publish(registry, out, page_size=1)
    assert {p.name for p in out.iterdir()} >= {"catalog-3.ttl", "catalog-3.jsonld", "index.html"}
    result = publish(registry, out, page_size=2)
    assert sorted(p.name for p in result.files) == [
        "catalog-2.jsonld",
        "catalog-2.ttl",
        "catalog.jsonld",
        "catalog.ttl",
    ]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("catalog")) == sorted(p.name for p in result.files)
    assert (out / "index.html").read_text(encoding="utf-8") == "<h1>Registeret</h1>"
    assert [p for p in out.iterdir() if p.is_dir()] == []


def test_a_kit_killed_while_writing_leaves_the_feed_served_before(registry, tmp_path):
    """Pages were written in place, one by one: a kit stopped half way served half a new feed."""
    rows = "".join(f'V{i};Variabel {i};Nummer {i}.;kode;;"1=Ja; 2=Nei";2008-01-01;\n' for i in range(1500))
    (registry / "somatikk.csv").write_text(CSV + rows, encoding="utf-8")
    out = tmp_path / "site"
    publish(registry, out, page_size=5)
    served = feed_files(out)
    with_metadata(registry, "NPR somatikk", "NPR somatikk, ny tittel")
    started = time.time()
    kit = subprocess.Popen(
        [sys.executable, "-m", "catalog.cli", "publish", str(registry), "--out", str(out), "--page-size", "5"]
    )
    try:
        while kit.poll() is None and not any(p.stat().st_mtime > started for p in out.rglob("*.ttl")):
            time.sleep(0.01)
        assert kit.poll() is None, "the kit ended before a kill could land while it wrote"
        os.kill(kit.pid, signal.SIGKILL)
    finally:
        kit.wait()
    assert feed_files(out) == served
    assert publish(registry, out, page_size=5).published
    assert "ny tittel" in (out / "catalog.ttl").read_text(encoding="utf-8")
    assert [p for p in out.iterdir() if p.is_dir()] == []


def test_a_publisher_type_may_be_named_by_its_code_of_the_eu_list(registry, tmp_path, capsys):
    """The report's own fix hint said "e.g. NationalAuthority"; written so, it stopped the kit
    with a traceback from the serialiser ("No scheme found in an absolute IRI"). It is stated, and
    the report says that Release 8 refuses ADMS's type for a dataset's publisher, which it did not."""
    with_metadata(
        registry,
        'publisher = { name = "Helsedirektoratet",',
        'publisher = { type = "NationalAuthority", name = "Helsedirektoratet",',
    )
    with_metadata(registry, "hdab = { name", 'hdab = { type = "nationalauthority", name')
    assert main(["publish", str(registry), "--out", str(tmp_path / "out")]) == 1
    turtle = (tmp_path / "out" / "catalog.ttl").read_text(encoding="utf-8")
    assert turtle.count("<http://purl.org/adms/publishertype/NationalAuthority>") >= 2
    said = capsys.readouterr().out
    assert "Release 8 refuses it for a dataset's publisher" in said
    assert "https://hdeu-dcat.data.health.europa.eu/resource/authority/publisher-type" in said


ADMS = "http://purl.org/adms/publishertype/"
HEALTH_PUBLISHER_TYPE = "https://hdeu-dcat.data.health.europa.eu/resource/authority/publisher-type/"


@pytest.mark.parametrize(
    ("written", "iri"),
    [
        ("Nasjonal myndighet", ADMS + "NationalAuthority"),
        ("nasjonal styresmakt", ADMS + "NationalAuthority"),
        ("National Authority", ADMS + "NationalAuthority"),
        (" Privatperson(ar) ", ADMS + "PrivateIndividual(s)"),
        ("public-health-registry", HEALTH_PUBLISHER_TYPE + "public-health-registry"),
        ("Offentleg helseregister", HEALTH_PUBLISHER_TYPE + "public-health-registry"),
        ("NON-GOV-ORG", HEALTH_PUBLISHER_TYPE + "non-gov-org"),
        # a label both lists give names HealthDCAT-AP's concept, which its shapes ask of a publisher
        ("Ikke-statlig organisasjon", HEALTH_PUBLISHER_TYPE + "non-gov-org"),
        ("NonGovernmentalOrganisation", ADMS + "NonGovernmentalOrganisation"),
    ],
)
def test_a_publisher_type_may_be_named_by_the_code_or_label_of_either_eu_list_in_any_case(
    registry, tmp_path, written, iri
):
    """Only an ADMS code or an IRI was taken: "Nasjonal myndighet", as the catalogue's pages name
    it, or HealthDCAT-AP Release 8's own "public-health-registry" stopped the kit."""
    with_metadata(
        registry,
        'publisher = { name = "Helsedirektoratet",',
        f'publisher = {{ type = "{written}", name = "Helsedirektoratet",',
    )
    result = publish(registry, tmp_path / "out")
    assert result.published
    assert {d.publisher.type for d in result.records if isinstance(d, Dataset) and d.publisher} == {iri}
    assert f"<{iri}>" in (tmp_path / "out" / "catalog.ttl").read_text(encoding="utf-8")


def test_a_misspelt_publisher_type_in_a_datasets_table_names_the_table_its_line_and_the_closest_names(
    registry, tmp_path, capsys
):
    with_metadata(
        registry,
        'title = { nb = "NPR somatikk" }',
        'title = { nb = "NPR somatikk" }\npublisher = { name = "NPR", type = "Nasjonal myndiget" }',
    )
    assert main(["publish", str(registry), "--out", str(tmp_path / "out")]) == 2
    assert (
        "metadata.toml: datasets.somatikk.publisher.type (line 18): 'Nasjonal myndiget' er ikke en utgivertype: "
        "skriv koden eller navnet (nb, nn eller en) på en i HealthDCAT-APs eller ADMS' EU-liste over utgivertyper, "
        "eller dens http(s)-IRI; de nærmeste: 'Nasjonal myndighet', 'Overnasjonal myndighet', 'Lokal myndighet' | "
        "'Nasjonal myndiget' is not a publisher type: "
        "write the code or the name (nb, nn or en) of one in HealthDCAT-AP's or ADMS's EU publisher-type list, "
        "or its http(s) IRI; the closest: 'Nasjonal myndighet', 'Overnasjonal myndighet', 'Lokal myndighet'"
    ) in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            'contact = { name = "NPR", email = "npr@helsedir.no" }',
            'contact = { name = "NPR", url = "www.stolav.no/hjerteinfarkt" }',
            "metadata.toml: contact.url (line 13): 'www.stolav.no/hjerteinfarkt' mangler skjema; skriv den i sin "
            'helhet, f.eks. "https://www.stolav.no/hjerteinfarkt" | '
            "'www.stolav.no/hjerteinfarkt' has no scheme; write it in full, e.g. "
            '"https://www.stolav.no/hjerteinfarkt"',
        ),
        (
            'publisher = { name = "Helsedirektoratet",',
            'publisher = { type = "Statlig", name = "Helsedirektoratet",',
            "metadata.toml: publisher.type (line 12): 'Statlig' er ikke en utgivertype: skriv koden eller navnet "
            "(nb, nn eller en) på en i HealthDCAT-APs eller ADMS' EU-liste over utgivertyper, eller dens "
            "http(s)-IRI; kodene: non-gov-org, public-health-registry, Academia-ScientificOrganisation, Company,",
        ),
        (
            'uri = "https://helsedata.no/hdab"',
            'uri = "https://helsedata.no/hdab og mer"',
            "metadata.toml: hdab.uri (line 14): 'https://helsedata.no/hdab og mer' er ikke en http(s)-IRI | "
            "'https://helsedata.no/hdab og mer' is not an http(s) IRI",
        ),
        (
            'contact = { name = "NPR", email = "npr@helsedir.no" }',
            'contact = { name = "NPR", email = "npr på helsedir.no" }',
            "metadata.toml: contact.email (line 13): 'npr på helsedir.no' er ikke en e-postadresse | "
            "'npr på helsedir.no' is not an e-mail address",
        ),
        (
            'contact = { name = "NPR",',
            "contact = { name = 7,",
            "metadata.toml: contact.name (line 13): 7 er verken en tekst eller en tabell av språk -> tekst | "
            "7 is neither a text",
        ),
        (  # a boolean in an agent's table was the one value given no line
            'orgnr = "983544622"',
            "orgnr = true",
            "metadata.toml: publisher.orgnr (line 12): True er ikke et organisasjonsnummer | "
            "True is not an organisation number",
        ),
        (
            'contact = { name = "NPR", email = "npr@helsedir.no" }',
            'contact = { name = "NPR", email = false }',
            "metadata.toml: contact.email (line 13): False er ikke en e-postadresse | False is not an e-mail address",
        ),
        (
            'base_url = "http',
            'base_url = "https://npr example.no/ http',
            "metadata.toml: base_url må si hvor strømmen skal ligge, f.eks. base_url = "
            '"https://registry.example.no/dcat/" | base_url must say where the feed will be hosted',
        ),
    ],
)
def test_an_agent_value_that_cannot_be_stated_is_an_error_naming_its_key_never_a_traceback(
    registry, tmp_path, capsys, old, new, said
):
    with_metadata(registry, old, new)
    assert main(["publish", str(registry), "--out", str(tmp_path / "out")]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_code_list_address_that_is_not_a_web_address_is_a_row_to_fix_never_a_traceback(registry, tmp_path):
    (registry / "somatikk.csv").write_text(
        "Variabelnavn;Beskrivelse;Kodeverk\nKJONN;Kjønn.;https://example.no/kodeverk{kjønn}\n", encoding="utf-8"
    )
    result = publish(registry, tmp_path / "out")
    assert [str(p) for p in result.errors] == [
        "somatikk.csv row 2 (KJONN), Kodeverk: 'https://example.no/kodeverk{kjønn}' er ikke en nettadresse: den "
        'inneholder et mellomrom eller et av <>"{}|^` | '
        "'https://example.no/kodeverk{kjønn}' is not a web address: it holds a space or one of <>\"{}|^`"
    ]


EHDS_MINIMUM = """
custodian = { name = "Helse Sør-Øst RHF", uri = "https://data.brreg.no/enhetsregisteret/api/enheter/991324968", email = "post@helse-sorost.no" }
spatial = ["NOR"]
coding_systems = ["https://www.ehelse.no/kodeverk/icd-10"]
code_values = ["I21", "I22"]
number_of_records = 1200000
number_of_unique_individuals = 400000
conforms_to = ["https://www.ehelse.no/standardisering"]
has_personal_data = ["https://w3id.org/dpv/dpv-pd#HealthRecord"]
generated_by = ["https://hdeu-dcat.data.health.europa.eu/resource/authority/health-activity/ROUTINE_RECORDS"]
health_themes = ["http://www.wikidata.org/entity/Q12152"]
temporal_start = 2008-01-01

[datasets.somatikk]"""
"""What the fixture's metadata lacks of the EHDS minimum, each element by its kit key."""


def test_every_element_of_the_ehds_minimum_has_a_key_in_the_metadata():
    assert sorted(MINIMUM_KEYS) == sorted(e.curie for e in ELEMENTS)
    known = KIT_KEYS | set(DEFAULT_FIELDS)
    assert [key for key in MINIMUM_KEYS.values() if key and key not in known] == []


def test_the_kit_reports_the_ehds_minimum_as_ehds_check_finds_it_after_the_harvest_and_can_reach_it(
    registry, tmp_path, server, capsys
):
    """`code_values` was an unknown key, so ehds-check always said "lacks hasCodeValues", and the
    kit's report named none of conformsTo, hasPersonalData, wasGeneratedBy, hasCodeValues."""
    home, out = str(tmp_path / "home"), tmp_path / "out"

    def ehds_check() -> dict[str, list[str]]:
        assert main(["--home", home, "harvest"]) == 0
        capsys.readouterr()
        assert main(["--home", home, "ehds-check", "--format", "json"]) == 0
        return {d["dataset"]: d["missing"] for d in json.loads(capsys.readouterr().out)}

    result = publish(registry, out)
    somatikk = server.url + "/npr/dataset/somatikk"
    assert result.minimum[somatikk] == [
        "healthdcatap:hasCodeValues",
        "healthdcatap:hasCodingSystem",
        "dct:conformsTo",
        "geodcatap:custodian",
        "dct:spatial",
        "dpv:hasPersonalData",
        "healthdcatap:healthTheme",
        "healthdcatap:numberOfRecords",
        "healthdcatap:numberOfUniqueIndividuals",
        "dct:temporal",
        "prov:wasGeneratedBy",
    ]
    assert (
        "    [Advarsel | Warning] healthdcatap:hasCodeValues Kodeverdier | Code values: metadata.toml: code_values"
        in (result.report)
    )
    assert main(["--home", home, "sources", "add", "npr", "--kind", "dcat", "--url", host(server, out)]) == 0
    assert ehds_check() == result.minimum

    with_metadata(registry, "\n[datasets.somatikk]", EHDS_MINIMUM)
    result = publish(registry, out)
    assert result.minimum == {somatikk: [], server.url + "/npr/dataset/psykiatri": []}
    assert f"  {somatikk}: komplett | complete" in result.report
    host(server, out)
    assert ehds_check() == result.minimum


def test_the_terminal_shows_the_first_findings_of_each_kind_and_the_full_report_is_beside_the_lists(
    registry, tmp_path, capsys
):
    """A list of 100,000 variables printed a report of 77 MB, and wrote rapport.txt and
    rapport.json of 77 and 117 MB into the served folder: the report is the registry's work list,
    not part of its feed."""
    rows = "".join(f"V{i};Variabel {i};;heltall;;;;\n" for i in range(300))
    (registry / "somatikk.csv").write_text(CSV.splitlines(keepends=True)[0] + rows, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "rapport.txt").write_text("an earlier kit's report", encoding="utf-8")

    assert main(["publish", str(registry), "--out", str(site)]) == 1

    shown = capsys.readouterr().out
    full = (registry / "rapport.txt").read_text(encoding="utf-8")
    assert all(f"/dataset/somatikk/variabel/V{i}\n" in full for i in range(300))
    nodes = [line for line in full.splitlines() if line.startswith("http")]
    assert len([line for line in shown.splitlines() if line.startswith("http")]) == 20 and len(nodes) > 300
    assert f"... {len(nodes) - 20} more nodes with findings (--show 0 lists all)" in shown
    assert len(shown) < len(full) / 5
    assert shown.endswith(
        f"Hele rapporten | The full report: {registry / 'rapport.txt'} (rapport.json beside it)\n"
        f"wrote 2 files to {site} (2 records)\n"
    )
    assert sorted(p.name for p in site.iterdir()) == ["catalog.jsonld", "catalog.ttl"]
    assert json.loads((registry / "rapport.json").read_text(encoding="utf-8"))["published"] is True

    bad = "".join(f"F{i};Feil {i};Noe.;heltal;;;;\n" for i in range(25))
    (registry / "somatikk.csv").write_text(CSV + bad, encoding="utf-8")
    assert main(["publish", str(registry), "--out", str(site), "--report", str(tmp_path / "rapport")]) == 2
    shown = capsys.readouterr().out
    assert shown.count("  [Feil | Error] somatikk.csv row ") == 20
    assert "  ... 5 more (Feil | Error): all in the full report, or --show 0" in shown
    assert (tmp_path / "rapport" / "rapport.txt").read_text(encoding="utf-8").count("[Feil | Error]") == 25
    assert json.loads((tmp_path / "rapport" / "rapport.json").read_text(encoding="utf-8"))["published"] is False


def test_a_workbook_is_published_from_every_sheet_holding_variables_with_merged_cells_filled_down(registry, tmp_path):
    """A registry's list split over the sheets "Innleggelse" and "Utskrivelse", its "Tabell" cell
    merged down the rows: the kit published the first sheet alone, and the table of its first row
    alone, and said nothing; a sheet of prose is named in the report, not a row to fix."""
    book = Workbook()
    book.remove(book.worksheets[0])
    book.create_sheet("Forklaring").append(["Variabellisten gjelder fra 2008."])
    innleggelse = book.create_sheet("Innleggelse")
    for row in [
        [*list(COLUMNS)[:4], "Tabell"],
        ["INNDATO", "Innskrivingsdato", "Dato for innskriving.", "dato", "Opphold"],
        ["HASTE", "Hastegrad", "Om innleggelsen var akutt.", "boolsk", None],
        ["HENV", "Henvisning", "Hvem som henviste.", "tekst", "Henvisning"],
    ]:
        innleggelse.append(row)
    innleggelse.merge_cells("E2:E3")
    utskrivelse = book.create_sheet("Utskrivelse")
    for row in [list(COLUMNS)[:4], ["UTDATO", "Utskrivingsdato", "Dato for utskriving.", "dato"]]:
        utskrivelse.append(row)
    book.save(registry / "psykiatri.xlsx")
    result = publish(registry, tmp_path / "out")
    psykiatri = next(r for r in result.records if isinstance(r, Dataset) and r.identifier == "psykiatri")
    assert [(v.name, v.table) for v in psykiatri.variables] == [
        ("INNDATO", "Opphold"),
        ("HASTE", "Opphold"),
        ("HENV", "Henvisning"),
        ("UTDATO", "Utskrivelse"),
    ]
    assert result.conforms and result.problems == []
    note = "Merk | Note: psykiatri.xlsx: sheets not read (no row of headings naming the variable): 'Forklaring'"
    assert note in result.report and note in (registry / "rapport.txt").read_text(encoding="utf-8")


def test_the_access_address_is_titled_in_bokmal_nynorsk_and_english(registry, tmp_path):
    """The title "Søk om tilgang" had no nynorsk: a nynorsk reader of the feed got the bokmål."""
    result = publish(registry, tmp_path / "out")
    titles = {d.distributions[0].title["nn"] for d in result.records if isinstance(d, Dataset)}
    assert titles == {"Søk om tilgang"}
    turtle = (tmp_path / "out" / "catalog.ttl").read_text(encoding="utf-8")
    assert turtle.count('"Søk om tilgang"@nn') == 2


def test_the_sheets_not_read_are_notes_in_rapport_json_as_other_findings_are(registry, tmp_path):
    """The terminal and rapport.txt named a sheet of prose the kit passed over; rapport.json, which
    a registry's own tools read, did not."""
    book = Workbook()
    book.active.title = "Forklaring"
    book.active.append(["Variabellisten gjelder fra 2008."])
    book.create_sheet("Variabler").append(list(COLUMNS)[:4])
    book["Variabler"].append(["INNDATO", "Innskrivingsdato", "Dato for innskriving.", "dato"])
    book.save(registry / "psykiatri.xlsx")
    assert publish(registry, tmp_path / "out").published
    report = json.loads((registry / "rapport.json").read_text(encoding="utf-8"))
    assert report["notes"] == [
        {
            "where": "psykiatri.xlsx",
            "message": "sheets not read (no row of headings naming the variable): 'Forklaring'",
            "severity": "note",
        }
    ]
    assert report["problems"] == []


def test_the_catalogue_has_its_own_title_its_texts_languages_and_the_day_it_was_published(registry, tmp_path):
    """`catalog_title`, which the catalogue's node reads, was refused as an unknown key, and the
    report asked for the catalogue's dct:language and dct:modified, which no key gave."""
    from datetime import date

    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

    with_metadata(
        registry,
        "keywords = [",
        'catalog_title = { nb = "NPRs variabellister", nn = "NPR sine variabellister" }\n'
        'catalog_description = "Variabellistene til Norsk pasientregister."\nkeywords = [',
    )
    result = publish(registry, tmp_path / "out")
    assert result.conforms, result.report
    for warning in ("Katalogen bør oppgi språk", "Katalogen bør ha endringsdato"):
        assert warning not in result.report
    feed = Graph().parse(tmp_path / "out" / "catalog.ttl")
    [catalog] = feed.subjects(RDF.type, DCAT.Catalog)
    assert set(feed.objects(catalog, DCTERMS.title)) == {
        Literal("NPRs variabellister", lang="nb"),
        Literal("NPR sine variabellister", lang="nn"),
    }
    assert set(feed.objects(catalog, DCTERMS.description)) == {
        Literal("Variabellistene til Norsk pasientregister.", lang="nb")
    }
    # the languages its texts are in: the catalogue's (nb, nn) and its datasets' titles (nb, en)
    assert set(feed.objects(catalog, DCTERMS.language)) == {
        URIRef(f"http://publications.europa.eu/resource/authority/language/{code}") for code in ("NOB", "NNO", "ENG")
    }
    assert list(feed.objects(catalog, DCTERMS.modified)) == [Literal(date.today().isoformat(), datatype=XSD.date)]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('catalog_title = ["NPR"]', "catalog_title (line 5): må være en tekst eller en tabell av språk -> tekst"),
        (
            'catalog_titel = "NPR"',
            "catalog_titel (line 5): ukjent nøkkel; mente du catalog_title? | unknown key; did you mean catalog_title?",
        ),
    ],
)
def test_a_catalogue_title_of_the_wrong_kind_or_misspelt_is_an_error_naming_it(registry, tmp_path, capsys, line, said):
    with_metadata(registry, "keywords = [", f"{line}\nkeywords = [")
    assert main(["publish", str(registry), "--out", str(tmp_path / "out")]) == 2
    assert said in capsys.readouterr().err


def test_the_example_metadata_names_the_catalogues_own_keys():
    from catalog.publish import METADATA_TEMPLATE

    assert "# catalog_title = " in METADATA_TEMPLATE and "# catalog_description = " in METADATA_TEMPLATE


def test_each_validation_finding_says_where_to_fix_it_in_the_lists_row_and_heading_or_the_metadata_key(
    registry, tmp_path
):
    """The report named only the feed's node and a DCAT term ("http://.../variabel/KJONN:
    (csvw:title) Add a readable label"), which a registry had to translate back to its row."""
    csv = registry / "somatikk.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("KJONN;Kjønn;", "KJONN;;"), encoding="utf-8")
    with_metadata(registry, 'uri = "https://helsedata.no/hdab"', 'uri = "https://helsedata.no/hdab", type = ""')
    with_metadata(registry, ', type = ""', "")
    publish(registry, tmp_path / "out")
    report = (registry / "rapport.txt").read_text(encoding="utf-8")
    fixes = [line.strip() for line in report.splitlines() if "rett i | fix in:" in line]
    assert "rett i | fix in: somatikk.csv row 3 (KJONN), Variabeletikett" in fixes
    assert "rett i | fix in: metadata.toml: custodian" in fixes
    assert "rett i | fix in: metadata.toml: hdab.type" in fixes
    # the distribution's licence: the key that states it, which the report named none of before
    assert "rett i | fix in: metadata.toml: access_license" in fixes
    assert not [line for line in fixes if "http" in line or "dct:" in line or "csvw:" in line]
    findings = json.loads((registry / "rapport.json").read_text(encoding="utf-8"))["validation"]["findings"]
    assert "somatikk.csv row 3 (KJONN), Variabeletikett" in [f["fix_in"] for f in findings]


ACCESS_SAID = (
    'access_url = "https://helsedata.no/soknad"\n'
    'access_license = "NLOD 2.0"\n'
    'access_format = "csv"\n'
    'access_description = { nb = "Data utlevert etter søknad.", en = "Data given out on application." }\n'
)


def test_the_distributions_licence_format_and_description_are_said_in_the_metadata_and_reach_the_feed(
    registry, tmp_path
):
    """The report warned that the distribution states no licence, format or description, and no key
    of metadata.toml could say them: warnings a registry could not clear (a registry's drill,
    2026-12-07). A licence's name of the EU list stands for its IRI, as a format's code does."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    with_metadata(registry, 'access_url = "https://helsedata.no/soknad"\n', ACCESS_SAID)
    with_metadata(
        registry, "[datasets.somatikk]\n", '[datasets.somatikk]\naccess_format = "text/tab-separated-values"\n'
    )
    result = publish(registry, tmp_path / "out")
    assert result.conforms, result.report
    assert "Distribusjonen bør" not in result.report
    feed = Graph().parse(tmp_path / "out" / "catalog.ttl")
    eu = "http://publications.europa.eu/resource/authority/"
    for name, file_type, media in (("somatikk", "TSV", "text/tab-separated-values"), ("psykiatri", "CSV", "text/csv")):
        [access] = feed.objects(URIRef(f"{registry_base(result)}dataset/{name}"), DCAT.distribution)
        assert list(feed.objects(access, DCTERMS.license)) == [URIRef(eu + "licence/NLOD_2_0")]
        assert list(feed.objects(access, DCTERMS.format)) == [URIRef(f"{eu}file-type/{file_type}")]
        assert list(feed.objects(access, DCAT.mediaType)) == [
            URIRef(f"http://www.iana.org/assignments/media-types/{media}")
        ]
        assert set(feed.objects(access, DCTERMS.description)) == {
            Literal("Data utlevert etter søknad.", lang="nb"),
            Literal("Data given out on application.", lang="en"),
        }


def registry_base(result) -> str:
    return somatikk(result).uri.removesuffix("dataset/somatikk")


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            'access_license = "NLOD 2.0"',
            'access_license = "fri bruk"',
            "access_license (line 12): 'fri bruk' er ikke en lisens: skriv http(s)-IRI-en til lisensen",
        ),
        (
            'access_license = "NLOD 2.0"',
            'access_license = "data.norge.no/nlod/no/2.0"',
            "access_license (line 12): 'data.norge.no/nlod/no/2.0' mangler skjema; skriv den i sin helhet",
        ),
        (
            'access_license = "NLOD 2.0"',
            'access_license = ["NLOD 2.0"]',
            "access_license (line 12): ['NLOD 2.0'] er ikke",
        ),
        (
            'access_format = "csv"',
            'access_format = "Excel"',
            "access_format (line 13): 'Excel' er ikke et format i EUs file-type-liste",
        ),
        (
            'access_format = "csv"',
            'access_format = "http://publications.europa.eu/resource/authority/file-type/EXCEL"',
            "access_format (line 13): 'http://publications.europa.eu/resource/authority/file-type/EXCEL' er ikke et "
            "format",
        ),
        ("access_description = {", 'access_description = ""\n#', "access_description (line 14): '' er tom"),
        (
            'access_url = "https://helsedata.no/soknad"\n',
            "",
            "access_license: sier hva som utleveres ved access_url, og psykiatri.xlsx har ingen",
        ),
    ],
)
def test_a_distributions_licence_format_or_description_the_feed_cannot_state_is_an_error_naming_its_key(
    registry, tmp_path, capsys, old, new, said
):
    with_metadata(registry, 'access_url = "https://helsedata.no/soknad"\n', ACCESS_SAID)
    with_metadata(registry, old, new)
    assert main(["publish", str(registry), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"metadata.toml: {said}" in err
    assert not (tmp_path / "out" / "catalog.ttl").exists()


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            'description = { nb = "Opphold og konsultasjoner i spesialisthelsetjenesten." }',
            'description = ""',
            "description (line 4)",
        ),
        (
            'description = { nb = "Opphold og konsultasjoner i spesialisthelsetjenesten." }',
            'description = { nb = " " }',
            "description (line 4)",
        ),
        ('title = { nb = "NPR somatikk" }', "title = {}", "datasets.somatikk.title (line 17)"),
        ('legal_basis = "Forskrift om Norsk pasientregister."', 'purpose = ""', "purpose (line 8)"),
        ('legal_basis = "Forskrift om Norsk pasientregister."', 'purpose = { nb = "" }', "purpose (line 8)"),
    ],
)
def test_an_empty_text_is_refused_by_its_key_before_anything_is_published(registry, tmp_path, capsys, old, new, key):
    """`purpose = ""` was refused while `description = ""` was published, and then reported as a
    violation ("the dataset has no description"); `purpose = { nb = "" }` was published without a
    purpose. Each is now the same error, naming its key, and nothing is written."""
    with_metadata(registry, old, new)
    assert main(["publish", str(registry), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"metadata.toml: {key}: " in err and " er tom: skriv teksten, eller en tabell av språk -> tekst | " in err
    assert " is empty: write the text, or a table of language -> text" in err
    assert not (tmp_path / "out").exists()


def test_the_untouched_templates_access_body_has_a_type_and_its_distribution_a_format_and_description(tmp_path):
    """The example metadata's access body had no type, so the untouched template warned "the agent
    should have a type" at hdab.type. Helsedataservice is a national authority (ADMS's
    NationalAuthority: HealthDCAT-AP's own list names no type for a public body, and asks its list of
    a dataset's publisher alone). Only the licence is left to the registry, which the report names by key."""
    folder = tmp_path / "registry"
    folder.mkdir()
    assert main(["publish", "--template", str(folder / "mal.xlsx")]) == 0
    result = publish(folder, tmp_path / "out")
    assert result.conforms
    [dataset] = [r for r in result.records if isinstance(r, Dataset)]
    assert dataset.hdab is not None and dataset.hdab.type == "http://purl.org/adms/publishertype/NationalAuthority"
    [access] = dataset.distributions
    assert access.format and access.media_type == "text/csv" and set(access.description) == {"nb", "nn", "en"}
    report = (folder / "rapport.txt").read_text(encoding="utf-8")
    assert "(dct:type)" not in report and "(dct:format)" not in report
    assert "Distribusjonen bør ha beskrivelse" not in report
    assert "rett i | fix in: metadata.toml: access_license" in report


def test_the_registrys_access_distribution_reaches_the_catalogues_page_api_and_ehds_feed_as_written(
    settings, store, server, tmp_path
):
    """The round trip a registry makes: the template with its access keys filled, published, served
    on loopback and harvested. The catalogue's API and EHDS feed carried the licence, format and
    description, but the dataset page showed the distribution's title and address alone: a
    researcher reading it did not learn what is given out there, in which format, under which
    licence (a registry's drill, 2026-12-08)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    from catalog.model import key_for
    from catalog.publish import write_template
    from tests.published import graph
    from web import create_app

    kit = tmp_path / "kit"
    write_template(kit / "liste.xlsx")
    with_metadata(kit, 'base_url = "https://registry.example.no/dcat/"', f'base_url = "{server.url}/npr/"')
    with_metadata(
        kit, '# access_license = "https://registry.example.no/vilkar-for-utlevering"', 'access_license = "NLOD 2.0"'
    )
    result = publish(kit, tmp_path / "site")
    assert result.published and result.conforms, result.report
    settings.sources["kit"] = SourceConfig(name="kit", kind="dcat", url=host(server, tmp_path / "site"))
    [run] = harvest(settings, store, None, ["kit"])
    assert run.ok and run.counts["errors"] == 0, run.error
    dataset = f"{server.url}/npr/dataset/liste"
    client = create_app(settings).test_client()
    eu = "http://publications.europa.eu/resource/authority/"
    said = {
        "nb": "Data fra registeret, utlevert etter søknad til Helsedataservice.",
        "nn": "Data frå registeret, utleverte etter søknad til Helsedataservice.",
        "en": "The registry's data, given out on application to the Health Data Service.",
    }

    [api] = client.get(f"/api/datasets/{key_for(dataset)}").get_json()["distributions"]
    assert (api["license"], api["format"], api["media_type"]) == (
        eu + "licence/NLOD_2_0",
        eu + "file-type/CSV",
        "text/csv",
    )
    assert api["description"] == said

    feed = graph(client.get("/catalog.ttl?profile=healthdcat-ap"))
    [access] = feed.objects(URIRef(dataset), DCAT.distribution)
    assert list(feed.objects(access, DCTERMS.license)) == [URIRef(eu + "licence/NLOD_2_0")]
    assert list(feed.objects(access, DCTERMS.format)) == [URIRef(eu + "file-type/CSV")]
    assert list(feed.objects(access, DCAT.mediaType)) == [
        URIRef("http://www.iana.org/assignments/media-types/text/csv")
    ]
    assert set(feed.objects(access, DCTERMS.description)) == {Literal(t, lang=lang) for lang, t in said.items()}

    for lang, licence in (("nb", "Lisens"), ("nn", "Lisens"), ("en", "Licence")):
        page = client.get(f"/datasets/{key_for(dataset)}?lang={lang}").get_data(as_text=True)
        assert said[lang].replace("'", "&#39;") in page, lang
        assert f'{licence}: <a href="{eu}licence/NLOD_2_0" rel="noopener nofollow">NLOD 2.0</a>' in page
        assert f'Format: <a href="{eu}file-type/CSV" rel="noopener nofollow">CSV</a> · <code>text/csv</code>' in page


def kit_feed_harvested(settings, store, server, tmp_path, edit=None) -> str:
    """The template published with its example values (`edit` changes the metadata first), served on
    loopback and harvested as the source "kit": the dataset's URI."""
    from catalog.publish import write_template

    kit = tmp_path / "kit"
    write_template(kit / "liste.xlsx")
    with_metadata(kit, 'base_url = "https://registry.example.no/dcat/"', f'base_url = "{server.url}/npr/"')
    if edit:
        edit(kit)
    assert publish(kit, tmp_path / "site").published
    settings.sources["kit"] = SourceConfig(name="kit", kind="dcat", url=host(server, tmp_path / "site"))
    [run] = harvest(settings, store, None, ["kit"])
    assert run.ok, run.error
    return f"{server.url}/npr/dataset/liste"


def test_the_catalogues_hints_to_a_kit_feed_name_the_metadata_key_or_heading_beside_the_dcat_term(
    settings, store, server, tmp_path
):
    """The catalogue's hints spoke DCAT alone ("Add dcat:contactPoint"), which the access body reads
    but a registry publishing with the kit had to translate back into its metadata.toml and its list.
    The kit says in its feed that it wrote it, and the hints to such a source name the key or
    heading beside the term, from the kit's own mapping: on the source's page and API, in `catalog
    report`, on the dataset's page, in its readiness and the publisher's fix list, in bokmål,
    nynorsk and English."""
    from openpyxl import load_workbook

    from catalog.readiness import coverage, fix_list, kit_feeds, source_readiness
    from catalog.texts import nynorsk
    from web import create_app

    def edit(kit: Path) -> None:
        with_metadata(kit, 'type = "public-health-registry"', 'type = "NationalAuthority"')
        book = load_workbook(kit / "liste.xlsx")
        book["Variabler"]["B2"] = None  # VEKT without its label
        book.save(kit / "liste.xlsx")

    dataset = kit_feed_harvested(settings, store, server, tmp_path, edit)
    [again] = harvest(settings, store, None, ["kit"])  # its page skipped as unchanged: still the kit's
    assert again.counts["unchanged"] == 2 and kit_feeds(store, settings) == {"kit"}
    publisher_type = (
        "(i utgiverpakken: publisher.type i metadata.toml) | ",
        "(in the publisher kit: publisher.type in metadata.toml)",
    )
    heading = "(in the publisher kit: the column Variabeletikett of the variable list)"

    found, hints = source_readiness(store, settings, "kit")  # what `catalog report kit` gives
    [left_out] = found.datasets
    assert not left_out.in_feed
    [gap] = [g for g in left_out.gaps if g.field == "publisher.type"]
    assert gap.hint.startswith("Bruk en type fra https://hdeu-dcat") and all(p in gap.hint for p in publisher_type)
    assert nynorsk(gap.hint).endswith("(i utgivarpakken: publisher.type i metadata.toml)"), nynorsk(gap.hint)
    assert any(heading in hint for hint in hints.values()), hints
    [english] = left_out.warnings  # its description is in bokmål alone
    assert english.hint.endswith("(in the publisher kit: description in metadata.toml)"), english.hint

    rows = fix_list(coverage(store, settings), left_out.publisher_key)
    assert {r["field"]: r["how_to_fix"] for r in rows}["publisher.type"] == gap.hint

    client = create_app(settings).test_client()
    api = client.get("/api/sources/kit").get_json()
    assert any(heading in f["hint"] for f in api["findings"]), api["findings"]
    for lang, said in (
        ("nb", "(i utgiverpakken: kolonnen Variabeletikett i variabellisten)"),
        ("nn", "(i utgivarpakken: kolonnen Variabeletikett i variabellista)"),
        ("en", "(in the publisher kit: the column Variabeletikett of the variable list)"),
    ):
        page = client.get(f"/sources/kit?lang={lang}").get_data(as_text=True)
        assert said in page, lang
    page = client.get(f"/datasets/{key_for(dataset)}?lang=nn").get_data(as_text=True)
    assert "(i utgivarpakken: publisher.type i metadata.toml)" in page
