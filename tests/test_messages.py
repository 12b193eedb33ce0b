"""The errors the publisher kit stops with say it in bokmål and English, "bokmål | English", as its
report does; the key, its line and the file stay as the registry wrote them.

A registry's staff read Norwegian first, and every error the kit stopped with was English alone
("error: metadata.toml: access_license (line 33): 'min lisens' is not a licence: ...").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from catalog import messages
from catalog.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def kit(tmp_path, capsys) -> Path:
    """A folder as the template leaves it: its list and example metadata.toml, which publish as they are."""
    folder = tmp_path / "registry"
    assert main(["publish", "--template", str(folder / "liste.xlsx")]) == 0
    capsys.readouterr()
    return folder


def stopped(kit: Path, capsys, old: str = "", new: str = "") -> str:
    """The error line the kit stops with after `old` is replaced by `new` in metadata.toml."""
    if old or new:
        meta = kit / "metadata.toml"
        text = meta.read_text(encoding="utf-8")
        assert old in text
        meta.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["publish", str(kit), "--out", str(kit / "site")]) == 2
    assert not (kit / "site").exists()
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            '# access_license = "https://registry.example.no/vilkar-for-utlevering"',
            'access_license = "min lisens"',
            "metadata.toml: access_license (line 33): 'min lisens' er ikke en lisens: skriv http(s)-IRI-en til "
            "lisensen eller til vilkårene dataene utleveres under, eller navnet på en av NLOD 2.0, CC BY 4.0, CC0 | "
            "'min lisens' is not a licence: write the http(s) IRI of the licence or of the terms the data are "
            "given out under, or the name of one of NLOD 2.0, CC BY 4.0, CC0",
        ),
        (
            "keywords =",
            "keywrds =",
            "metadata.toml: keywrds (line 9): ukjent nøkkel; mente du keywords? | unknown key; did you mean keywords?",
        ),
        (
            'temporal_start = "2008-01-01"',
            'temporal_start = "2008-13-01"',
            "metadata.toml: temporal_start (line 19): '2008-13-01' er ikke en dato (ÅÅÅÅ, ÅÅÅÅ-MM, ÅÅÅÅ-MM-DD "
            "eller et tidspunkt) | '2008-13-01' is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a date-time)",
        ),
        (
            'email = "register@example.no"',
            'email = "register at example"',
            "metadata.toml: contact.email (line 53): 'register at example' er ikke en e-postadresse | "
            "'register at example' is not an e-mail address",
        ),
        (
            'health_categories = ["PHDR"]',
            'health_categories = ["helse data"]',
            "metadata.toml: health_categories[0] (line 10): 'helse data' er verken en http(s)-IRI eller en kode i "
            "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories/ | 'helse data' is "
            "neither an http(s) IRI nor a code of https://hdeu-dcat.data.health.europa.eu/resource/authority/"
            "healthcategories/",
        ),
        (  # taken as the code .../data-theme/helse, and published with two violations (exit 1)
            'themes = ["HEAL"]',
            'themes = "helse"',
            "metadata.toml: themes (line 11): 'helse' er ikke en kode i "
            "http://publications.europa.eu/resource/authority/data-theme/: skriv en av AGRI, ECON, EDUC, ENER, "
            "ENVI, GOVE, HEAL, INTR, JUST, OP_DATPRO, REGI, SOCI, TECH, TRAN | 'helse' is not a code of "
            "http://publications.europa.eu/resource/authority/data-theme/: write one of AGRI, ECON, EDUC, ENER, "
            "ENVI, GOVE, HEAL, INTR, JUST, OP_DATPRO, REGI, SOCI, TECH, TRAN",
        ),
        (
            'access_url = "https://helsedata.no/no/soknad/"',
            "",
            "error: metadata.toml: access_format: sier hva som utleveres ved access_url, og liste.xlsx har ingen; "
            "gi access_url (for alle listene, eller under [datasets.liste]) | says what is given out at "
            "access_url, and liste.xlsx has none; give access_url (for all lists, or under [datasets.liste])",
        ),
    ],
)
def test_an_error_in_metadata_toml_names_its_key_and_line_then_says_it_in_bokmaal_and_english(
    kit, capsys, old, new, said
):
    assert stopped(kit, capsys, old, new).endswith(said)


def test_the_kits_own_file_errors_say_it_in_bokmaal_and_english(kit, capsys):
    meta = kit / "metadata.toml"
    text = meta.read_text(encoding="utf-8")
    saved = text.replace("Hva registeret", "Hvå registeret", 1).encode("cp1252")
    meta.write_bytes(saved)
    at = saved.index(b"\xe5")
    assert stopped(kit, capsys).endswith(
        f"metadata.toml: er ikke UTF-8 (byte 0xe5 ved {at}): lagre filen som UTF-8 | "
        f"is not UTF-8 (byte 0xe5 at {at}): save it as UTF-8"
    )
    meta.unlink()
    assert stopped(kit, capsys).endswith(
        "metadata.toml: metadatafilen mangler; skriv en med tittel, utgiver, kontaktpunkt, rettslig grunnlag og "
        "helsekategorier (`catalog publish --template liste.xlsx` skriver et eksempel på metadata.toml ved siden "
        "av malen) | metadata file missing; write one with title, publisher, contact, legal basis and health "
        "categories (`catalog publish --template liste.xlsx` writes an example metadata.toml beside the template)"
    )
    (kit / "liste.xlsx").unlink()
    assert stopped(kit, capsys) == (
        f"error: {kit}: fant ingen variabellister (.csv eller .xlsx) | no .csv or .xlsx variable lists found"
    )


def test_a_list_the_kit_cannot_use_stops_it_in_bokmaal_and_english(kit, capsys):
    (kit / "liste.xlsx").write_bytes(b"not a workbook")
    assert stopped(kit, capsys) == (
        f"error: ingenting publisert: 1 feil i liste.xlsx (listet over); {kit / 'site'} ble stående som den var | "
        f"nothing published: 1 error(s) in liste.xlsx (listed above); {kit / 'site'} was left as it was"
    )


def problems(kit: Path, capsys) -> list[str]:
    """The report's lines that name a problem of the list, as the kit prints them."""
    main(["publish", str(kit), "--out", str(kit / "site")])
    return [line.strip() for line in capsys.readouterr().out.splitlines() if "] liste." in line]


HEADINGS = "Variabelnavn, Variabeletikett, Beskrivelse, Datatype, Enhet, Kodeverk, Gyldig fra, Gyldig til, Tabell, "
HEADINGS += "Spørsmål, Nøkkelord"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            b"PK\x03\x04 not a workbook",
            f"liste.xlsx: XLSX-filen er skadet og kan ikke åpnes (File is not a zip file); overskriftene er "
            f"{HEADINGS} | the XLSX file is damaged and cannot be opened (File is not a zip file); the headings are "
            f"{HEADINGS}",
        ),
        (
            b"\xd0\xcf\x11\xe0" + b"\0" * 100,
            "liste.xlsx: dette er en gammel Excel 97-2003-fil (.xls), som vi ikke kan lese; lagre den som .xlsx "
            f"eller CSV; overskriftene er {HEADINGS} | this is an old Excel 97-2003 (.xls) file, which we cannot "
            f"read; save it as .xlsx or CSV; the headings are {HEADINGS}",
        ),
    ],
)
def test_a_damaged_list_is_said_in_bokmaal_and_english(kit, capsys, content, said):
    """It was said in English alone, and wrapped "nb | en" it said the English twice."""
    (kit / "liste.xlsx").write_bytes(content)
    assert problems(kit, capsys) == [f"[Feil | Error] {said}"]


def test_a_list_without_its_headings_says_how_to_map_them_in_metadata_toml_in_bokmaal_and_english(kit, capsys):
    (kit / "liste.xlsx").unlink()
    (kit / "liste.csv").write_text("Varibelnavn;Etikett\nA;Alder\n", encoding="utf-8")
    assert problems(kit, capsys) == [
        "[Feil | Error] liste.csv: fant ingen overskriftsrad: ventet en rad som navngir variabelen (Variabelnavn, "
        "Variabel eller Navn) og minst én kolonne til som vi kjenner (Etikett, Beskrivelse, Datatype...) blant de "
        "første radene; den første raden lyder: Varibelnavn, Etikett; oppgi listens egne overskrifter i "
        'metadata.toml, f.eks. columns = { shortname = "name", name = "title" } (eller under [datasets.liste]); '
        f"overskriftene er {HEADINGS} | no header row found: expected a row naming the variable (Variabelnavn, "
        "Variabel or Navn) and at least one more known column (Etikett, Beskrivelse, Datatype...) among the first "
        "rows; the first row reads: Varibelnavn, Etikett; map your own headings in metadata.toml, e.g. "
        'columns = { shortname = "name", name = "title" } (or under [datasets.liste]); the headings are '
        f"{HEADINGS}"
    ]


def test_a_lists_rows_to_fix_are_said_in_bokmaal_and_english(kit, capsys):
    (kit / "liste.xlsx").unlink()
    (kit / "liste.csv").write_text(
        'Variabelnavn;Variabeletikett;Kodeverk\nA;Alder;"1=Ja;1=Nei;rot"\nB;x;1=M; 2=K\nC;y;\nD;z;\n', encoding="utf-8"
    )
    assert problems(kit, capsys) == [
        "[Feil | Error] liste.csv row 2 (A), Kodeverk: kunne ikke lese kodene 'rot'; skriv koder som 1=Ja;2=Nei "
        "(de andre ble beholdt) | could not read the codes 'rot'; write codes as 1=Ja;2=Nei (the others were kept)",
        "[Feil | Error] liste.csv row 2 (A), Kodeverk: koden '1' forekommer mer enn én gang; den første ble "
        "beholdt | the code '1' occurs more than once; the first was kept",
        "[Feil | Error] liste.csv row 3 (B), row: raden har 4 celler der overskriftene er 3: en celle som "
        'inneholder skilletegnet, må stå i anførselstegn ("1=Mann; 2=Kvinne"); denne raden ble hoppet over | '
        "the row has 4 cells where the headings are 3: a cell holding the delimiter must be in quotes "
        '("1=Mann; 2=Kvinne"); this row was skipped',
    ]


# --- every message --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(messages.all_messages()))
def test_every_message_is_one_text_in_bokmaal_nynorsk_and_english_with_the_same_placeholders(name) -> None:
    said = messages.all_messages()[name]
    fields = said.fields()
    assert fields["nb"] == fields["nn"] == fields["en"], name
    assert said.nb != said.en and said.nn.strip(), f"{name}: not in bokmål, nynorsk and English"
    for text in said:
        assert " | " not in text, f"{name}: {text!r} would not split into 'bokmål | English'"
    out = said(**{field: f"<{field}>" for field in fields["en"]})
    nb, sep, en = out.partition(" | ")
    assert sep and nb == said.nb.format(**{f: f"<{f}>" for f in fields["nb"]})
    assert en == said.en.format(**{f: f"<{f}>" for f in fields["en"]})


KIT_CHECKS = {
    "catalog/publish.py": None,  # every raise of the kit's
    "harvesters/varlist.py": None,  # every error of the variable list it reads
    "catalog/config.py": {  # the checks of values metadata.toml shares with the operator's defaults
        "_iri",
        "_email",
        "_text",
        "_agent",
        "_listed",
        "publisher_type",
        "_access_level",
        "_default",
    },
}


def _raises(path: str, functions: set[str] | None):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and (functions is None or function.name in functions):
            for node in ast.walk(function):
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                    yield function.name, node


def _said_from_a_message(call: ast.Call) -> bool:
    """Whether the error's text comes from a `catalog.messages` message, or is a caught error's, raised again."""
    known = set(messages.all_messages())
    for node in ast.walk(call):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "msg":
                if func.attr in known:
                    return True
            if isinstance(func, ast.Attribute) and func.attr == "of":  # msg.NAME.of(...), a `Said`
                named = func.value
                if isinstance(named, ast.Attribute) and isinstance(named.value, ast.Name):
                    if named.value.id == "msg" and named.attr in known:
                        return True
            if isinstance(func, ast.Name) and func.id == "str" and node.args and isinstance(node.args[0], ast.Name):
                return node.args[0].id == "exc"
    return False


@pytest.mark.parametrize("path", sorted(KIT_CHECKS))
def test_every_error_the_kit_can_stop_with_is_said_by_a_message_of_the_table(path) -> None:
    """Read from the source, so an error no test provokes is caught too: each raise builds its text
    from `catalog.messages` (or raises a caught one's text again with its line), never a new
    English f-string."""
    raises = list(_raises(path, KIT_CHECKS[path]))
    assert raises
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    saying = {  # the file's functions that build a message of the table (`-> Said`: varlist's _no_header)
        f.name
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and ast.unparse(f.returns or ast.Pass()) == "Said"
    }

    def said(call: ast.Call) -> bool:
        return _said_from_a_message(call) or any(
            isinstance(a, ast.Call) and isinstance(a.func, ast.Name) and a.func.id in saying for a in call.args
        )

    english_alone = [f"{path}:{node.lineno} ({function})" for function, node in raises if not said(node.exc)]
    assert english_alone == []
