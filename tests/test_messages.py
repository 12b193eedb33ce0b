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
    english_alone = [
        f"{path}:{node.lineno} ({function})" for function, node in raises if not _said_from_a_message(node.exc)
    ]
    assert english_alone == []
