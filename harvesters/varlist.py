"""Variable lists as registries publish them: a CSV or XLSX file, one row a variable.

Quality registries, helsedata.no exports and ELVIS lists all look alike but never quite the same:
Norwegian headings that vary (Variabelnavn/Variabel/Navn, Etikett/Label, Kodeverk/Verdier...),
title rows above the header, `;` or `,` separators, UTF-8 with or without BOM (or Windows-1252
from old Excel), codes written inline as "1=Ja;2=Nei". `read_varlist` turns any of them into
`catalog.model.Variable`s plus a `CodeList` for every inline code list, and reports each bad
cell as a `Problem` naming row, variable and field, so one bad row never costs the rest.

Per source the layout can be fixed in `SourceConfig.options`: `columns` (heading -> field),
`sheet`, `header_row` (1-based), `encoding`, `delimiter`, `language`; without them the header row
and columns are recognised from the common headings.

A workbook is read sheet by sheet: registries split a list over sheets ("Innleggelse",
"Utskrivelse", with the same headings), and only the first was read, three variables of six with
no error. Every sheet whose header row names a variable list is read (`sheet` picks one); its
name becomes the table of the variables that give none when more than one sheet is read; the
others (a "Forklaring" or "Om listen" of prose, the template's "Veiledning") are named in
`VariableList.notes`. A vertically merged cell (one "Tabell" cell over six rows) gives its value
to every row it covers, as the reader of the sheet sees it.

XLSX is a zip of XML. Before openpyxl sees it, the archive is checked: bounded member count and
uncompressed size (zip bombs), and no DOCTYPE or entity declaration in any XML member (XXE,
"billion laughs"); openpyxl itself also parses through defusedxml.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog import messages as msg
from catalog.messages import Said
from catalog.model import Agent, CodeList, Concept, Variable

FIELDS = (
    "name",
    "title",
    "description",
    "datatype",
    "unit",
    "codes",
    "valid_from",
    "valid_to",
    "table",
    "question",
    "coding_system",
    "keywords",
)
LOCALISED = ("title", "description", "question")
"""Fields that may carry a language suffix in a column mapping, e.g. `title_en`."""

DEFAULT_HEADINGS: dict[str, str] = {
    **dict.fromkeys(
        ("variabelnavn", "variabel", "navn", "kortnavn", "variable", "variable name", "name", "short name"), "name"
    ),
    **dict.fromkeys(("variabeletikett", "etikett", "label", "tittel", "title", "ledetekst"), "title"),
    **dict.fromkeys(("beskrivelse", "definisjon", "description", "definition", "forklaring"), "description"),
    **dict.fromkeys(("datatype", "format", "type", "data type", "variabeltype"), "datatype"),
    **dict.fromkeys(("enhet", "måleenhet", "unit", "unit of measure"), "unit"),
    **dict.fromkeys(
        ("kodeverk", "kodeliste", "verdier", "koder", "codes", "code list", "verdisett", "svaralternativer"), "codes"
    ),
    **dict.fromkeys(("gyldig fra", "fra dato", "valid from"), "valid_from"),
    **dict.fromkeys(("gyldig til", "til dato", "valid to"), "valid_to"),
    **dict.fromkeys(("tabell", "skjema", "table", "form"), "table"),
    **dict.fromkeys(("spørsmål", "spørsmålstekst", "question"), "question"),
    **dict.fromkeys(("kodesystem", "coding system", "klassifikasjon"), "coding_system"),
    **dict.fromkeys(("nøkkelord", "stikkord", "emneord", "keywords"), "keywords"),
}

CSVW_TYPES = {
    t.lower(): t
    for t in (
        "string",
        "integer",
        "decimal",
        "double",
        "float",
        "boolean",
        "date",
        "dateTime",
        "time",
        "gYear",
        "gYearMonth",
        "long",
        "int",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "duration",
        "anyURI",
        "number",
    )
}
DATATYPE_WORDS = {
    **dict.fromkeys(("heltall", "int", "tall (heltall)", "numerisk heltall"), "integer"),
    **dict.fromkeys(("desimaltall", "desimal", "tall", "numerisk", "numeric", "num", "real"), "decimal"),
    **dict.fromkeys(
        ("tekst", "streng", "text", "char", "varchar", "alfanumerisk", "kode", "kategorisk", "character"), "string"
    ),
    **dict.fromkeys(("dato",), "date"),
    **dict.fromkeys(("dato og tid", "datotid", "tidspunkt", "datetime", "timestamp"), "dateTime"),
    **dict.fromkeys(("klokkeslett", "tid"), "time"),
    **dict.fromkeys(("år", "årstall", "year"), "gYear"),
    **dict.fromkeys(("boolsk", "ja/nei", "logisk", "bool"), "boolean"),
}

MAX_COLUMNS = 100
MAX_MEMBERS = 10_000
HEADER_SCAN_ROWS = 20
XML_HEAD = 64 * 1024
CSV_DELIMITERS = (";", ",", "\t", "|")
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.I)
"""A web address an IRI can be made of (`catalog.config` reads an operator's IRIs so)."""


class VarlistError(Exception):
    """The file as a whole cannot be read (damaged, hostile, no header); the message says why.

    `str()` says it in English, as an operator's harvest report says every source's error; `said`
    is the message of `catalog.messages` it was said with, which the publisher kit says in bokmål
    and English (None for a reader of its own, the frequency table's, which the kit never reads)."""

    def __init__(self, said: Said | str) -> None:
        self.said = said if isinstance(said, Said) else None
        super().__init__(said.text("en") if isinstance(said, Said) else said)


LOST_ROW = "row"
LOST_VALUE = "value"
LOST_NOTHING = ""


@dataclass
class Problem:
    """One bad cell or row: `record_id` is "row N" or "row N (NAME)".

    `lost` says what of the list the variables lack for it: `LOST_ROW` (the row was skipped),
    `LOST_VALUE` (a cell, or part of one, was not read) or `LOST_NOTHING` (all was read; check it,
    as a file read as Windows-1252). The publisher kit refuses to publish a loss by default."""

    message: str
    record_id: str
    field: str | None = None
    lost: str = LOST_ROW
    said: Said | None = None
    """What `message` says after its place, as a message the publisher kit says in bokmål and
    English (`message` is the English an operator's harvest report gives)."""


@dataclass
class VariableList:
    """What a list holds; `notes` say what was passed over that is not a mistake (a sheet of prose)."""

    variables: list[Variable] = field(default_factory=list)
    codelists: list[CodeList] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)
    """Each variable's name -> where it is listed ("row 3", "sheet 'Utskrivelse', row 3"): what the
    publisher kit's report names for a finding on the variable, rather than its URI in the feed."""


@dataclass
class Sheet:
    """The rows of one sheet of a workbook (a CSV file is one sheet without a title) and its
    merged ranges, (min_col, min_row, max_col, max_row), 1-based as the sheet's XML gives them."""

    title: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def fill_down(self, header: int) -> None:
        """Give each cell of a merged range below the header row (0-based `header`) the value of
        the range's top cell, in the range's first column, where the value is kept: a "Tabell" cell
        merged over six rows is every row's table, as the sheet shows it, not the first row's
        alone. A range that starts in or above the header (a heading over two header rows) is
        left as it is, and nothing is spread sideways (a heading merged over two columns would
        name both)."""
        for min_col, min_row, _max_col, max_row in self.merged:
            if min_row <= header + 1 or min_col > MAX_COLUMNS or min_row > len(self.rows):
                continue
            top = self.rows[min_row - 1]
            value = top[min_col - 1] if len(top) >= min_col else None
            if value is None:
                continue
            for row in self.rows[min_row : min(max_row, len(self.rows))]:
                if len(row) < min_col:
                    row.extend([None] * (min_col - len(row)))
                row[min_col - 1] = value


@dataclass
class Layout:
    """How to read one source's lists; `columns` maps a heading (any case) to a field."""

    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    language: str = "nb"
    max_uncompressed: int = 100 * 1024 * 1024

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Layout:
        columns = {_norm(k): str(v) for k, v in (options.get("columns") or {}).items()}
        for heading, name in columns.items():
            if _base_field(name) not in FIELDS:
                raise VarlistError(msg.COLUMN_NOT_A_FIELD.of(heading=heading, name=name, fields=", ".join(FIELDS)))
        header_row = options.get("header_row")
        return cls(
            columns=columns,
            sheet=options.get("sheet"),
            header_row=int(header_row) if header_row else None,
            encoding=options.get("encoding"),
            delimiter=options.get("delimiter"),
            language=options.get("language", "nb"),
            max_uncompressed=int(options.get("max_uncompressed_bytes", cls.max_uncompressed)),
        )

    def field_of(self, heading: Any) -> str | None:
        key = _norm(heading)
        if self.columns:
            return self.columns.get(key)
        if key in DEFAULT_HEADINGS or _squeezed(key) == key:  # "shortname" is no heading of ours
            return DEFAULT_HEADINGS.get(key)
        return SQUEEZED_HEADINGS.get(_squeezed(key))


def _squeezed(heading: str) -> str:
    return re.sub(r"[\s_-]+", "", heading)


SQUEEZED_HEADINGS = {_squeezed(heading): name for heading, name in DEFAULT_HEADINGS.items()}
"""The known headings without spaces, hyphens or underscores: a heading written with them,
"Variabel navn", "Gyldig_fra" and "Kode-verk", is the heading it spells (one written without, the
Datahotel's "shortname", is not "short name"). "Variabel navn;Etikett;..." found no header row, and the
kit published nothing (a registry's drill, 2026-12-07)."""


def _norm(heading: Any) -> str:
    """A heading as compared: case, spacing, marks around it ("*", ":", a stray BOM or "?") ignored."""
    return re.sub(r"\s+", " ", str(heading or "")).strip().lstrip("\ufeff?*").rstrip(":*").strip().lower()


def _base_field(name: str) -> str:
    base, _, lang = name.rpartition("_")
    return base if base in LOCALISED and lang.isalpha() and len(lang) == 2 else name


# --- reading the table ----------------------------------------------------------------------


def file_kind(content: bytes, url: str = "", content_type: str = "") -> str:
    """ "xlsx" or "csv", from the bytes first (servers mislabel), then type and URL."""
    if content.startswith(b"PK\x03\x04"):
        return "xlsx"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise VarlistError(msg.OLD_EXCEL.of())
    if "spreadsheetml" in content_type or url.split("?", 1)[0].lower().endswith((".xlsx", ".xlsm")):
        raise VarlistError(msg.NOT_A_ZIP.of())
    return "csv"


def check_xlsx(content: bytes, max_uncompressed: int) -> None:
    """Refuse zip bombs and XML with DTDs before any XML parser sees the workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise VarlistError(msg.XLSX_DAMAGED.of(cause=exc)) from exc
    if len(members) > MAX_MEMBERS:
        raise VarlistError(msg.XLSX_TOO_MANY_PARTS.of(count=f"{len(members):,}", limit=f"{MAX_MEMBERS:,}"))
    total = sum(m.file_size for m in members)
    if total > max_uncompressed:
        raise VarlistError(msg.XLSX_TOO_BIG.of(size=f"{total:,}", limit=f"{max_uncompressed:,}"))
    with archive:
        for member in members:
            if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with archive.open(member) as stream:
                    head = stream.read(XML_HEAD)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise VarlistError(msg.XLSX_PART_DAMAGED.of(part=member.filename, cause=exc)) from exc
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                head = head.decode("utf-16", errors="replace").encode()
            if re.search(rb"<!\s*(DOCTYPE|ENTITY)", head, re.I):
                raise VarlistError(msg.XLSX_DOCTYPE.of(part=member.filename))


MERGE_CELL = re.compile(rb"""<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref\s*=\s*["']([A-Za-z]+\d+:[A-Za-z]+\d+)["']""")
MERGE_SCAN_CHUNK = 1024 * 1024
MERGE_SCAN_OVERLAP = 1024


def merged_ranges(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of the sheet stored in `part`, streamed from its XML.

    openpyxl's read-only mode, which keeps a list of 100,000 variables at 181 MB where the full
    mode took 2.3 GB (and 44.5 s against 16.5 s), never reads `<mergeCells>`. Read here in 1 MB
    pieces, looked for with a substring test and parsed only where one is found (a tag cannot
    hold "<" in its text, so a cell's text never matches): 0.2 s on that list's 48 MB of XML,
    in bounded memory (measured 2026-12-07)."""
    from openpyxl.utils.cell import range_boundaries

    refs: set[bytes] = set()
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(MERGE_SCAN_CHUNK):
            window = tail + chunk
            if b"mergeCell" in window:
                refs.update(MERGE_CELL.findall(window))
            tail = window[-MERGE_SCAN_OVERLAP:]
    bounds = [range_boundaries(ref.decode("ascii")) for ref in refs]
    return sorted((a, b, c, d) for a, b, c, d in bounds if a and b and c and d)  # every one: MERGE_CELL's form


def xlsx_sheets(content: bytes, layout: Layout) -> list[Sheet]:
    """Every sheet of the workbook (or the configured one), each with its merged ranges."""
    check_xlsx(content, layout.max_uncompressed)
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged files
        raise VarlistError(msg.XLSX_UNREADABLE.of(cause=f"{type(exc).__name__}: {exc}")) from exc
    try:
        if layout.sheet:
            if layout.sheet not in book.sheetnames:
                raise VarlistError(msg.NO_SHEET.of(sheet=layout.sheet, sheets=", ".join(book.sheetnames)))
            names = [layout.sheet]
        else:
            names = book.sheetnames
        sheets = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in names:
                sheet = book[name]
                if not isinstance(sheet, ReadOnlyWorksheet):  # a chart sheet holds no rows
                    continue
                sheet.reset_dimensions()  # the stored dimension may lie; never pad rows to it
                try:
                    rows = [list(r) for r in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)]
                    # the part openpyxl read the rows from (not in its public API nor its stubs)
                    merged = merged_ranges(archive, sheet._worksheet_path)  # type: ignore[attr-defined]
                except Exception as exc:  # noqa: BLE001
                    raise VarlistError(msg.SHEET_UNREADABLE.of(sheet=sheet.title, cause=exc)) from exc
                sheets.append(Sheet(sheet.title, rows, merged))
        return sheets
    finally:
        book.close()


def decode(content: bytes, declared: str | None, layout: Layout) -> tuple[str, Problem | None]:
    """Text of a CSV file: the configured encoding, else UTF-8 (BOM or not), else Windows-1252 with a warning."""
    if layout.encoding:
        try:
            return content.decode(layout.encoding), None
        except (UnicodeDecodeError, LookupError) as exc:
            raise VarlistError(msg.NOT_CONFIGURED_ENCODING.of(encoding=layout.encoding, cause=exc)) from exc
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode(declared if declared and declared != "utf-8" else "utf-8"), None
    except (UnicodeDecodeError, LookupError) as exc:
        why = (
            msg.BAD_BYTE.of(reason=exc.reason, byte=exc.start)
            if isinstance(exc, UnicodeDecodeError)
            else msg.UNKNOWN_ENCODING.of()
        )
        said = msg.READ_AS_CP1252.of(encoding=declared or "UTF-8", why=why)
        warning = Problem(said.text("en"), "file", "encoding", LOST_NOTHING, said)
        return content.decode("cp1252", errors="replace"), warning


def sniff_delimiter(text: str) -> str:
    head = text[:8192].splitlines()[:10]
    counts = {d: sum(line.count(d) for line in head) for d in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_rows(text: str, layout: Layout, problems: list[Problem]) -> Iterator[list[Any]]:
    """Rows of a CSV text; a row the csv module cannot parse becomes a Problem and an empty row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter or sniff_delimiter(text), strict=True)
    row = 0
    while True:
        row += 1
        try:
            yield next(reader)[:MAX_COLUMNS]
        except StopIteration:
            return
        except csv.Error as exc:
            said = msg.NOT_CSV_LINE.of(cause=exc)
            problems.append(Problem(f"row {row}: {said.text('en')}", f"row {row}", None, LOST_ROW, said))
            yield []


def table_sheets(
    content: bytes, url: str, content_type: str, charset: str | None, layout: Layout, problems: list[Problem]
) -> list[Sheet]:
    """The sheets of an XLSX file or the one of a CSV file (a decoding warning goes to `problems`);
    `VarlistError` if unreadable."""
    if file_kind(content, url, content_type) == "xlsx":
        return xlsx_sheets(content, layout)
    text, warning = decode(content, charset, layout)
    if warning:
        problems.append(warning)
    return [Sheet("", list(csv_rows(text, layout, problems)))]


def table_rows(
    content: bytes,
    url: str,
    content_type: str,
    charset: str | None,
    layout: Layout,
    problems: list[Problem],
    header: Callable[[list[list[Any]]], int | None],
) -> tuple[list[list[Any]], int] | None:
    """The rows of a file holding one table (a frequency table) and the 0-based index of its
    header row, which `header` finds: a CSV file's, or a workbook's first sheet where it finds
    one, its merged cells filled down below the header as a variable list's are
    (`Sheet.fill_down`: a "Variabel" cell merged over its codes' rows names each of them). None
    when no sheet has that header. (The sheet was the first with a variable list's headings,
    else the last, and its merged cells were not filled: every code of a variable but the first
    was a row "naming no variable", skipped.)"""
    for sheet in table_sheets(content, url, content_type, charset, layout, problems):
        found = header(sheet.rows)
        if found is not None:
            sheet.fill_down(found)
            return sheet.rows, found
    return None


# --- mapping rows to variables -------------------------------------------------------------


def find_header(rows: list[list[Any]], layout: Layout) -> int | None:
    """0-based index of the header row: the configured one, else the first naming a name column."""

    def names_columns(row: list[Any]) -> bool:
        fields = [layout.field_of(cell) for cell in row]
        return "name" in fields and sum(f is not None for f in fields) >= 2

    configured = layout.header_row
    if configured and configured <= len(rows) and names_columns(rows[configured - 1]):
        return configured - 1
    # The configured row is a hint: a registry's CSV export often lacks the XLSX title rows.
    return next((i for i, row in enumerate(rows[:HEADER_SCAN_ROWS]) if names_columns(row)), None)


def _no_header(sheets: list[Sheet], layout: Layout) -> Said:
    """Why no header row was found, with the headings the file has and how to map them: a list
    in English or with headings of its own (the Datahotel's `shortname,name,content`) needs
    `options.columns`, which the operator cannot guess from "no header row found" alone."""
    where = msg.HEADER_IN_ROW.of(row=layout.header_row) if layout.header_row else msg.HEADER_AMONG_FIRST.of()
    if len(sheets) > 1:
        where = msg.HEADER_ANY_SHEET.of(where=where, sheets=", ".join(s.title for s in sheets))
    if layout.columns:
        return msg.NO_HEADER_CONFIGURED.of(headings=", ".join(layout.columns), where=where)
    first = next(
        ((s, row) for s in sheets for row in s.rows[:HEADER_SCAN_ROWS] if any(cell_text(c) for c in row)), None
    )
    found: Said | str = ""
    if first:
        of: Said | str = msg.OF_SHEET.of(sheet=first[0].title) if len(sheets) > 1 else ""
        found = msg.FIRST_ROW_READS.of(of=of, cells=", ".join(cell_text(c) for c in first[1] if cell_text(c)))
    return msg.NO_HEADER.of(where=where, found=found, how=msg.MAP_HEADINGS.of())
    # `how`: as a source's settings map a list's own headings; the publisher kit (`catalog.publish`)
    # says it as its metadata file writes it instead (`Said.but(how=...)`).


LAYOUT_OPTIONS = ("columns", "sheet", "header_row", "encoding", "delimiter", "language")
"""The options of a list's layout (`Layout.from_options`), for a source and for the publisher kit."""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_datatype(value: str) -> str | None:
    key = re.sub(r"\s*\(.*\)\s*$", "", value.strip().lower()) or value.strip().lower()
    key = key.removeprefix("xsd:").removeprefix("csvw:")
    return CSVW_TYPES.get(key) or DATATYPE_WORDS.get(key) or DATATYPE_WORDS.get(value.strip().lower())


def parse_date(value: str) -> str | None:
    value = value.strip()
    if re.fullmatch(r"\d{4}", value):
        return value
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", value)
    if match:
        y, m, d = match.groups()
    else:
        match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", value)
        if not match:
            return None
        d, m, y = match.groups()
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


CODE_ITEM = re.compile(r"\s*([^=]+?)\s*=\s*(.*?)\s*", re.S)
SEE_ALSO = re.compile(r"^(se|see)\s+(kodeverk|kodeliste|code\s*list|klassifikasjon)\s*:?\s*", re.I)


NEXT_CODE = re.compile(r",(?=\s*[^\s,;|=]+\s*=)")
"""A comma that begins the next code ("1 = Ja, 2 = Nei"); a comma inside a label ("I64=Hjerneslag,
ikke spesifisert") is followed by no code and stays."""


def parse_codes(value: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Inline codes "1=Ja;2=Nei" (or newlines, `|` or commas between) -> (code, label) pairs and
    unreadable items. Commas are split only where a code follows: "1 = Ja, 2 = Nei, 9 = Ukjent",
    as registries write them, was one code "1" labelled "Ja, 2 = Nei, 9 = Ukjent", published
    without a word (a registry's drill, 2026-12-07)."""
    separator = "\n" if "\n" in value else ";" if ";" in value else "|"
    pairs, bad = [], []
    items = (part.strip() for item in value.split(separator) for part in NEXT_CODE.split(item))
    for item in items:
        if not item:
            continue
        match = CODE_ITEM.fullmatch(item)
        if match:
            pairs.append((match.group(1), match.group(2)))
        else:
            bad.append(item)
    return pairs, bad


@dataclass
class _Context:
    dataset_id: str
    mint: Callable[..., str]
    layout: Layout
    publisher: Agent | None
    out: VariableList
    at: str = ""
    """Where the rows are, before their number: "sheet 'Utskrivelse', " when several sheets are read."""


def _problem(ctx: _Context, row: int, name: str, fld: str, said: Said, lost: str = LOST_VALUE) -> None:
    where = f"{ctx.at}row {row}" + (f" ({name})" if name else "")
    ctx.out.problems.append(Problem(f"{where}: {said.text('en')}", where, fld, lost, said))


def _variable(ctx: _Context, row: int, cells: dict[str, str]) -> Variable | None:
    name = cells.get("name", "")
    if not name:
        if any(cells.values()):
            _problem(ctx, row, "", "name", msg.ROW_WITHOUT_NAME.of(), LOST_ROW)
        return None
    lang = ctx.layout.language
    var = Variable(uri=ctx.mint("variable", ctx.dataset_id, name), name=name)
    for key, value in cells.items():
        if not value or key == "name":
            continue
        base = _base_field(key)
        if base in LOCALISED:
            getattr(var, base)[key[len(base) + 1 :] or lang] = value
        elif key == "datatype":
            known = parse_datatype(value)
            if known is None:
                _problem(ctx, row, name, "datatype", msg.UNKNOWN_DATATYPE.of(value=value))
            else:
                var.datatype = known
        elif key in ("valid_from", "valid_to"):
            date = parse_date(value)
            if date is None:
                _problem(ctx, row, name, key, msg.NOT_A_LIST_DATE.of(value=value))
            setattr(var, key, date)
        elif key == "codes":
            _codes(ctx, row, var, value)
        elif key == "keywords":
            var.keywords = [w.strip() for w in re.split(r"[,;]", value) if w.strip()]
        else:
            setattr(var, key, value)
    return var


def _codes(ctx: _Context, row: int, var: Variable, value: str) -> None:
    """Inline codes become a CodeList record; a URL is a link to one; anything else names a coding system."""
    if re.fullmatch(r"https?://\S+", value):
        if _IRI.fullmatch(value):
            var.codelist = value
        else:  # stated as it is, it broke the Turtle of the feed ("does not look like a valid URI")
            _problem(ctx, row, var.name, "codes", msg.NOT_A_WEB_ADDRESS.of(value=value))
        return
    pairs, bad = parse_codes(value)
    if not pairs:
        var.coding_system = var.coding_system or SEE_ALSO.sub("", value)
        return
    if bad:
        _problem(ctx, row, var.name, "codes", msg.CODES_UNREADABLE.of(codes=", ".join(map(repr, bad))))
    seen: dict[str, Concept] = {}
    for code, label in pairs:
        if code in seen:
            _problem(ctx, row, var.name, "codes", msg.CODE_TWICE.of(code=code))
            continue
        seen[code] = Concept(code=code, label={ctx.layout.language: label} if label else {})
    uri = ctx.mint("codelist", ctx.dataset_id, var.name)
    # Titled by the variable's name, not its label, so relabelling a variable leaves its codes unchanged.
    ctx.out.codelists.append(
        CodeList(
            uri=uri,
            identifier=f"{ctx.dataset_id}/{var.name}",
            title={ctx.layout.language: f"Koder for {var.name}"},
            publisher=ctx.publisher,
            concepts=list(seen.values()),
        )
    )
    var.codelist = uri


def _moved_rows(rows: list[list[Any]], header: int) -> set[int]:
    """The rows of a delimited list with more cells than its headings, where most have no more: a
    cell holding the delimiter unquoted ("1=Mann; 2=Kvinne" in a list separated by ";") moved the
    cells after it, and the row read as it stood gave its codes cut short and "2=Kvinne" as a
    date. (A list whose every row ends with one more delimiter than its headings is its tool's
    way of writing, not a mistake.)"""
    width = len(rows[header])
    data = range(header + 1, len(rows))
    longer = {i for i in data if len(rows[i]) > width}
    return longer if 2 * len(longer) <= len(data) else set()


def read_varlist(
    content: bytes,
    *,
    url: str,
    dataset_id: str,
    mint: Callable[..., str],
    options: Mapping[str, Any] | None = None,
    content_type: str = "",
    charset: str | None = None,
    publisher: Agent | None = None,
) -> VariableList:
    """Variables and inline code lists of one CSV/XLSX list; raises VarlistError if it cannot be read at all.

    URIs come from `mint("variable" | "codelist", dataset_id, name)`, so they are stable across runs.
    Of a workbook every sheet with a variable list's header row is read, in order (see the module's
    docstring); a variable named on two sheets is one variable, the first kept.
    """
    layout = Layout.from_options(options or {})
    out = VariableList()
    sheets = table_sheets(content, url, content_type, charset, layout, out.problems)
    lists = [(sheet, header) for sheet in sheets if (header := find_header(sheet.rows, layout)) is not None]
    if not lists:
        raise VarlistError(_no_header(sheets, layout))
    read = {id(sheet) for sheet, _ in lists}
    skipped = [sheet.title for sheet in sheets if id(sheet) not in read]
    if skipped:
        out.notes.append(f"sheets not read (no row of headings naming the variable): {', '.join(map(repr, skipped))}")
    ctx = _Context(dataset_id, mint, layout, publisher, out)
    names: dict[str, str] = {}
    delimited = file_kind(content, url, content_type) != "xlsx"
    for sheet, header in lists:
        if len(lists) > 1:
            ctx.at = f"sheet {sheet.title!r}, "
        sheet.fill_down(header)
        for var in _sheet_variables(ctx, sheet.rows, header, names, delimited):
            if len(lists) > 1 and not var.table:
                var.table = sheet.title
            out.variables.append(var)
    out.rows = names
    return out


def _sheet_variables(
    ctx: _Context, rows: list[list[Any]], header: int, names: dict[str, str], delimited: bool
) -> Iterator[Variable]:
    """The variables of the rows under `header`; `names` holds where each name was first listed."""
    fields = [ctx.layout.field_of(cell) for cell in rows[header]]
    moved = _moved_rows(rows, header) if delimited else set()
    for index in range(header + 1, len(rows)):
        row = index + 1
        if index in moved:
            _problem(
                ctx,
                row,
                cell_text(rows[index][fields.index("name")]) if len(rows[index]) > fields.index("name") else "",
                "row",
                msg.ROW_MOVED.of(cells=len(rows[index]), headings=len(fields)),
                LOST_ROW,
            )
            continue
        cells = {f: cell_text(v) for f, v in zip(fields, rows[index], strict=False) if f}  # rows may be ragged
        name = cells.get("name", "")
        if name in names:
            _problem(ctx, row, name, "name", msg.ALREADY_LISTED.of(name=name, where=names[name]), LOST_ROW)
            continue
        var = _variable(ctx, row, cells)
        if var is not None:
            names[name] = f"{ctx.at}row {row}"
            yield var
