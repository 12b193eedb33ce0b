"""Survey studies over OAI-PMH 2.0 as DDI-Codebook 2.5 or DDI-Lifecycle 3.2 (Colectica fragments).

A run asks `Identify` for the datestamp granularity, then pages through `ListRecords`
(`options.metadata_prefix`, default oai_ddi25; optional `options.set`) with resumption tokens.
Each page is parsed record by record and every record is freed once mapped, so memory holds one
page's bytes and one study's records, whatever the repository's size.

Incremental: the checkpoint keeps the newest datestamp seen (`from` of the next run, cut to the
repository's granularity) and which records each OAI identifier produced. The next run gets only
what changed since; OAI deleted headers delete what that identifier produced, and a changed
study deletes the code lists it no longer has; the records of identifiers not listed are
reported present. Only a full run (no checkpoint) ends with
`Complete`, because only it lists everything. `noRecordsMatch` means nothing changed.

Mapping. The DDI flavour is chosen by the metadata's root element, so any prefix naming either
works. A study becomes a `Dataset` (URI minted from its study id, since DDI has no URIs) whose
variables keep their labels, question texts and datatypes; the categories of a variable become
a `CodeList` the variable links to (DDI-C: one per variable; DDI-L: one per DDI CodeList of the
study). Labels keep their xml:lang; untagged text takes `options.language` (default untagged).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from catalog.countries import country_iri
from catalog.disclosure import CountsError, DatasetCounts, Summary, Table, table_of
from catalog.markup import without_markup
from catalog.model import Agent, CodeList, Concept, Dataset, LangText, Variable
from harvesters.base import Checkpoint, Complete, Deleted, Event, Failed, Harvested, Harvester, Present, SourceError
from harvesters.safexml import XML_LANG, clean, iter_elements, parse, texts
from harvesters.sniff import kind_hint

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ACCEPT = "text/xml, application/xml;q=0.9, */*;q=0.1"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
NON_PUBLIC = ACCESS_RIGHT + "NON_PUBLIC"
NESSTAR_QUESTION = re.compile(r"^\s*[A-Za-z][^\s|]{0,11}\|\s*")
"""Nesstar prefixes a variable's label with its question number ("A3|Radio: ...", "F22-24|...", "Ha|..."):
the label is the rest."""
MAX_PAGES = 1_000_000
OAI_ERRORS = {
    "badResumptionToken": "the repository rejected our resumption token (it expired or the repository changed "
    "while we paged); the next run starts the listing again",
    "cannotDisseminateFormat": "the repository does not offer the metadata format we asked for",
    "badArgument": "the repository refused our request as malformed",
    "badVerb": "the server does not understand the OAI-PMH verb (is this an OAI-PMH endpoint?)",
    "noSetHierarchy": "the repository has no sets, but a set is configured for this source",
}
DDI_L_TYPES = {
    "Integer": "integer",
    "BigInteger": "integer",
    "Long": "integer",
    "Short": "integer",
    "Decimal": "decimal",
    "Float": "decimal",
    "Double": "decimal",
    "Date": "date",
    "DateTime": "dateTime",
    "Year": "gYear",
    "Duration": "duration",
}


@dataclass
class MappingError(Exception):
    """A record that cannot be mapped at all; `field` names the DDI element at fault."""

    message: str
    field: str


@dataclass
class Study:
    """What one OAI record maps to, plus problems with single variables that did not stop it."""

    dataset: Dataset
    codelists: list[CodeList]
    problems: list[tuple[str, str, str]]  # (record id, field, message)
    tables: list[Table] = field(default_factory=list)  # the variables' counts (DDI-C catStat, sumStat)

    @property
    def counts(self) -> DatasetCounts:
        return DatasetCounts(self.dataset.uri, tuple(self.tables))


def _lang(element: etree._Element, default: str) -> str:
    """The element's language: xml:lang, or Nesstar's `xml-lang` (DDI 1.2.2) unless it is its "xy" (unknown)."""
    nesstar = element.get("xml-lang")
    return element.get(XML_LANG) or (nesstar if nesstar and nesstar != "xy" else None) or default


def _own(element: etree._Element) -> str:
    """The element's own text, without its children's (DDI 2.5 nests a <concept> in collMode)."""
    return " ".join((element.text or "").split())


def _contact(elements: Iterable[etree._Element], lang: str) -> Agent | None:
    """DDI's distStmt/contact or useStmt/contact as a contact point: name, e-mail, web page.

    Archives write it several ways: attributes (`URI`, `email`), plain text, or an HTML link as
    text (UK Data Service: `<a href=...>Get in touch</a>`), whose target is the web page."""
    for element in elements:
        raw = clean(element)
        link = re.search(r"href\s*=\s*[\"']?(https?://[^\"'\s>]+)", raw)
        address = element.get("email") or next(iter(re.findall(r"[\w.+-]+@[\w-]+\.[\w.-]+", raw)), None)
        url = element.get("URI") if re.match(r"https?://", element.get("URI") or "") else None
        name = "" if link else re.sub(r"<[^>]+>", "", raw).strip()
        if name or address or url or link:
            return Agent(
                name={_lang(element, lang): name} if name else {},
                email=address.removeprefix("mailto:") if address else None,
                url=url or (link.group(1) if link else None),
            )
    return None


NO_RESTRICTION = {"none", "aucune", "keine", "ingen", "ei", "no restrictions"}
"""restrctn texts that say there is no restriction (FORS's Nesstar writes "Aucune")."""
EU_REPO_ACCESS = {
    "openaccess": "PUBLIC",
    "restrictedaccess": "RESTRICTED",
    "embargoedaccess": "NON_PUBLIC",
    "closedaccess": "NON_PUBLIC",
}
"""OpenAIRE's access terms in useStmt/conditions (`info:eu-repo/semantics/restrictedAccess`) -> EU access rights."""


def _access_rights(stdy: etree._Element) -> str | None:
    """The EU access right a study states: OpenAIRE's term when given, NON_PUBLIC for any other restriction."""
    for element in stdy.iterfind("{*}dataAccs/{*}useStmt/{*}conditions"):
        term = clean(element).rsplit("/", 1)[-1].casefold()
        if term in EU_REPO_ACCESS:
            return ACCESS_RIGHT + EU_REPO_ACCESS[term]
    stated = [clean(e) for e in stdy.iterfind("{*}dataAccs/{*}useStmt/{*}restrctn")]
    stated += [clean(e) for e in stdy.iterfind("{*}dataAccs/{*}useStmt/{*}conditions")]
    if any(text and text.casefold().strip(" .") not in NO_RESTRICTION for text in stated):
        return NON_PUBLIC
    return None


def _keywords(stdy: etree._Element, lang: str) -> dict[str, list[str]]:
    """Subject keywords; an empty keyword element names its term by ID (FSD); topic classes when no keyword."""
    keywords: dict[str, list[str]] = {}
    for tag in ("keyword", "topcClas"):
        for kw in stdy.iterfind(f"{{*}}stdyInfo/{{*}}subject/{{*}}{tag}"):
            words = [clean(kw)] if tag == "keyword" else [w.strip() for w in clean(kw).split(",")]
            if not any(words) and kw.get("ID"):
                words = [kw.get("ID", "").replace("_", " ")]
            for word in filter(None, words):
                if word not in keywords.setdefault(_lang(kw, lang), []):
                    keywords[_lang(kw, lang)].append(word)
        if keywords:
            return keywords
    return keywords


def _texts_by_lang(elements: Iterable[etree._Element], lang: str) -> dict[str, list[str]]:
    """Each element's text as a keyword, by language."""
    out: dict[str, list[str]] = {}
    for element in elements:
        if clean(element):
            out.setdefault(_lang(element, lang), []).append(clean(element))
    return out


def _first_author(stdy: etree._Element) -> list[etree._Element]:
    """The first AuthEnty, in each language it is given in."""
    authors = list(stdy.iterfind("{*}citation/{*}rspStmt/{*}AuthEnty"))
    return [a for a in authors if clean(a) == clean(authors[0])] if authors else []


def _provenance(stdy: etree._Element, lang: str) -> LangText:
    """How the data were collected (method/dataColl: mode of collection, sampling, sources), per language."""
    parts: dict[str, list[str]] = {}
    for tag in ("collMode", "sampProc", "sources/{*}dataSrc"):
        for element in stdy.iterfind(f"{{*}}method/{{*}}dataColl/{{*}}{tag}"):
            own = _own(element) or clean(element)
            if own:
                parts.setdefault(_lang(element, lang), []).append(own.rstrip("."))
    return {language: ". ".join(found) + "." for language, found in parts.items()}


def _first(element: etree._Element | None, *paths: str) -> str:
    """The first non-empty text among `paths` below `element`."""
    if element is None:
        return ""
    for path in paths:
        for found in element.iterfind(path):
            value = clean(found)
            if value:
                return value
    return ""


def utc(stamp: str | None) -> str | None:
    """An OAI datestamp as xsd:dateTime in UTC: FORS's Nesstar writes `2015-05-04T22:55:30+0000`."""
    if not stamp:
        return None
    found = re.fullmatch(r"(.+T[\d:.]+)([+-])(\d{2}):?(\d{2})", stamp.strip())
    if not found:
        return stamp
    try:
        parsed = datetime.fromisoformat(f"{found.group(1)}{found.group(2)}{found.group(3)}:{found.group(4)}")
    except ValueError:
        return stamp
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _statistic(element: etree._Element, tag: str, kind: str) -> float | None:
    """An unweighted statistic of a variable (sumStat) or category (catStat) of the given type.

    Weighted ones (wgtd="wgtd") are estimates for the population, not counts of records; a value
    that is not a number counts as not stated."""
    for found in element.iterfind("{*}" + tag):
        if found.get("type", "freq" if tag == "catStat" else "") == kind and found.get("wgtd") != "wgtd":
            try:
                value = float(clean(found).replace(",", "."))
            except ValueError:
                return None
            return value if math.isfinite(value) else None
    return None


def _agent(name: LangText) -> Agent | None:
    return Agent(name=name) if name else None


class OaiDdiHarvester(Harvester):
    kind = "oai-ddi"

    # --- the protocol -----------------------------------------------------------------------

    def request(self, args: dict[str, str]) -> tuple[str, bytes]:
        fetched = self.http.get(self.source.url, params=args, accept=ACCEPT)
        return fetched.url, fetched.content

    def granularity(self) -> str:
        """The repository's datestamp granularity from Identify (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)."""
        url, content = self.request({"verb": "Identify"})
        root = parse(content, url, self.kind)
        if root.tag != OAI + "OAI-PMH":
            raise SourceError(
                f"the answer to Identify is not an OAI-PMH response (root element {root.tag!r})",
                url,
                hint=kind_hint(content.decode("utf-8", "replace"), self.kind),
            )
        self._raise_error(root.find(OAI + "error"), url)
        return _first(root, f"{OAI}Identify/{OAI}granularity") or "YYYY-MM-DD"

    @staticmethod
    def _raise_error(error: etree._Element | None, url: str) -> None:
        if error is None:
            return
        code = error.get("code", "")
        said = clean(error)
        plain = OAI_ERRORS.get(code, "the repository answered with an OAI-PMH error")
        raise SourceError(f"{plain} ({code}: {said})" if said else f"{plain} ({code})", url)

    def list_records(self, args: dict[str, str]) -> Iterator[tuple[str, etree._Element]]:
        """(page URL, record element) for every record of the list, page by page."""
        tokens: set[str] = set()
        for _ in range(MAX_PAGES):
            url, content = self.request(args)
            token: str | None = None
            for element in iter_elements(
                content, url, (OAI + "record", OAI + "resumptionToken", OAI + "error", OAI + "OAI-PMH"), self.kind
            ):
                if element.tag == OAI + "record":
                    yield url, element
                elif element.tag == OAI + "resumptionToken":
                    token = clean(element)
                elif element.tag == OAI + "error":
                    if element.get("code") == "noRecordsMatch":
                        return
                    self._raise_error(element, url)
                elif element.find(OAI + "ListRecords") is None and token is None:
                    raise SourceError(
                        "the answer to ListRecords is neither a list of records nor an OAI-PMH error", url
                    )
            if not token:
                return
            if token in tokens:
                raise SourceError(f"the repository sent the resumption token {token!r} twice (a paging loop)", url)
            tokens.add(token)
            args = {"verb": "ListRecords", "resumptionToken": token}
        raise SourceError(f"ListRecords did not end after {MAX_PAGES} pages", self.source.url)

    # --- a run ------------------------------------------------------------------------------

    def harvest(self) -> Iterator[Event]:
        options = self.source.options
        granularity = self.granularity()
        since = self.state.get("from")
        previous: dict[str, list[str]] = json.loads(self.state.get("records", "{}"))
        args = {"verb": "ListRecords", "metadataPrefix": str(options.get("metadata_prefix", "oai_ddi25"))}
        if options.get("set"):
            args["set"] = str(options["set"])
        if since:
            args["from"] = since[:10] if len(granularity) <= len("YYYY-MM-DD") else since
        records = dict(previous) if since else {}
        listed: set[str] = set()
        newest = since or ""
        for url, element in self.list_records(args):
            header = element.find(OAI + "header")
            ident = _first(header, OAI + "identifier")
            if header is None or not ident:
                yield Failed("a record has no OAI identifier in its header, so it was skipped", url, None, "identifier")
                continue
            newest = max(newest, _first(header, OAI + "datestamp"))
            if ident in listed:
                yield Failed(
                    f"the record {ident} is listed more than once; the first was kept", url, ident, "identifier"
                )
                continue
            listed.add(ident)
            if header.get("status") == "deleted":
                yield from (Deleted(uri) for uri in records.pop(ident, previous.get(ident, [])))
                continue
            yield from self._record(url, ident, header, element.find(OAI + "metadata"), records, previous)
        if since:
            for ident, uris in previous.items():
                if ident not in listed:
                    yield from (Present(uri) for uri in uris)
        else:
            yield Complete()
        yield Checkpoint({"from": newest, "records": json.dumps(records, sort_keys=True)} if newest else {})

    def _record(
        self,
        url: str,
        ident: str,
        header: etree._Element,
        metadata: etree._Element | None,
        records: dict[str, list[str]],
        previous: dict[str, list[str]],
    ) -> Iterator[Event]:
        try:
            root = next(iter(metadata), None) if metadata is not None else None
            if root is None:
                raise MappingError("the record has no metadata", "metadata")
            study = self.study(root, ident, _first(header, OAI + "datestamp") or None)
        except MappingError as exc:
            yield Failed(
                f"the record {ident} could not be mapped: {exc.message}; its last good version is kept",
                url,
                ident,
                exc.field,
            )
            records[ident] = previous.get(ident, [])
            yield from (Present(uri) for uri in records[ident])
            return
        for record_id, fld, message in study.problems:
            yield Failed(message, url, record_id, fld)
        records[ident] = [study.dataset.uri, *(cl.uri for cl in study.codelists)]
        yield Harvested(study.dataset, url, study.counts)
        yield from (Harvested(cl, url) for cl in study.codelists)
        yield from (Deleted(uri) for uri in set(previous.get(ident, [])) - set(records[ident]))

    def study(self, root: etree._Element, ident: str, stamp: str | None) -> Study:
        name = etree.QName(root).localname
        if name == "codeBook":
            return self.codebook(root, ident, stamp)
        if name in ("FragmentInstance", "DDIInstance"):
            return self.lifecycle(root, ident, stamp)
        raise MappingError(
            f"the metadata is <{name}>, neither a DDI-Codebook codeBook nor a DDI-Lifecycle FragmentInstance",
            "metadata",
        )

    # --- DDI-Codebook 2.5 -------------------------------------------------------------------

    def codebook(self, cb: etree._Element, ident: str, stamp: str | None) -> Study:
        lang = _lang(cb, str(self.source.options.get("language", "")))
        stdy = cb.find("{*}stdyDscr")
        if stdy is None:
            raise MappingError("the codeBook has no stdyDscr (study description)", "stdyDscr")
        cit = stdy.find("{*}citation")
        study_id = _first(cit, "{*}titlStmt/{*}IDNo") or cb.get("ID") or ident
        info = stdy.find("{*}stdyInfo")
        summary = info.find("{*}sumDscr") if info is not None else None
        cases = _first(cb, "{*}fileDscr/{*}fileTxt/{*}dimensns/{*}caseQnty")
        # The study's producer, else its distributor, else the archive that produced the codebook
        # (docDscr's producer), as CESSDA's Data Catalogue falls back to it: FSD's 2305 names no
        # agent of the study, only "Finnish Social Science Data Archive" there, and had no publisher.
        publisher = None
        for agents in (
            list(stdy.iterfind("{*}citation/{*}prodStmt/{*}producer")),
            list(stdy.iterfind("{*}citation/{*}distStmt/{*}distrbtr")),
            list(cb.iterfind("{*}docDscr/{*}citation/{*}prodStmt/{*}producer")),
        ):
            publisher = _agent(texts(agents, lang))
            if publisher is not None:
                publisher.url = next((e.get("URI") for e in agents if re.match(r"https?://", e.get("URI") or "")), None)
                break
        dataset = Dataset(
            uri=self.mint("dataset", study_id),
            identifier=study_id,
            title=texts(stdy.iterfind("{*}citation/{*}titlStmt/{*}titl"), lang),
            description=without_markup(texts(stdy.iterfind("{*}stdyInfo/{*}abstract"), lang)),
            publisher=publisher,
            contact=_contact(
                (
                    *stdy.iterfind("{*}citation/{*}distStmt/{*}contact"),
                    *stdy.iterfind("{*}dataAccs/{*}useStmt/{*}contact"),
                ),
                lang,
            ),
            creator=_agent(texts(_first_author(stdy), lang)),
            keywords=_keywords(stdy, lang),
            provenance=_provenance(stdy, lang),
            population_coverage=texts(summary.iterfind("{*}universe"), lang) if summary is not None else {},
            spatial=_nations(summary),
            temporal_start=self._period(summary, "start"),
            temporal_end=self._period(summary, "end"),
            access_rights=_access_rights(stdy),
            issued=self._dist_date(cit),
            modified=utc(stamp),
            version=_first(cit, "{*}verStmt/{*}version") or None,
            number_of_unique_individuals=int(cases) if cases.isdigit() else None,
        )
        study = Study(dataset, [], [])
        seen: set[str] = set()
        for var in cb.iterfind("{*}dataDscr/{*}var"):
            variable = self._ddic_variable(var, study, study_id, lang, seen)
            if variable is not None:
                dataset.variables.append(variable)
        dataset.has_structured_data = bool(dataset.variables) or None
        return study

    @staticmethod
    def _dist_date(citation: etree._Element | None) -> str | None:
        found = citation.find("{*}distStmt/{*}distDate") if citation is not None else None
        return (found.get("date") or clean(found) or None) if found is not None else None

    @staticmethod
    def _period(summary: etree._Element | None, event: str) -> str | None:
        """Start or end of the study's time period (timePrd, else collDate), as the DDI states it."""
        if summary is None:
            return None
        for tag in ("timePrd", "collDate"):
            for element in summary.iterfind("{*}" + tag):
                if element.get("event") in (event, "single"):
                    value = element.get("date") or clean(element)
                    if value:
                        return value
        return None

    def _ddic_variable(
        self, var: etree._Element, study: Study, study_id: str, lang: str, seen: set[str]
    ) -> Variable | None:
        name = (var.get("name") or "").strip()
        where = f"{study_id} {name or var.get('ID', '?')}"
        if not name:
            study.problems.append(
                (
                    where,
                    "name",
                    f"study {study_id}: a variable ({var.get('ID', 'without ID')}) has no name, so it was skipped",
                )
            )
            return None
        if name in seen:
            study.problems.append(
                (where, "name", f"study {study_id}: the variable {name} occurs more than once; the first was kept")
            )
            return None
        seen.add(name)
        lang = _lang(var, lang)
        title = {
            language: NESSTAR_QUESTION.sub("", label)
            for language, label in texts(
                (e for e in var.iterfind("{*}labl") if e.get("level") in (None, "variable")), lang
            ).items()
        }
        question = texts(var.iterfind("{*}qstn/{*}qstnLit"), lang) or texts(
            (q for q in var.iterfind("{*}qstn") if q.text and q.text.strip()), lang
        )
        fmt = var.find("{*}varFormat")
        variable = Variable(
            uri=self.mint("variable", study_id, name),
            name=name,
            title=title,
            description=texts(var.iterfind("{*}txt"), lang),
            question=question,
            datatype=self._ddic_datatype(var, fmt),
            unit=_first(var, "{*}notes[@subject='unit']") or None,
        )
        concepts = []
        frequencies: list[tuple[str, float, bool]] = []
        for cat in var.iterfind("{*}catgry"):
            code = _first(cat, "{*}catValu")
            if not code:
                study.problems.append(
                    (
                        where,
                        "catValu",
                        f"study {study_id}, variable {name}: a category has no value (catValu), so it was skipped",
                    )
                )
                continue
            concept = Concept(
                code=code, label=texts(cat.iterfind("{*}labl"), _lang(cat, lang)), missing=cat.get("missing") == "Y"
            )
            concepts.append(concept)
            frequency = _statistic(cat, "catStat", "freq")
            if frequency is not None:
                frequencies.append((code, frequency, concept.missing))
        self._ddic_counts(var, variable, frequencies, study, study_id, where)
        if concepts:
            codelist = CodeList(
                uri=self.mint("codelist", study_id, name),
                identifier=f"{study_id}/{name}",
                title=title,
                publisher=study.dataset.publisher,
                concepts=concepts,
            )
            study.codelists.append(codelist)
            variable.codelist = codelist.uri
        return variable

    @staticmethod
    def _ddic_counts(
        var: etree._Element,
        variable: Variable,
        frequencies: list[tuple[str, float, bool]],
        study: Study,
        study_id: str,
        where: str,
    ) -> None:
        """The variable's frequency table and summary (unweighted catStat freq, sumStat), if stated."""
        values = {kind: _statistic(var, "sumStat", kind) for kind in ("vald", "invd", "min", "max", "mean", "stdev")}
        if not frequencies and values["vald"] is None and values["invd"] is None:
            return
        counted = [values["vald"], values["invd"], *(f for _c, f, _m in frequencies)]
        if any(v is not None and (v < 0 or v != int(v)) for v in counted):
            study.problems.append(
                (
                    where,
                    "sumStat",
                    f"study {study_id}, variable {variable.name}: a count is negative or not whole; "
                    "its counts were left out",
                )
            )
            return
        summary = Summary(
            valid=None if values["vald"] is None else int(values["vald"]),
            invalid=None if values["invd"] is None else int(values["invd"]),
            minimum=values["min"],
            maximum=values["max"],
            mean=values["mean"],
            stdev=values["stdev"],
        )
        try:
            study.tables.append(table_of(variable.uri, [(c, int(f), m) for c, f, m in frequencies], summary))
        except CountsError as exc:
            study.problems.append(
                (where, "catStat", f"study {study_id}, variable {variable.name}: {exc}; its counts were left out")
            )

    @staticmethod
    def _ddic_datatype(var: etree._Element, fmt: etree._Element | None) -> str:
        if fmt is None:
            return "string"
        if fmt.get("category") in ("date", "time"):
            return "date" if fmt.get("category") == "date" else "time"
        if fmt.get("type") == "numeric":
            decimals = var.get("dcml", "0")
            return "decimal" if var.get("intrvl") == "contin" or decimals not in ("", "0") else "integer"
        return "string"

    # --- DDI-Lifecycle 3.2 ------------------------------------------------------------------

    def lifecycle(self, root: etree._Element, ident: str, stamp: str | None) -> Study:
        lang = str(self.source.options.get("language", ""))
        items: dict[tuple[str, str], etree._Element] = {}
        for fragment in root.iterfind("{*}Fragment"):
            for item in fragment:
                items[(etree.QName(item).localname, _first(item, "{*}ID"))] = item
        top = _first(root, "{*}TopLevelReference/{*}ID")
        unit = items.get(("StudyUnit", top))
        if unit is None:
            unit = next((v for (k, _), v in items.items() if k == "StudyUnit"), None)
        if unit is None:
            raise MappingError("the fragments hold no StudyUnit", "StudyUnit")
        study_id = _first(unit, "{*}Citation/{*}InternationalIdentifier/{*}IdentifierContent", "{*}ID") or ident
        dataset = Dataset(
            uri=self.mint("dataset", study_id),
            identifier=study_id,
            title=texts(unit.iterfind("{*}Citation/{*}Title/{*}String"), lang),
            description=texts(unit.iterfind("{*}Abstract/{*}Content"), lang),
            publisher=_agent(
                texts(unit.iterfind("{*}Citation/{*}Publisher/{*}PublisherName/{*}String"), lang)
                or texts(unit.iterfind("{*}Citation/{*}Creator/{*}CreatorName/{*}String"), lang)
            ),
            keywords=_texts_by_lang(unit.iterfind("{*}Coverage/{*}TopicalCoverage/{*}Keyword"), lang),
            temporal_start=_first(unit, "{*}Coverage/{*}TemporalCoverage/{*}ReferenceDate/{*}StartDate") or None,
            temporal_end=_first(unit, "{*}Coverage/{*}TemporalCoverage/{*}ReferenceDate/{*}EndDate") or None,
            modified=stamp,
        )
        study = Study(dataset, [], [])
        schemes = [
            items.get(("VariableScheme", _first(ref, "{*}ID"))) for ref in unit.iterfind("{*}VariableSchemeReference")
        ]
        variable_ids = [
            _first(ref, "{*}ID")
            for scheme in schemes
            if scheme is not None
            for ref in scheme.iterfind("{*}VariableReference")
        ]
        if not variable_ids:
            variable_ids = [k for kind, k in items if kind == "Variable"]
        codelists: dict[str, CodeList] = {}
        seen: set[str] = set()
        for vid in variable_ids:
            var = items.get(("Variable", vid))
            if var is None:
                study.problems.append(
                    (
                        f"{study_id} {vid}",
                        "VariableReference",
                        f"study {study_id}: the variable scheme refers to variable {vid}, which is "
                        "not among the fragments",
                    )
                )
                continue
            variable = self._ddil_variable(var, items, study, study_id, lang, codelists, seen)
            if variable is not None:
                dataset.variables.append(variable)
        study.codelists = list(codelists.values())
        dataset.has_structured_data = bool(dataset.variables) or None
        return study

    def _ddil_variable(
        self,
        var: etree._Element,
        items: dict[tuple[str, str], etree._Element],
        study: Study,
        study_id: str,
        lang: str,
        codelists: dict[str, CodeList],
        seen: set[str],
    ) -> Variable | None:
        name = _first(var, "{*}VariableName/{*}String")
        vid = _first(var, "{*}ID")
        where = f"{study_id} {name or vid}"
        if not name or name in seen:
            message = (
                "has no VariableName, so it was skipped" if not name else "occurs more than once; the first was kept"
            )
            study.problems.append((where, "VariableName", f"study {study_id}: the variable {name or vid} {message}"))
            return None
        seen.add(name)
        question: LangText = {}
        for ref in var.iterfind("{*}QuestionReference"):
            qid = _first(ref, "{*}ID")
            item = items.get(("QuestionItem", qid), items.get(("QuestionGrid", qid)))
            if item is not None:
                question = texts(item.iterfind("{*}QuestionText/{*}LiteralText/{*}Text"), lang)
        variable = Variable(
            uri=self.mint("variable", study_id, name),
            name=name,
            title=texts(var.iterfind("{*}Label/{*}Content"), lang),
            description=texts(var.iterfind("{*}Description/{*}Content"), lang),
            question=question,
        )
        representation = var.find("{*}VariableRepresentation")
        if representation is None:
            return variable
        numeric = _first(representation, "{*}NumericRepresentation/{*}NumericTypeCode")
        dated = _first(representation, "{*}DateTimeRepresentation/{*}DateTypeCode")
        variable.datatype = DDI_L_TYPES.get(numeric or dated, "decimal" if numeric else "date" if dated else "string")
        cl_id = _first(representation, "{*}CodeRepresentation/{*}CodeListReference/{*}ID")
        if cl_id:
            codelist = codelists.get(cl_id) or self._ddil_codelist(cl_id, items, study, study_id, where, lang)
            if codelist is not None:
                codelists[cl_id] = codelist
                variable.codelist = codelist.uri
                if all(c.code.lstrip("-").isdigit() for c in codelist.concepts):
                    variable.datatype = "integer"
        return variable

    def _ddil_codelist(
        self,
        cl_id: str,
        items: dict[tuple[str, str], etree._Element],
        study: Study,
        study_id: str,
        where: str,
        lang: str,
    ) -> CodeList | None:
        element = items.get(("CodeList", cl_id))
        if element is None:
            study.problems.append(
                (
                    where,
                    "CodeListReference",
                    f"study {study_id}: code list {cl_id} is referred to but not among the fragments",
                )
            )
            return None
        concepts = []
        for code in element.iterfind("{*}Code"):
            category = items.get(("Category", _first(code, "{*}CategoryReference/{*}ID")))
            label = texts(category.iterfind("{*}Label/{*}Content"), lang) if category is not None else {}
            concepts.append(
                Concept(
                    code=_first(code, "{*}Value"),
                    label=label,
                    missing=category is not None and category.get("missing") == "true",
                )
            )
        return CodeList(
            uri=self.mint("codelist", study_id, cl_id),
            identifier=f"{study_id}/{cl_id}",
            title=texts(element.iterfind("{*}Label/{*}Content"), lang),
            publisher=study.dataset.publisher,
            concepts=[c for c in concepts if c.code],
        )


def _nations(summary: etree._Element | None) -> list[str]:
    """The countries a study's `nation` elements name, by their ISO code (`abbr`) or English name,
    as EU country IRIs (`catalog.countries`), each once; a nation that is no country there
    ("England") is left out."""
    found: list[str] = []
    for nation in summary.iterfind("{*}nation") if summary is not None else ():
        iri = country_iri(nation.get("abbr") or "") or country_iri(clean(nation))
        if iri and iri not in found:
            found.append(iri)
    return found
