"""The errors the publisher kit stops with, and the checks of values it shares with the operator's
`catalog.toml` (`catalog.config`), each one message in bokmål, nynorsk and English.

A registry's staff read Norwegian first, and the kit's report speaks "bokmål | English"
("[Advarsel | Warning] ..."); its errors spoke English alone ("error: metadata.toml:
access_license (line 33): 'min lisens' is not a licence: ..."). Each message is written once here,
with its three languages side by side, and said as the report says its texts: "bokmål | English",
the nynorsk kept beside them as every table of `catalog.texts` keeps it (`tests/test_texts.py`
checks all three). What names the place (the file, the key, its line) is put before the message by
the caller and is not translated: it is what the registry writes, in any language.

Placeholders are `str.format` fields (`{value!r}`: the value as the file wrote it, quoted); a
message's three languages name the same ones (`tests/test_messages.py` formats every message).
"""

from __future__ import annotations

import string
from typing import Any, NamedTuple


class Message(NamedTuple):
    """One error message in bokmål, nynorsk and English, with the same placeholders in each."""

    nb: str
    nn: str
    en: str

    def __call__(self, **values: Any) -> str:
        """The message said as the kit's report says its texts: "bokmål | English"."""
        return f"{self.text('nb', **values)} | {self.text('en', **values)}"

    def text(self, lang: str, **values: Any) -> str:
        """The message in one language (nb, nn or en); a value that is itself a `Said` message
        (a part of the sentence: "in row 3", how to map headings) is said in that language too."""
        return str(getattr(self, lang)).format(
            **{name: value.text(lang) if isinstance(value, Said) else value for name, value in values.items()}
        )

    def of(self, **values: Any) -> Said:
        """The message with its values, to be said later in the language its reader reads: the
        variable list's errors (`harvesters.varlist`) are English in an operator's harvest report,
        "bokmål | English" in the publisher kit's."""
        return Said(self, values)

    def fields(self) -> dict[str, set[str]]:
        """The placeholders of each language's text: they must be the same."""
        return {
            lang: {name for _, name, _, _ in string.Formatter().parse(text) if name}
            for lang, text in zip(("nb", "nn", "en"), self, strict=True)
        }


class Said(NamedTuple):
    """A message with its values: `text(lang)` in one language, `str()` "bokmål | English"."""

    message: Message
    values: dict[str, Any]

    def text(self, lang: str) -> str:
        return self.message.text(lang, **self.values)

    def __str__(self) -> str:
        return self.message(**self.values)

    def but(self, **values: Any) -> Said:
        """The same message with some of its values said otherwise (the kit's way to map headings)."""
        return Said(self.message, {**self.values, **{k: v for k, v in values.items() if k in self.values}})


# --- values: metadata.toml's keys and an operator's defaults (catalog.config) ------------------

NOT_IRI = Message(
    "{value!r} er ikke en http(s)-IRI", "{value!r} er ikkje ein http(s)-IRI", "{value!r} is not an http(s) IRI"
)
NOT_EMAIL = Message(
    "{value!r} er ikke en e-postadresse", "{value!r} er ikkje ei e-postadresse", "{value!r} is not an e-mail address"
)
EMPTY_TEXT = Message(
    "{value!r} er tom: skriv teksten, eller en tabell av språk -> tekst",
    "{value!r} er tom: skriv teksten, eller ein tabell av språk -> tekst",
    "{value!r} is empty: write the text, or a table of language -> text",
)
NOT_TEXT_OR_TABLE = Message(
    "{value!r} er verken en tekst eller en tabell av språk -> tekst",
    "{value!r} er verken ein tekst eller ein tabell av språk -> tekst",
    "{value!r} is neither a text nor a table of language -> text",
)
AGENT_NOT_TABLE = Message(
    "må være en tabell med {keys} (fikk {value!r})",
    "må vere ein tabell med {keys} (fekk {value!r})",
    "must be a table with {keys} (got {value!r})",
)
AGENT_UNKNOWN_KEY = Message(
    "ukjent nøkkel {unknown}; nøklene er {keys}",
    "ukjend nøkkel {unknown}; nøklane er {keys}",
    "unknown key {unknown}; the keys are {keys}",
)
AGENT_EMPTY = Message(
    "er tom; gi minst én av {keys}", "er tom; gje minst éin av {keys}", "is empty; give at least one of {keys}"
)
NOT_IRI_OR_CODE = Message(
    "{value!r} er verken en http(s)-IRI eller en kode i {vocabulary}",
    "{value!r} er verken ein http(s)-IRI eller ei kode i {vocabulary}",
    "{value!r} is neither an http(s) IRI nor a code of {vocabulary}",
)
NOT_CODE_OF = Message(
    "{value!r} er ikke en kode i {vocabulary}: skriv en av {codes}",
    "{value!r} er ikkje ei kode i {vocabulary}: skriv ei av {codes}",
    "{value!r} is not a code of {vocabulary}: write one of {codes}",
)
PUBLISHER_TYPE_CLOSE = Message(
    "{value!r} er ikke en utgivertype: skriv koden eller navnet (nb, nn eller en) på en i HealthDCAT-APs eller "
    "ADMS' EU-liste over utgivertyper, eller dens http(s)-IRI; de nærmeste: {names}",
    "{value!r} er ikkje ein utgivartype: skriv koden eller namnet (bokmål, nynorsk eller engelsk) på ein i HealthDCAT-AP- eller "
    "ADMS-lista til EU over utgivartypar, eller http(s)-IRI-en til typen; dei nærmaste: {names}",
    "{value!r} is not a publisher type: write the code or the name (nb, nn or en) of one in HealthDCAT-AP's or "
    "ADMS's EU publisher-type list, or its http(s) IRI; the closest: {names}",
)
PUBLISHER_TYPE_CODES = Message(
    "{value!r} er ikke en utgivertype: skriv koden eller navnet (nb, nn eller en) på en i HealthDCAT-APs eller "
    "ADMS' EU-liste over utgivertyper, eller dens http(s)-IRI; kodene: {codes}",
    "{value!r} er ikkje ein utgivartype: skriv koden eller namnet (bokmål, nynorsk eller engelsk) på ein i HealthDCAT-AP- eller "
    "ADMS-lista til EU over utgivartypar, eller http(s)-IRI-en til typen; kodane: {codes}",
    "{value!r} is not a publisher type: write the code or the name (nb, nn or en) of one in HealthDCAT-AP's or "
    "ADMS's EU publisher-type list, or its http(s) IRI; the codes: {codes}",
)
NOT_ACCESS_LEVEL = Message(
    "{value!r} er ikke et tilgangsnivå: skriv ett av {levels}",
    "{value!r} er ikkje eit tilgangsnivå: skriv eitt av {levels}",
    "{value!r} is not an access level: write one of {levels}",
)
NOT_IRIS = Message(
    "{value!r} er ikke en liste av IRI-er", "{value!r} er ikkje ei liste av IRI-ar", "{value!r} is not a list of IRIs"
)
NOT_TEXTS = Message(
    '{value!r} er ikke en liste av tekster, f.eks. ["I21", "I22"]',
    '{value!r} er ikkje ei liste av tekstar, t.d. ["I21", "I22"]',
    '{value!r} is not a list of texts, e.g. ["I21", "I22"]',
)
NOT_KEYWORDS = Message(
    "{value!r} er verken en liste av emneord eller en tabell av språk -> emneord",
    "{value!r} er verken ei liste av emneord eller ein tabell av språk -> emneord",
    "{value!r} is neither a list of keywords nor a table of language -> keywords",
)
NOT_COUNT = Message(
    "{value!r} er ikke et helt tall >= 0", "{value!r} er ikkje eit heiltal >= 0", "{value!r} is not a whole number >= 0"
)
NOT_BOOL = Message(
    "{value!r} er ikke true eller false", "{value!r} er ikkje true eller false", "{value!r} is not true or false"
)
NOT_DATE = Message(
    "{value!r} er ikke en dato (ÅÅÅÅ, ÅÅÅÅ-MM, ÅÅÅÅ-MM-DD eller et tidspunkt)",
    "{value!r} er ikkje ein dato (ÅÅÅÅ, ÅÅÅÅ-MM, ÅÅÅÅ-MM-DD eller eit tidspunkt)",
    "{value!r} is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a date-time)",
)
NOT_STRING = Message("{value!r} er ikke en tekst", "{value!r} er ikkje ein tekst", "{value!r} is not a text")

# --- the publisher kit's own (catalog.publish) -------------------------------------------------

NOT_UTF8 = Message(
    "er ikke UTF-8 (byte {byte} ved {at}): lagre filen som UTF-8",
    "er ikkje UTF-8 (byte {byte} ved {at}): lagre fila som UTF-8",
    "is not UTF-8 (byte {byte} at {at}): save it as UTF-8",
)
METADATA_UNREADABLE = Message(
    "kan ikke lese metadatafilen ({cause})",
    "kan ikkje lese metadatafila ({cause})",
    "cannot read the metadata file ({cause})",
)
NO_BASE_URL = Message(
    'base_url må si hvor strømmen skal ligge, f.eks. base_url = "https://registry.example.no/dcat/"',
    'base_url må seie kvar straumen skal liggje, t.d. base_url = "https://registry.example.no/dcat/"',
    'base_url must say where the feed will be hosted, e.g. base_url = "https://registry.example.no/dcat/"',
)
DATASETS_NOT_TABLES = Message(
    "datasets må være tabeller, [datasets.<filnavn uten .csv/.xlsx>]",
    "datasets må vere tabellar, [datasets.<filnamn utan .csv/.xlsx>]",
    "datasets must be tables, [datasets.<file name without .csv/.xlsx>]",
)
KIT_AGENT_NOT_TABLE = Message(
    "må være en tabell av {keys} (fikk {value!r})",
    "må vere ein tabell av {keys} (fekk {value!r})",
    "must be a table of {keys} (got {value!r})",
)
NOT_ORG_NUMBER = Message(
    "{value!r} er ikke et organisasjonsnummer",
    "{value!r} er ikkje eit organisasjonsnummer",
    "{value!r} is not an organisation number",
)
NO_SCHEME = Message(
    '{value!r} mangler skjema; skriv den i sin helhet, f.eks. "https://{address}"',
    '{value!r} manglar skjema; skriv adressa heil, t.d. "https://{address}"',
    '{value!r} has no scheme; write it in full, e.g. "https://{address}"',
)
UNKNOWN_KEY_CLOSE = Message(
    "ukjent nøkkel; mente du {close}?", "ukjend nøkkel; meinte du {close}?", "unknown key; did you mean {close}?"
)
UNKNOWN_KEY = Message(
    "ukjent nøkkel; nøklene er {keys}", "ukjend nøkkel; nøklane er {keys}", "unknown key; the keys are {keys}"
)
NOT_KIT_TEXT = Message(
    "må være en tekst eller en tabell av språk -> tekst (fikk {value!r})",
    "må vere ein tekst eller ein tabell av språk -> tekst (fekk {value!r})",
    "must be a text or a table of language -> text (got {value!r})",
)
NOT_LICENCE = Message(
    "{value!r} er ikke en lisens: skriv http(s)-IRI-en til lisensen eller til vilkårene dataene utleveres "
    "under, eller navnet på en av {names}",
    "{value!r} er ikkje ein lisens: skriv http(s)-IRI-en til lisensen eller til vilkåra dataa blir utleverte "
    "under, eller namnet på ein av {names}",
    "{value!r} is not a licence: write the http(s) IRI of the licence or of the terms the data are given out "
    "under, or the name of one of {names}",
)
NOT_FILE_TYPE = Message(
    "{value!r} er ikke et format i EUs file-type-liste ({list}): skriv koden ({codes}), IRI-en, eller en "
    "medietype som text/csv",
    "{value!r} er ikkje eit format i file-type-lista til EU ({list}): skriv koden ({codes}), IRI-en, eller ein "
    "medietype som text/csv",
    "{value!r} is not a format of the EU file-type list ({list}): write its code ({codes}), its IRI, or a media "
    "type such as text/csv",
)
ACCESS_WITHOUT_URL = Message(
    "sier hva som utleveres ved access_url, og {file} har ingen; gi access_url (for alle listene, eller "
    "under [datasets.{stem}])",
    "seier kva som blir utlevert ved access_url, og {file} har ingen; gje access_url (for alle listene, eller "
    "under [datasets.{stem}])",
    "says what is given out at access_url, and {file} has none; give access_url (for all lists, or under "
    "[datasets.{stem}])",
)
NOT_A_LIST_FILE = Message(
    "gi en variabelliste (.csv eller .xlsx), eller en mappe med slike",
    "gje ei variabelliste (.csv eller .xlsx), eller ei mappe med slike",
    "give a .csv or .xlsx variable list, or a folder of them",
)
NO_LIST_FILES = Message(
    "fant ingen variabellister (.csv eller .xlsx)",
    "fann ingen variabellister (.csv eller .xlsx)",
    "no .csv or .xlsx variable lists found",
)
NO_METADATA = Message(
    "metadatafilen mangler; skriv en med tittel, utgiver, kontaktpunkt, rettslig grunnlag og helsekategorier "
    "(`catalog publish --template liste.xlsx` skriver et eksempel på {file} ved siden av malen)",
    "metadatafila manglar; skriv ei med tittel, utgivar, kontaktpunkt, rettsleg grunnlag og helsekategoriar "
    "(`catalog publish --template liste.xlsx` skriv eit døme på {file} ved sida av malen)",
    "metadata file missing; write one with title, publisher, contact, legal basis and health categories "
    "(`catalog publish --template liste.xlsx` writes an example {file} beside the template)",
)
NO_VARIABLES = Message(
    "listen har ingen variabler: ingenting under overskriftene ble lest",
    "lista har ingen variablar: ingenting under overskriftene vart lese",
    "the list holds no variable: nothing under its headings was read",
)
NOTHING_PUBLISHED = Message(
    "ingenting publisert: {count} feil i {files} (listet over); {out} ble stående som den var",
    "ingenting publisert: {count} feil i {files} (lista over); {out} vart ståande som ho var",
    "nothing published: {count} error(s) in {files} (listed above); {out} was left as it was",
)


PUBLISHED_WITHOUT = Message(
    "{problem} (publisert uten det: --partial)",
    "{problem} (publisert utan det: --partial)",
    "{problem} (published without it: --partial)",
)
UNREADABLE_LIST = Message(
    "{cause}; overskriftene er {headings}",
    "{cause}; overskriftene er {headings}",
    "{cause}; the headings are {headings}",
)
MAP_IN_METADATA = Message(
    'oppgi listens egne overskrifter i metadata.toml, f.eks. columns = {{ shortname = "name", name = "title" }} '
    "(eller under [datasets.{stem}])",
    'oppgi dei eigne overskriftene til lista i metadata.toml, t.d. columns = {{ shortname = "name", name = "title" }} '
    "(eller under [datasets.{stem}])",
    'map your own headings in metadata.toml, e.g. columns = {{ shortname = "name", name = "title" }} '
    "(or under [datasets.{stem}])",
)

# --- a variable list the kit and the `spreadsheet` harvester read (harvesters.varlist) ---------
# The location before each (the file, "row 3 (KJONN)", the sheet) is not translated: the kit's
# report and an operator's harvest report name it so. An operator reads the English alone.

COLUMN_NOT_A_FIELD = Message(
    "kolonneoppsettet sender {heading!r} til {name!r}, som ikke er et felt vi kjenner; bruk ett av {fields}",
    "kolonneoppsettet sender {heading!r} til {name!r}, som ikkje er eit felt vi kjenner; bruk eitt av {fields}",
    "the column mapping sends {heading!r} to {name!r}, which is not a field we know; use one of {fields}",
)
OLD_EXCEL = Message(
    "dette er en gammel Excel 97-2003-fil (.xls), som vi ikke kan lese; lagre den som .xlsx eller CSV",
    "dette er ei gammal Excel 97-2003-fil (.xls), som vi ikkje kan lese; lagre ho som .xlsx eller CSV",
    "this is an old Excel 97-2003 (.xls) file, which we cannot read; save it as .xlsx or CSV",
)
NOT_A_ZIP = Message(
    "filen skulle være XLSX, men er ikke et zip-arkiv; den er skadet eller feilmerket",
    "fila skulle vere XLSX, men er ikkje eit zip-arkiv; ho er skadd eller feilmerkt",
    "the file should be XLSX but is not a zip archive; it is damaged or mislabelled",
)
XLSX_DAMAGED = Message(
    "XLSX-filen er skadet og kan ikke åpnes ({cause})",
    "XLSX-fila er skadd og kan ikkje opnast ({cause})",
    "the XLSX file is damaged and cannot be opened ({cause})",
)
XLSX_TOO_MANY_PARTS = Message(
    "XLSX-arkivet har {count} deler, flere enn de {limit} vi godtar",
    "XLSX-arkivet har {count} delar, fleire enn dei {limit} vi godtek",
    "the XLSX archive has {count} parts, more than the {limit} we accept",
)
XLSX_TOO_BIG = Message(
    "XLSX-filen pakkes ut til {size} byte, over grensen på {limit} (mulig zip-bombe)",
    "XLSX-fila blir pakka ut til {size} byte, over grensa på {limit} (mogleg zip-bombe)",
    "the XLSX file unpacks to {size} bytes, over the limit of {limit} (possible zip bomb)",
)
XLSX_PART_DAMAGED = Message(
    "XLSX-filen er skadet: delen {part} kan ikke leses ({cause})",
    "XLSX-fila er skadd: delen {part} kan ikkje lesast ({cause})",
    "the XLSX file is damaged: part {part} cannot be read ({cause})",
)
XLSX_DOCTYPE = Message(
    "avviste en XLSX-fil der delen {part} erklærer en DOCTYPE eller entiteter (mulig XXE- eller "
    "entitetsutvidelsesangrep)",
    "avviste ei XLSX-fil der delen {part} erklærer ein DOCTYPE eller entitetar (mogleg XXE- eller "
    "entitetsutvidingsåtak)",
    "refused an XLSX file whose part {part} declares a DOCTYPE or entities (possible XXE or entity expansion attack)",
)
XLSX_UNREADABLE = Message(
    "XLSX-filen kan ikke leses ({cause})",
    "XLSX-fila kan ikkje lesast ({cause})",
    "the XLSX file cannot be read ({cause})",
)
NO_SHEET = Message(
    "arbeidsboken har ikke noe ark {sheet!r}; den har {sheets}",
    "arbeidsboka har ikkje noko ark {sheet!r}; ho har {sheets}",
    "the workbook has no sheet {sheet!r}; it has {sheets}",
)
SHEET_UNREADABLE = Message(
    "arket {sheet!r} i XLSX-filen kan ikke leses ({cause})",
    "arket {sheet!r} i XLSX-fila kan ikkje lesast ({cause})",
    "sheet {sheet!r} of the XLSX file cannot be read ({cause})",
)
NOT_CONFIGURED_ENCODING = Message(
    "filen er ikke gyldig {encoding} slik den er satt opp ({cause})",
    "fila er ikkje gyldig {encoding} slik ho er sett opp ({cause})",
    "the file is not valid {encoding} as configured ({cause})",
)
READ_AS_CP1252 = Message(
    "filen er ikke gyldig {encoding} ({why}); den ble lest som Windows-1252 (Latin-1): sjekk at æ, ø og å "
    "ser riktige ut, og lagre den som UTF-8",
    "fila er ikkje gyldig {encoding} ({why}); ho vart lesen som Windows-1252 (Latin-1): sjekk at æ, ø og å "
    "ser rette ut, og lagre ho som UTF-8",
    "the file is not valid {encoding} ({why}); it was read as Windows-1252 (Latin-1): check that æ, ø and å "
    "look right, and save it as UTF-8",
)
BAD_BYTE = Message("{reason} ved byte {byte}", "{reason} ved byte {byte}", "{reason} at byte {byte}")
UNKNOWN_ENCODING = Message("en ukjent tegnkoding", "ein ukjend teiknkoding", "an unknown encoding")
NOT_CSV_LINE = Message(
    "linjen er ikke gyldig CSV ({cause}); den ble hoppet over",
    "linja er ikkje gyldig CSV ({cause}); ho vart hoppa over",
    "the line is not valid CSV ({cause}); it was skipped",
)
NO_HEADER_CONFIGURED = Message(
    "fant ingen overskriftsrad: ventet en rad med de oppsatte kolonneoverskriftene ({headings}){where}",
    "fann inga overskriftsrad: venta ei rad med dei oppsette kolonneoverskriftene ({headings}){where}",
    "no header row found: expected a row with the configured column headings ({headings}){where}",
)
NO_HEADER = Message(
    "fant ingen overskriftsrad: ventet en rad som navngir variabelen (Variabelnavn, Variabel eller Navn) og "
    "minst én kolonne til som vi kjenner (Etikett, Beskrivelse, Datatype...){where}{found}; {how}",
    "fann inga overskriftsrad: venta ei rad som namngjev variabelen («Variabelnavn», «Variabel» eller «Navn») og "
    "minst éin kolonne til som vi kjenner («Etikett», «Beskrivelse», «Datatype»...){where}{found}; {how}",
    "no header row found: expected a row naming the variable (Variabelnavn, Variabel or Navn) and at "
    "least one more known column (Etikett, Beskrivelse, Datatype...){where}{found}; {how}",
)
HEADER_IN_ROW = Message(" i rad {row}", " i rad {row}", " in row {row}")
HEADER_AMONG_FIRST = Message(" blant de første radene", " blant dei første radene", " among the first rows")
HEADER_ANY_SHEET = Message(
    "{where} i noen av arkene ({sheets})", "{where} i nokon av arka ({sheets})", "{where} of any sheet ({sheets})"
)
FIRST_ROW_READS = Message(
    "; den første raden{of} lyder: {cells}",
    "; den første rada{of} lyder: {cells}",
    "; the first row{of} reads: {cells}",
)
OF_SHEET = Message(" i arket {sheet!r}", " i arket {sheet!r}", " of sheet {sheet!r}")
MAP_HEADINGS = Message(
    'oppgi listens egne overskrifter med options.columns, f.eks. {{"columns": {{"shortname": "name", "name": "title"}}}}',
    'oppgi dei eigne overskriftene til lista med options.columns, t.d. {{"columns": {{"shortname": "name", "name": "title"}}}}',
    'map your own headings with options.columns, e.g. {{"columns": {{"shortname": "name", "name": "title"}}}}',
)
ROW_WITHOUT_NAME = Message(
    "raden har ikke noe variabelnavn, så den ble hoppet over",
    "rada har ikkje noko variabelnamn, så ho vart hoppa over",
    "the row has no variable name, so it was skipped",
)
UNKNOWN_DATATYPE = Message(
    "datatypen {value!r} er ikke en vi kjenner; bruk en av integer, decimal, string, date, dateTime, gYear, "
    "boolean (eller heltall, desimaltall, tekst, dato, år, ja/nei)",
    "datatypen {value!r} er ikkje ein vi kjenner; bruk ein av integer, decimal, string, date, dateTime, gYear, "
    "boolean (eller heltall, desimaltall, tekst, dato, år, ja/nei)",
    "the data type {value!r} is not one we know; use one of integer, decimal, string, date, dateTime, gYear, "
    "boolean (or heltall, desimaltall, tekst, dato, år, ja/nei)",
)
NOT_A_LIST_DATE = Message(
    "{value!r} er ikke en dato; skriv den som 2024-01-31 eller 31.01.2024",
    "{value!r} er ikkje ein dato; skriv han som 2024-01-31 eller 31.01.2024",
    "{value!r} is not a date; write it as 2024-01-31 or 31.01.2024",
)
NOT_A_WEB_ADDRESS = Message(
    '{value!r} er ikke en nettadresse: den inneholder et mellomrom eller et av <>"{{}}|^`',
    '{value!r} er ikkje ei nettadresse: ho inneheld eit mellomrom eller eitt av <>"{{}}|^`',
    '{value!r} is not a web address: it holds a space or one of <>"{{}}|^`',
)
CODES_UNREADABLE = Message(
    "kunne ikke lese kodene {codes}; skriv koder som 1=Ja;2=Nei (de andre ble beholdt)",
    "kunne ikkje lese kodane {codes}; skriv kodar som 1=Ja;2=Nei (dei andre vart haldne på)",
    "could not read the codes {codes}; write codes as 1=Ja;2=Nei (the others were kept)",
)
CODE_TWICE = Message(
    "koden {code!r} forekommer mer enn én gang; den første ble beholdt",
    "koden {code!r} finst meir enn éin gong; den første vart halden på",
    "the code {code!r} occurs more than once; the first was kept",
)
ROW_MOVED = Message(
    "raden har {cells} celler der overskriftene er {headings}: en celle som inneholder skilletegnet, må stå i "
    'anførselstegn ("1=Mann; 2=Kvinne"); denne raden ble hoppet over',
    "rada har {cells} celler der overskriftene er {headings}: ei celle som inneheld skiljeteiknet, må stå i "
    'hermeteikn ("1=Mann; 2=Kvinne"); denne rada vart hoppa over',
    "the row has {cells} cells where the headings are {headings}: a cell holding the delimiter must be in "
    'quotes ("1=Mann; 2=Kvinne"); this row was skipped',
)
ALREADY_LISTED = Message(
    "variabelen {name} er allerede oppført i {where}; denne raden ble hoppet over",
    "variabelen {name} er allereie ført opp i {where}; denne rada vart hoppa over",
    "the variable {name} was already listed in {where}; this row was skipped",
)


def all_messages() -> dict[str, Message]:
    """Every message of this module by its name, for the tests that read them all."""
    return {name: value for name, value in globals().items() if isinstance(value, Message)}
