"""Reading registries' variable lists: headings, layouts, encodings, inline codes, bad rows, hostile XLSX."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from catalog.model import CodeList, Concept, Variable
from harvesters.frequencies import read_frequencies
from harvesters.varlist import VarlistError, read_varlist

BASE = "https://catalog.example.org/id/test/"


def mint(*parts: str) -> str:
    return BASE + "/".join(parts)


def read(content: bytes, **options: object):
    return read_varlist(content, url="https://registry.example.org/liste", dataset_id="ds1", mint=mint, options=options)


def xlsx(rows: Sequence[Sequence[object]], sheet: str = "Variabler", extra_sheets: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    active = book.active
    assert isinstance(active, Worksheet)
    active.title = sheet
    for row in rows:
        active.append(list(row))
    for name in extra_sheets:
        book.create_sheet(name).append(["Om listen"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HELSEDATA = [
    ["Variabelnavn", "Variabeletikett", "Beskrivelse", "Datatype", "Enhet", "Kodeverk", "Gyldig fra", "Gyldig til"],
    ["KJONN", "Kjønn", "Barnets kjønn", "Heltall", "", "1=Mann; 2=Kvinne; 9=Ukjent", "01.01.1967", ""],
    ["VEKT", "Fødselsvekt", "Vekt ved fødsel", "Heltall", "gram", "", "1967-01-01", "2024-12-31"],
    ["BOKOMM", "Bostedskommune", "", "Tekst", "", "Se kodeverk: Kommuner", "", ""],
]


def expected_helsedata() -> tuple[list[Variable], list[CodeList]]:
    codes = CodeList(
        uri=BASE + "codelist/ds1/KJONN",
        identifier="ds1/KJONN",
        title={"nb": "Koder for KJONN"},
        concepts=[Concept("1", {"nb": "Mann"}), Concept("2", {"nb": "Kvinne"}), Concept("9", {"nb": "Ukjent"})],
    )
    return [
        Variable(
            uri=BASE + "variable/ds1/KJONN",
            name="KJONN",
            title={"nb": "Kjønn"},
            description={"nb": "Barnets kjønn"},
            datatype="integer",
            codelist=codes.uri,
            valid_from="1967-01-01",
        ),
        Variable(
            uri=BASE + "variable/ds1/VEKT",
            name="VEKT",
            title={"nb": "Fødselsvekt"},
            description={"nb": "Vekt ved fødsel"},
            datatype="integer",
            unit="gram",
            valid_from="1967-01-01",
            valid_to="2024-12-31",
        ),
        Variable(
            uri=BASE + "variable/ds1/BOKOMM",
            name="BOKOMM",
            title={"nb": "Bostedskommune"},
            datatype="string",
            coding_system="Kommuner",
        ),
    ], [codes]


def csv_bytes(rows: Sequence[Sequence[object]], sep: str = ";", encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(sep.join(f'"{c}"' if sep in str(c) else str(c) for c in row) for row in rows).encode(encoding)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(xlsx(HELSEDATA), id="xlsx"),
        pytest.param(csv_bytes(HELSEDATA), id="csv-semicolon-bom"),
        pytest.param(csv_bytes(HELSEDATA, ",", "utf-8"), id="csv-comma"),
        pytest.param(csv_bytes(HELSEDATA, "\t", "utf-8"), id="csv-tab"),
    ],
)
def test_the_common_norwegian_headings_are_recognised_in_every_format(content):
    found = read(content)
    assert (found.variables, found.codelists) == expected_helsedata()
    assert found.problems == []


def test_title_rows_another_sheet_and_a_configured_column_mapping_are_followed():
    rows = [
        ["Variabelliste – Hjerneslagregisteret"],
        ["sist endret 2024-01-01"],
        ["Skjema", "Variabel", "Beskrivelse", "Format", "Verdier", "Enhet"],
        ["Registreringsskjema", "NIHSS_INN", "NIHSS ved innleggelse", "Desimaltall", "", "poeng"],
    ]
    content = xlsx([["Kilde", "x"]], sheet="Om listen")
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.create_sheet("Variabelliste")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    columns = {
        "Skjema": "table",
        "Variabel": "name",
        "Beskrivelse": "title",
        "Format": "datatype",
        "Verdier": "codes",
        "Enhet": "unit",
    }
    found = read(out.getvalue(), columns=columns, sheet="Variabelliste", header_row=3)
    assert found.variables == [
        Variable(
            uri=BASE + "variable/ds1/NIHSS_INN",
            name="NIHSS_INN",
            title={"nb": "NIHSS ved innleggelse"},
            datatype="decimal",
            unit="poeng",
            table="Registreringsskjema",
        )
    ]


def test_a_header_row_that_does_not_fit_the_csv_is_a_hint_and_the_header_is_found():
    found = read(csv_bytes(HELSEDATA[:2]), header_row=3)
    assert [v.name for v in found.variables] == ["KJONN"]


def test_english_columns_keep_their_language_tag():
    rows = [["Navn", "Etikett", "Label (en)"], ["VEKT", "Fødselsvekt", "Birth weight"]]
    found = read(csv_bytes(rows), columns={"Navn": "name", "Etikett": "title", "Label (en)": "title_en"})
    assert found.variables[0].title == {"nb": "Fødselsvekt", "en": "Birth weight"}


def test_keywords_are_read_as_a_list_split_at_commas_or_semicolons():
    rows = [["Variabelnavn", "Nøkkelord"], ["VEKT", "fødsel, vekt;nyfødt"], ["LENGDE", ""]]
    assert [v.keywords for v in read(csv_bytes(rows)).variables] == [["fødsel", "vekt", "nyfødt"], []]


def test_bad_rows_are_reported_by_row_variable_and_field_and_the_rest_is_read():
    rows = [
        HELSEDATA[0],
        ["A", "a", "", "heltall?", "", "", "", ""],
        ["", "etikett uten navn", "", "", "", "", "", ""],
        ["B", "b", "", "Dato", "", "1=Ja; rot", "32.13.2020", ""],
        ["A", "igjen", "", "", "", "", "", ""],
        ["C", "c", "", "Heltall", "", "1=Ja;1=Nei", "", ""],
    ]
    found = read(csv_bytes(rows))
    assert [v.name for v in found.variables] == ["A", "B", "C"]
    assert [(p.record_id, p.field, p.message) for p in found.problems] == [
        (
            "row 2 (A)",
            "datatype",
            "row 2 (A): the data type 'heltall?' is not one we know; use one of integer, "
            "decimal, string, date, dateTime, gYear, boolean (or heltall, desimaltall, tekst, "
            "dato, år, ja/nei)",
        ),
        ("row 3", "name", "row 3: the row has no variable name, so it was skipped"),
        (
            "row 4 (B)",
            "codes",
            "row 4 (B): could not read the codes 'rot'; write codes as 1=Ja;2=Nei (the others were kept)",
        ),
        ("row 4 (B)", "valid_from", "row 4 (B): '32.13.2020' is not a date; write it as 2024-01-31 or 31.01.2024"),
        ("row 5 (A)", "name", "row 5 (A): the variable A was already listed in row 2; this row was skipped"),
        ("row 6 (C)", "codes", "row 6 (C): the code '1' occurs more than once; the first was kept"),
    ]
    assert [c.concepts for c in found.codelists] == [[Concept("1", {"nb": "Ja"})], [Concept("1", {"nb": "Ja"})]]


def test_a_malformed_csv_line_is_skipped_and_reported_with_its_row():
    body = (
        csv_bytes(HELSEDATA[:2])
        + b'\r\n"UAVSLUTTET;"tekst uten slutt\r\n'
        + csv_bytes(HELSEDATA[2:3], encoding="utf-8")
    )
    found = read(body)
    assert [v.name for v in found.variables] == ["KJONN", "VEKT"]
    assert [(p.record_id, p.message) for p in found.problems] == [
        ("row 3", "row 3: the line is not valid CSV (';' expected after '\"'); it was skipped")
    ]


def test_latin1_csv_is_read_as_windows_1252_with_a_warning():
    found = read(csv_bytes(HELSEDATA, encoding="latin-1"))
    assert found.variables[0].title == {"nb": "Kjønn"}
    assert [(p.record_id, p.field) for p in found.problems] == [("file", "encoding")]
    assert "not valid UTF-8" in found.problems[0].message and "Windows-1252" in found.problems[0].message


def test_an_unknown_declared_charset_is_read_as_windows_1252_with_a_warning():
    found = read_varlist(
        csv_bytes(HELSEDATA, encoding="latin-1"),
        url="https://registry.example.org/liste",
        dataset_id="ds1",
        mint=mint,
        charset="x-no-such-charset",
    )
    assert found.variables[0].title == {"nb": "Kjønn"}
    assert [p.message.split(";")[0] for p in found.problems] == [
        "the file is not valid x-no-such-charset (an unknown encoding)"
    ]


def test_a_configured_encoding_is_used_strictly():
    assert read(csv_bytes(HELSEDATA, encoding="latin-1"), encoding="latin-1").problems == []
    with pytest.raises(VarlistError, match="not valid utf-8 as configured"):
        read(csv_bytes(HELSEDATA, encoding="latin-1"), encoding="utf-8")


@pytest.mark.parametrize(
    "content, message",
    [
        (
            b"Navn;Alder\nPer;3\n",
            "no header row found: expected a row naming the variable (Variabelnavn, Variabel or Navn)",
        ),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old Excel 97-2003"),
        (b"PK\x03\x04 broken", "damaged"),
    ],
)
def test_unreadable_files_raise_a_plain_error(content, message):
    with pytest.raises(VarlistError, match=re.escape(message)):
        read(content)


def test_a_list_with_headings_of_its_own_is_told_what_it_has_and_how_to_map_them():
    """The Datahotel's real lists read `shortname,name,content`: the message named only the
    Norwegian headings, and an operator had to open the file and find `options.columns` alone."""
    with pytest.raises(VarlistError) as refused:
        read(b"shortname,name,content\nATC kode,ATC kode,\n")
    message = str(refused.value)
    assert "the first row reads: shortname, name, content" in message
    assert "options.columns" in message
    columns = {"shortname": "name", "name": "title", "content": "description"}
    assert [v.name for v in read(b"shortname,name,content\nATC kode,ATC kode,\n", columns=columns).variables] == [
        "ATC kode"
    ]


def with_member(content: bytes, name: str, transform) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, transform(data) if item.filename == name else data)
    return out.getvalue()


XXE = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = b'<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
@pytest.mark.parametrize("doctype", [XXE, LAUGHS], ids=["xxe", "entity-expansion"])
def test_xlsx_with_a_doctype_in_any_part_is_refused_before_parsing(member, doctype):
    hostile = with_member(xlsx(HELSEDATA), member, lambda data: b'<?xml version="1.0"?>' + doctype + data)
    with pytest.raises(VarlistError, match=re.escape(f"part {member} declares a DOCTYPE or entities")):
        read(hostile)


def test_a_zip_bomb_is_refused_by_its_uncompressed_size():
    bomb = with_member(xlsx(HELSEDATA), "docProps/app.xml", lambda data: data + b" " * 5_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(VarlistError, match=r"unpacks to 5,0\d\d,\d\d\d bytes, over the limit of 1,000,000"):
        read(bomb, max_uncompressed_bytes=1_000_000)


def test_a_workbook_without_the_configured_sheet_names_the_sheets_it_has():
    with pytest.raises(VarlistError, match="no sheet 'ELVIS'; it has Variabler, Om listen"):
        read(xlsx(HELSEDATA, extra_sheets=("Om listen",)), sheet="ELVIS")


def test_a_column_mapping_to_an_unknown_field_is_a_configuration_error():
    with pytest.raises(VarlistError, match="sends 'navn' to 'navnet', which is not a field we know"):
        read(csv_bytes(HELSEDATA), columns={"Navn": "navnet"})


def test_a_row_with_more_cells_than_headings_is_skipped_and_reported():
    """A list separated by ";" with its codes unquoted ("1=Mann; 2=Kvinne"): the row's cells moved,
    and it was read with its codes cut short and "2=Kvinne" as a date, without a word of why."""
    body = (
        csv_bytes(HELSEDATA[:1])
        + b"\r\nKJONN;Kj\xc3\xb8nn;Barnets kj\xc3\xb8nn;Heltall;;1=Mann; 2=Kvinne;01.01.1967;\r\n"
        + csv_bytes(HELSEDATA[2:3], encoding="utf-8")
    )
    found = read(body)
    assert [v.name for v in found.variables] == ["VEKT"]
    assert [(p.record_id, p.message) for p in found.problems] == [
        (
            "row 2 (KJONN)",
            "row 2 (KJONN): the row has 9 cells where the headings are 8: a cell holding the delimiter must be "
            'in quotes ("1=Mann; 2=Kvinne"); this row was skipped',
        )
    ]


HJERTE = ["Variabelnavn", "Variabeletikett", "Datatype"]
INNLEGGELSE = [HJERTE, ["PASIENT_ALDER", "Alder ved innleggelse", "heltall"], ["KJONN", "Kjønn", "kode"]]
UTSKRIVELSE = [HJERTE, ["ROYKER", "Røykestatus", "kode"], ["DOD_30", "Død innen 30 dager", "boolsk"]]


def workbook(sheets: dict[str, Sequence[Sequence[object]]], merged: dict[str, Sequence[str]] | None = None) -> bytes:
    """An XLSX file with these sheets, in order, and these ranges merged ("I2:I7"), as Excel saves them."""
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        for ref in (merged or {}).get(title, ()):
            sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_list_split_over_sheets_is_read_from_every_sheet_and_each_sheet_names_its_variables_table():
    """Registries split a list over sheets with the same headings: only the first sheet was read,
    two variables of four, without a word."""
    found = read(workbook({"Innleggelse": INNLEGGELSE, "Utskrivelse": UTSKRIVELSE}))
    assert [(v.name, v.table) for v in found.variables] == [
        ("PASIENT_ALDER", "Innleggelse"),
        ("KJONN", "Innleggelse"),
        ("ROYKER", "Utskrivelse"),
        ("DOD_30", "Utskrivelse"),
    ]
    assert (found.problems, found.notes) == ([], [])


def test_a_sheet_of_prose_is_not_read_and_the_note_names_it():
    prose = [["Om variabellisten"], ["Listen gjelder fra 2013."], ["Kontakt: register@example.no"]]
    found = read(workbook({"Forklaring": prose, "Variabler": INNLEGGELSE, "Endringslogg": [["Dato", "Endring"]]}))
    assert [(v.name, v.table) for v in found.variables] == [("PASIENT_ALDER", None), ("KJONN", None)]
    assert found.notes == ["sheets not read (no row of headings naming the variable): 'Forklaring', 'Endringslogg'"]
    assert found.problems == []


def test_a_sheets_table_column_is_kept_and_only_rows_without_a_table_take_the_sheets_name():
    with_table = [[*HJERTE, "Tabell"], ["ROYKER", "Røykestatus", "kode", "Livsstil"], ["DOD_30", "Død", "boolsk", ""]]
    found = read(workbook({"Innleggelse": INNLEGGELSE, "Utskrivelse": with_table}))
    assert [v.table for v in found.variables] == ["Innleggelse", "Innleggelse", "Livsstil", "Utskrivelse"]


def test_on_several_sheets_a_problem_names_the_sheet_and_a_name_listed_twice_is_read_once():
    utskrivelse = [*UTSKRIVELSE, ["KJONN", "Kjønn igjen", "kode"], ["SKÅR", "Skår", "poeng"]]
    found = read(workbook({"Innleggelse": INNLEGGELSE, "Utskrivelse": utskrivelse}))
    assert [v.name for v in found.variables] == ["PASIENT_ALDER", "KJONN", "ROYKER", "DOD_30", "SKÅR"]
    assert [(p.record_id, p.field, p.message) for p in found.problems] == [
        (
            "sheet 'Utskrivelse', row 4 (KJONN)",
            "name",
            "sheet 'Utskrivelse', row 4 (KJONN): the variable KJONN was already listed in sheet 'Innleggelse', "
            "row 3; this row was skipped",
        ),
        (
            "sheet 'Utskrivelse', row 5 (SKÅR)",
            "datatype",
            "sheet 'Utskrivelse', row 5 (SKÅR): the data type 'poeng' is not one we know; use one of integer, "
            "decimal, string, date, dateTime, gYear, boolean (or heltall, desimaltall, tekst, dato, år, ja/nei)",
        ),
    ]


def test_a_configured_sheet_is_the_only_one_read():
    found = read(workbook({"Innleggelse": INNLEGGELSE, "Utskrivelse": UTSKRIVELSE}), sheet="Utskrivelse")
    assert [(v.name, v.table) for v in found.variables] == [("ROYKER", None), ("DOD_30", None)]
    assert found.notes == []


def test_a_workbook_without_a_header_on_any_sheet_names_its_sheets_and_the_first_row_it_has():
    with pytest.raises(VarlistError) as refused:
        read(workbook({"Forside": [[], ["Hjerteinfarktregisteret"]], "Liste": [["shortname", "name"]]}))
    assert "among the first rows of any sheet (Forside, Liste); the first row of sheet 'Forside' reads: " in str(
        refused.value
    )


def test_a_cell_merged_down_several_rows_gives_its_value_to_every_row():
    """One "Tabell" cell merged over the rows of its table: the file is read in openpyxl's
    read-only mode, which never fills merged ranges, so the first row had the table and the
    others none."""
    rows = [
        [*HJERTE, "Tabell"],
        ["PASIENT_ALDER", "Alder", "heltall", "Innleggelse"],
        ["KJONN", "Kjønn", "kode", None],
        ["ROYKER", "Røykestatus", "kode", None],
        ["DOD_30", "Død innen 30 dager", "boolsk", "Oppfølging"],
    ]
    found = read(workbook({"Variabler": rows}, {"Variabler": ["D2:D4"]}))
    assert [(v.name, v.table) for v in found.variables] == [
        ("PASIENT_ALDER", "Innleggelse"),
        ("KJONN", "Innleggelse"),
        ("ROYKER", "Innleggelse"),
        ("DOD_30", "Oppfølging"),
    ]
    assert found.problems == []


def test_a_heading_merged_over_two_header_rows_or_two_columns_is_not_spread():
    rows = [
        ["Variabelnavn", "Variabeletikett", "Gyldig fra", None],
        [None, None, "dato", "merknad"],
        ["KJONN", "Kjønn", "2013-01-01", "x"],
    ]
    found = read(workbook({"Variabler": rows}, {"Variabler": ["A1:A2", "B1:B2", "C1:D1"]}))
    assert [(v.name, v.valid_from) for v in found.variables] == [("KJONN", "2013-01-01")]
    assert [p.record_id for p in found.problems] == ["row 2"]  # the second header row, as it was


FREKVENSER: list[list[object]] = [
    ["Variabel", "Kode", "Antall", "Mangler"],
    ["KJONN", "1", 120, None],
    [None, "2", 130, None],
    [None, "9", 5, "ja"],
    [None, "Totalt", 255, None],
    ["ROYKER", "1", 40, None],
    [None, "0", 210, None],
]


def test_a_frequency_tables_variable_merged_over_its_codes_rows_names_each_of_them():
    """A "Variabel" cell merged over the rows of its codes, and a "Mangler" cell over two, are filled
    down as a variable list's are: every code but a variable's first was a row "naming no
    variable", skipped, and its counts lost."""
    content = workbook({"Frekvenser": FREKVENSER}, {"Frekvenser": ["A2:A5", "A6:A7", "D4:D5"]})
    found = read_frequencies(content, url="https://registry.example.org/frekvenser.xlsx")
    assert found.rows == {
        "KJONN": [("1", 120, None), ("2", 130, None), ("9", 5, True)],
        "ROYKER": [("1", 40, None), ("0", 210, None)],
    }
    assert found.totals == {"KJONN": 255}
    assert found.problems == []


def test_a_frequency_table_is_read_from_the_sheet_with_its_headings_not_the_last_sheet():
    """The sheet was chosen by a variable list's headings (which "Variabel, Kode, Antall" are not),
    else the last: a workbook whose frequency sheet came before a sheet of prose was refused."""
    content = workbook({"Frekvenser": FREKVENSER[:3], "Forklaring": [["Tellingene gjelder 2024."]]})
    found = read_frequencies(content, url="https://registry.example.org/frekvenser.xlsx")
    assert found.rows == {"KJONN": [("1", 120, None)]}
    assert [p.message for p in found.problems] == ["row 3: the row names no variable, so it was skipped"]


def test_merged_ranges_are_found_wherever_the_sheets_xml_is_cut_in_pieces(monkeypatch):
    """The sheet's XML is scanned in pieces to stay in bounded memory; a tag cut between two is found."""
    from harvesters import varlist

    rows = [[*HJERTE, "Tabell"], *([f"V{i}", f"Variabel {i}", "heltall", "T" if i == 0 else None] for i in range(40))]
    content = workbook({"Variabler": rows}, {"Variabler": ["D2:D41"]})
    for size in (7, 50, 333):
        monkeypatch.setattr(varlist, "MERGE_SCAN_CHUNK", size)
        assert {v.table for v in read(content).variables} == {"T"}


def test_a_chart_sheet_among_the_sheets_is_passed_over():
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for row in INNLEGGELSE:
        sheet.append(row)
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=1, min_row=1, max_row=3))
    book.create_chartsheet("Figur", 0).add_chart(chart)
    out = io.BytesIO()
    book.save(out)
    found = read(out.getvalue())
    assert ([v.name for v in found.variables], found.problems, found.notes) == (["PASIENT_ALDER", "KJONN"], [], [])


def test_inline_codes_written_with_commas_between_are_separate_codes_and_a_comma_in_a_label_stays():
    """ "1 = Ja, 2 = Nei" was one code "1" labelled "Ja, 2 = Nei", published without a word."""
    rows = [
        ["Variabelnavn", "Kodeverk"],
        ["TROMBOLYSE", "1 = Ja, 2 = Nei, 9 = Ukjent"],
        ["DIAGNOSE", "I61=Hjerneblødning, I63=Hjerneinfarkt, I64=Hjerneslag, ikke spesifisert"],
        ["ATRIEFLIMMER", "1=Ja, 2=Nei; 9=Ukjent"],
    ]
    found = read(xlsx(rows))
    assert found.problems == []
    assert [[(c.code, c.label["nb"]) for c in codes.concepts] for codes in found.codelists] == [
        [("1", "Ja"), ("2", "Nei"), ("9", "Ukjent")],
        [("I61", "Hjerneblødning"), ("I63", "Hjerneinfarkt"), ("I64", "Hjerneslag, ikke spesifisert")],
        [("1", "Ja"), ("2", "Nei"), ("9", "Ukjent")],
    ]


def test_a_known_heading_written_with_spaces_hyphens_or_underscores_is_the_heading_it_spells():
    """ "Variabel navn;Etikett;..." found no header row, and the kit published nothing."""
    rows = [
        ["Variabel navn", "Variabel etikett", "Kode-verk", "Gyldig_fra"],
        ["KJONN", "Kjønn", "1=Mann;2=Kvinne", "2012"],
    ]
    found = read(csv_bytes(rows))
    assert found.problems == []
    [kjonn] = found.variables
    assert (kjonn.name, kjonn.title, kjonn.valid_from) == ("KJONN", {"nb": "Kjønn"}, "2012")
    assert [c.code for c in found.codelists[0].concepts] == ["1", "2"]
