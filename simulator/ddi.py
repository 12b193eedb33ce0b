"""Survey studies as DDI metadata: DDI-Codebook 2.5 (`codeBook`) and DDI-Lifecycle 3.2 fragments.

DDI-C follows the element order of codebook.xsd (docDscr, stdyDscr, fileDscr, dataDscr/var with
labl, qstn/qstnLit, catgry/catValu/labl, varFormat). DDI-L follows Colectica's OAI convention as
Sikt serves it: a `ddi:FragmentInstance` with a TopLevelReference to the StudyUnit and one
`Fragment` per item (StudyUnit, VariableScheme, Variable, QuestionItem, CodeList, Category).
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape, quoteattr

from catalog.model import Dataset, Variable
from simulator.counts import VariableCounts, variable_counts
from simulator.nation import Nation, Source, stamp

DDI25_NS = "ddi:codebook:2_5"
DDI25_SCHEMA = "http://www.ddialliance.org/Specification/DDI-Codebook/2.5/XMLSchema/codebook.xsd"
DDI32_NS = "ddi:instance:3_2"
DDI32_SCHEMA = "http://www.ddialliance.org/Specification/DDI-Lifecycle/3.2/XMLSchema/instance.xsd"
NUMERIC = {"integer", "decimal", "gYear"}
MISSING = ' missing="Y"'


def _e(text: object) -> str:
    return escape(str(text))


def _codes(nation: Nation, source: Source, v: Variable) -> list[tuple[str, str, bool]]:
    if not v.codelist:
        return []
    spec = nation.codelist_spec(v.codelist.rsplit("/", 1)[-1])
    return [(code, nb, code in spec.missing) for code, nb, _en in spec.codes]


def codebook(nation: Nation, source: Source, d: Dataset, study_id: str) -> str:
    """One study as a DDI-Codebook 2.5 document (without XML declaration: it sits in an OAI record)."""
    spec = source.spec
    org = spec.org.name_nb
    titles = "".join(f"<titl xml:lang={quoteattr(lang)}>{_e(t)}</titl>" for lang, t in d.title.items())
    keywords = "".join(f'<keyword xml:lang="nb">{_e(k)}</keyword>' for k in d.keywords.get("nb", []))
    modified, issued, start = stamp(d.modified), stamp(d.issued), stamp(d.temporal_start)
    version = f'<verStmt><version date="{modified[:10]}">{_e(d.version)}</version></verStmt>'
    parts = [
        f'<codeBook xmlns="{DDI25_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="2.5" '
        f'ID={quoteattr(study_id)} xml:lang="nb" xsi:schemaLocation="{DDI25_NS} {DDI25_SCHEMA}">',
        f"<docDscr><citation><titlStmt>{titles}</titlStmt><prodStmt><producer>{_e(org)}</producer></prodStmt>"
        f"</citation></docDscr>",
        f"<stdyDscr><citation><titlStmt>{titles}<IDNo agency={quoteattr(source.name.upper())}>{_e(study_id)}</IDNo>"
        f"</titlStmt><rspStmt><AuthEnty affiliation={quoteattr(org)}>{_e(spec.title_nb)}</AuthEnty></rspStmt>"
        f"<prodStmt><producer abbr={quoteattr(source.name.upper())}>{_e(org)}</producer></prodStmt>"
        f"<distStmt><distrbtr>{_e(org)}</distrbtr>{_contact(d)}"
        f'<distDate date="{issued[:10]}">{issued[:10]}</distDate>'
        f"</distStmt>{version}</citation>",
        f'<stdyInfo><subject>{keywords}</subject><abstract xml:lang="nb">{_e(d.description["nb"])}</abstract>'
        f'<abstract xml:lang="en">{_e(d.description["en"])}</abstract><sumDscr>'
        f'<timePrd event="start" date="{start[:4]}">{start[:4]}</timePrd>'
        f'<timePrd event="end" date="{(d.temporal_end or "")[:4]}">{(d.temporal_end or "")[:4]}</timePrd>'
        f'<nation abbr="NO">Norge</nation><anlyUnit>Individ</anlyUnit>'
        f'<universe xml:lang="nb">{_e(d.population_coverage.get("nb", ""))}</universe>'
        f"<dataKind>Spørreskjema og kliniske målinger</dataKind></sumDscr></stdyInfo>",
        _method(d) + '<dataAccs><useStmt><restrctn xml:lang="nb">Data er ikke åpent tilgjengelige. Tilgang forutsetter '
        "godkjenning fra REK og søknad til forvalter.</restrctn></useStmt></dataAccs></stdyDscr>",
        f'<fileDscr ID="F1"><fileTxt><fileName>{_e(study_id)}.sav</fileName><dimensns>'
        f"<caseQnty>{d.number_of_unique_individuals}</caseQnty><varQnty>{len(d.variables)}</varQnty></dimensns>"
        f"</fileTxt></fileDscr><dataDscr>",
    ]
    for n, v in enumerate(d.variables, 1):
        codes = _codes(nation, source, v)
        intrvl = "discrete" if codes or v.datatype != "decimal" else "contin"
        question = f"<qstn><qstnLit>{_e(v.question['nb'])}</qstnLit></qstn>" if v.question else ""
        counts = variable_counts(nation, source, d, v)
        freq = {code: count for code, count, _m in counts.frequencies} if counts else {}
        categories = "".join(
            f"<catgry{MISSING if missing else ''}><catValu>{_e(code)}</catValu><labl>{_e(label)}</labl>"
            + (f'<catStat type="freq">{freq[code]}</catStat>' if code in freq else "")
            + "</catgry>"
            for code, label, missing in codes
        )
        categories = _sum_stats(counts) + categories
        fmt = "numeric" if v.datatype in NUMERIC or codes and all(c[0].isdigit() for c in codes) else "character"
        notes = f'<notes subject="unit">{_e(v.unit)}</notes>' if v.unit else ""
        described = "".join(f"<txt xml:lang={quoteattr(lang)}>{_e(t)}</txt>" for lang, t in v.description.items())
        parts.append(
            f'<var ID="V{n}" name={quoteattr(v.name)} files="F1" intrvl="{intrvl}">'
            f'<labl level="variable" xml:lang="nb">{_e(v.title["nb"])}</labl>{question}{described}{categories}'
            f'<varFormat type="{fmt}" schema="other"/>{notes}</var>'
        )
    parts.append("</dataDscr></codeBook>")
    return "".join(parts)


def _contact(d: Dataset) -> str:
    """distStmt/contact: who answers questions about the study (DDI-C puts e-mail and web page in attributes)."""
    if d.contact is None:
        return ""
    email = f" email={quoteattr(d.contact.email)}" if d.contact.email else ""
    uri = f" URI={quoteattr(d.contact.url)}" if d.contact.url else ""
    return f"<contact{email}{uri}>{_e(d.contact.name.get('nb', ''))}</contact>"


def _method(d: Dataset) -> str:
    """method/dataColl: where the data come from (the study's provenance)."""
    if not d.provenance:
        return ""
    sources = "".join(f"<dataSrc xml:lang={quoteattr(lang)}>{_e(t)}</dataSrc>" for lang, t in d.provenance.items())
    return f"<method><dataColl><sources>{sources}</sources></dataColl></method>"


def _sum_stats(counts: VariableCounts | None) -> str:
    """sumStat elements (valid and invalid counts, then the summary of a numeric variable), in
    codebook.xsd's order: after qstn, before catgry."""
    if counts is None:
        return ""
    summary = counts.summary
    valid, invalid = summary.valid, summary.invalid
    if counts.frequencies:
        valid = sum(c for _code, c, missing in counts.frequencies if not missing)
        invalid = sum(c for _code, c, missing in counts.frequencies if missing)
    stats = [("vald", valid), ("invd", invalid), ("min", summary.minimum), ("max", summary.maximum)]
    stats += [("mean", summary.mean), ("stdev", summary.stdev)]
    return "".join(f'<sumStat type="{kind}">{value:.12g}</sumStat>' for kind, value in stats if value is not None)


def _id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


AGENCY = "no.sikt"


def _ref(kind: str, ident: str) -> str:
    return (
        f"<r:{kind}Reference><r:Agency>{AGENCY}</r:Agency><r:ID>{ident}</r:ID><r:Version>1</r:Version>"
        f"<r:TypeOfObject>{kind}</r:TypeOfObject></r:{kind}Reference>"
    )


def _head(ident: str, version_date: str) -> str:
    return (
        f'isUniversallyUnique="true" versionDate="{version_date}"><r:URN>urn:ddi:{AGENCY}:{ident}:1</r:URN>'
        f"<r:Agency>{AGENCY}</r:Agency><r:ID>{ident}</r:ID><r:Version>1</r:Version>"
    )


def _label(text: str, tag: str = "r:Label") -> str:
    return f'<{tag}><r:Content xml:lang="nb">{_e(text)}</r:Content></{tag}>'


def fragment_instance(nation: Nation, source: Source, d: Dataset, study_id: str) -> str:
    """One study as a DDI-Lifecycle 3.2 FragmentInstance (Colectica style)."""
    when = stamp(d.modified)
    study = _id(source.name, study_id)
    scheme = _id(source.name, study_id, "variables")
    fragments: list[str] = []
    variables: list[str] = []
    codelists: dict[str, str] = {}
    for v in d.variables:
        vid = _id(source.name, study_id, "variable", v.name)
        variables.append(vid)
        representation: str
        codes = _codes(nation, source, v)
        if codes and v.codelist:
            key = v.codelist.rsplit("/", 1)[-1]
            if key not in codelists:
                cl = codelists[key] = _id(source.name, study_id, "codelist", key)
                items = []
                for code, label, missing in codes:
                    cat = _id(source.name, study_id, "category", key, code)
                    flag = 'missing="true" ' if missing else ""
                    fragments.append(
                        f"<ddi:Fragment><l:Category {flag}{_head(cat, when)}{_label(label)}</l:Category></ddi:Fragment>"
                    )
                    items.append(
                        f"<l:Code {_head(_id(cl, code), when)}{_ref('Category', cat)}"
                        f"<r:Value>{_e(code)}</r:Value></l:Code>"
                    )
                fragments.append(
                    f"<ddi:Fragment><l:CodeList {_head(cl, when)}"
                    f"{_label(nation.codelist_spec(key).title_nb)}{''.join(items)}</l:CodeList>"
                    f"</ddi:Fragment>"
                )
            representation = f"<r:CodeRepresentation>{_ref('CodeList', codelists[key])}</r:CodeRepresentation>"
        elif v.datatype in NUMERIC:
            kind = "Integer" if v.datatype != "decimal" else "Decimal"
            representation = (
                f"<r:NumericRepresentation><r:NumericTypeCode>{kind}</r:NumericTypeCode></r:NumericRepresentation>"
            )
        elif v.datatype in ("date", "dateTime"):
            representation = (
                "<r:DateTimeRepresentation><r:DateTypeCode>Date</r:DateTypeCode></r:DateTimeRepresentation>"
            )
        else:
            representation = "<r:TextRepresentation/>"
        question = ""
        if v.question:
            qid = _id(source.name, study_id, "question", v.name)
            fragments.append(
                f'<ddi:Fragment><d:QuestionItem {_head(qid, when)}<d:QuestionItemName><r:String xml:lang="nb">'
                f"{_e(v.name)}</r:String></d:QuestionItemName><d:QuestionText><d:LiteralText>"
                f'<d:Text xml:lang="nb">{_e(v.question["nb"])}</d:Text></d:LiteralText></d:QuestionText>'
                f"</d:QuestionItem></ddi:Fragment>"
            )
            question = _ref("QuestionItem", qid).replace("QuestionItemReference", "QuestionReference")
        described = " ".join(filter(None, (v.description.get("nb"), f"Enhet: {v.unit}." if v.unit else None)))
        unit = (
            f'<r:Description><r:Content xml:lang="nb">{_e(described)}</r:Content></r:Description>' if described else ""
        )
        fragments.append(
            f'<ddi:Fragment><l:Variable {_head(vid, when)}<l:VariableName><r:String xml:lang="nb">{_e(v.name)}'
            f"</r:String></l:VariableName>{_label(v.title['nb'])}{unit}{question}"
            f"<l:VariableRepresentation>{representation}</l:VariableRepresentation></l:Variable></ddi:Fragment>"
        )
    refs = "".join(_ref("Variable", vid) for vid in variables)
    fragments.insert(
        0,
        f"<ddi:Fragment><l:VariableScheme {_head(scheme, when)}"
        f'<l:VariableSchemeName><r:String xml:lang="nb">Variabler</r:String></l:VariableSchemeName>'
        f"{refs}</l:VariableScheme></ddi:Fragment>",
    )
    titles = "".join(f"<r:String xml:lang={quoteattr(lang)}>{_e(t)}</r:String>" for lang, t in d.title.items())
    fragments.insert(
        0,
        (
            f"<ddi:Fragment><s:StudyUnit {_head(study, when)}<r:Citation><r:Title>{titles}</r:Title>"
            f'<r:Creator><r:CreatorName><r:String xml:lang="nb">{_e(source.spec.org.name_nb)}</r:String>'
            f"</r:CreatorName></r:Creator><r:InternationalIdentifier><r:IdentifierContent>{_e(study_id)}"
            f"</r:IdentifierContent><r:ManagingAgency>{AGENCY}</r:ManagingAgency></r:InternationalIdentifier>"
            f'</r:Citation><r:Abstract><r:Content xml:lang="nb">{_e(d.description["nb"])}</r:Content></r:Abstract>'
            f"<r:Coverage><r:TopicalCoverage>"
            + "".join(f'<r:Keyword xml:lang="nb">{_e(k)}</r:Keyword>' for k in d.keywords.get("nb", []))
            + f"</r:TopicalCoverage><r:TemporalCoverage><r:ReferenceDate><r:StartDate>{d.temporal_start}</r:StartDate>"
            f"<r:EndDate>{d.temporal_end or ''}</r:EndDate></r:ReferenceDate></r:TemporalCoverage></r:Coverage>"
            f"{_ref('VariableScheme', scheme)}</s:StudyUnit></ddi:Fragment>"
        ),
    )
    return (
        f'<ddi:FragmentInstance xmlns:ddi="{DDI32_NS}" xmlns:r="ddi:reusable:3_2" xmlns:s="ddi:studyunit:3_2" '
        f'xmlns:l="ddi:logicalproduct:3_2" xmlns:d="ddi:datacollection:3_2" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{DDI32_NS} {DDI32_SCHEMA}">'
        f"<ddi:TopLevelReference><r:Agency>{AGENCY}</r:Agency><r:ID>{study}</r:ID><r:Version>1</r:Version>"
        f"<r:TypeOfObject>StudyUnit</r:TypeOfObject></ddi:TopLevelReference>{''.join(fragments)}"
        f"</ddi:FragmentInstance>"
    )


def dublin_core(d: Dataset, source: Source, identifier: str) -> str:
    return (
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        + "".join(f"<dc:title xml:lang={quoteattr(lang)}>{_e(t)}</dc:title>" for lang, t in d.title.items())
        + f"<dc:creator>{_e(source.spec.org.name_nb)}</dc:creator>"
        + "".join(f"<dc:subject>{_e(k)}</dc:subject>" for k in d.keywords.get("nb", []))
        + f"<dc:description>{_e(d.description['nb'])}</dc:description><dc:date>{stamp(d.modified)[:10]}</dc:date>"
        + f"<dc:type>Dataset</dc:type><dc:identifier>{_e(identifier)}</dc:identifier><dc:language>nb</dc:language>"
        + "</oai_dc:dc>"
    )
