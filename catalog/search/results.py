"""Result rules every backend applies the same way: which pages may be asked for, facet order, and
when a query is relaxed (a broader code, a compound's words, typos, any of its words) because it
found nothing as typed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from catalog.search import DOC_TYPES, SORTS, BadQuery, Hit, QueryTooComplex, SearchQuery, SearchResult, type_filters
from catalog.search.analysis import (
    FUZZY_EXPANSIONS,
    MAX_CLAUSES,
    MAX_MATCHED_CODES,
    MAX_WINDOW,
    MIN_AFFIX,
    QUALIFIERS,
    STOPWORDS,
    Alternative,
    Decompounder,
    QueryPlan,
    Synonyms,
    analyze_word,
    highlight,
    matched_codes,
)
from catalog.search.codes import any_system_terms, broader, code_like, unlisted, unlisted_terms

KIND_WORDS = frozenset("status type typer verdi verdier informasjon opplysning opplysninger".split())
"""Ends of compounds that say what kind of value a variable holds, not what about (as "data", a
stop word): the compound is its first word. "røykestatus" (smoking status: no variable says it)
was "status" on the demo, as its longer stem, and listed "Vitalstatus" first; "fødselsvektdata"
fell to "fødsel" once "data" became a stop word."""
MIN_LONE_PART = 6
"""Fewest letters of a compound's part searched alone, when the other matches nothing, and of its
stem: a shorter one is as often a stem other words share ("ette" of "etterbyrd", which "etter"
stems to; "etthet" of "beintetthet", which the stemmer cuts to "ett")."""


def check_page(q: SearchQuery) -> None:
    """Refuse pages no backend can serve, with the same message everywhere."""
    if q.offset < 0 or q.limit < 0:
        raise BadQuery("offset and limit must not be negative")
    if q.offset + q.limit > MAX_WINDOW:
        raise BadQuery(f"results beyond the first {MAX_WINDOW} cannot be paged to; narrow the search")
    if q.sort not in SORTS:
        raise BadQuery(f"unknown sort {q.sort!r}; sort by {', '.join(SORTS)}")


def facet_counts(buckets: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Buckets as (value, count), most frequent first, ties A-Z, the same order on every backend."""
    return sorted(((str(b["key"]), int(b["doc_count"])) for b in buckets), key=lambda kv: (-kv[1], kv[0]))


def within_budget(plan: QueryPlan) -> QueryPlan | None:
    """The plan with as many typo expansions as keep it under `MAX_CLAUSES` (Lucene's limit, kept
    on every backend so all refuse and accept the same queries), or None when even without typo
    tolerance it is too long."""
    for expansions in (FUZZY_EXPANSIONS, 3, 1):
        if plan.clauses(expansions) <= MAX_CLAUSES:
            return dataclasses.replace(plan, expansions=expansions)
    return None


def too_complex(detail: str = "") -> QueryTooComplex:
    return QueryTooComplex(f"the query is too complex{': ' + detail if detail else ''}; use fewer or shorter words")


def nothing(q: SearchQuery) -> SearchResult:
    """The answer to a text with no word to search, only symbols or emoji ("😀", "%", "*"): no
    hits, as Elasticsearch's match query gives for text its analyzer makes no terms of
    (`zero_terms_query: none`). Run as a plan of no words, it was the empty text's answer, the
    whole catalogue ("ca. 1 639 variabler for «😀»"). Every count is zero, in the shape a
    backend gives (`SearchQuery.disjunctive`'s totals too)."""
    return SearchResult(
        total=0,
        hits=[],
        facets={name: [] for name in q.facets},
        grouped=q.group and q.type == "variable",
        totals=dict.fromkeys(DOC_TYPES, 0) if q.disjunctive else {},
        no_words=True,
    )


def distances(typos: bool | int | None) -> tuple[int, ...]:
    """The typo allowances a search tries, in order (`SearchQuery.typos`)."""
    if typos is None:
        return (0, 1, 2)
    if typos is True:
        return (2,)
    return (max(0, min(2, int(typos))),)


def relaxed(
    search: Callable[[SearchQuery, QueryPlan], SearchResult], q: SearchQuery, plan: QueryPlan, synonyms: Synonyms
) -> SearchResult:
    """`_relaxed`'s answer, saying which synonyms its words were also searched as."""
    if not plan.units and q.text.strip():
        return nothing(q)
    plan, left_out = fitting(q.text, plan, synonyms)
    if q.type == "dataset" or q.disjunctive:  # only datasets, and the datasets tab's count, can differ
        plan = naming_datasets(search, plan)
    result = _relaxed(search, q, plan, synonyms)
    if plan.synonyms:
        result = dataclasses.replace(result, synonyms=plan.synonyms)
    if plan.related:
        result = dataclasses.replace(result, related=plan.related)
    return dataclasses.replace(result, left_out=left_out) if left_out else result


def naming_datasets(search: Callable[[SearchQuery, QueryPlan], SearchResult], plan: QueryPlan) -> QueryPlan:
    """`plan` with the codes of its common names finding datasets too, by their variables' codes
    (`Alternative.in_datasets`), when it finds no dataset as typed (among all datasets, whatever
    the filters, so a page's hits and its counts decide alike). "heart failure" found 85 variables
    on the demo and no dataset, no title or keyword saying it, while "I50", the code it stands
    for, found 72; "hjertesvikt" fell to any of its parts ("hjerte", "svikt": the dementia
    registry's "kognitiv svikt"). A name some dataset says still finds those alone: every
    dataset with an ICD-10 list holds every diagnosis (`CODE_NAMES_SKIP`)."""
    if not any(a.codes and not a.in_datasets for unit in plan.units for a in unit):
        return plan
    if search(SearchQuery(type="dataset", limit=0, facets=(), highlight=False), plan).total:
        return plan

    def widened(unit: tuple[Alternative, ...]) -> tuple[Alternative, ...]:
        return tuple(dataclasses.replace(a, in_datasets=True) if a.codes else a for a in unit)

    units = tuple(widened(unit) for unit in plan.units)
    return dataclasses.replace(plan, units=units, optional=frozenset(widened(unit) for unit in plan.optional))


def fitting(text: str, plan: QueryPlan, synonyms: Synonyms) -> tuple[QueryPlan, tuple[str, ...]]:
    """`plan` when one search can hold it (`within_budget`), else the plan of as many of the
    text's first words as it can, and the words left out, as typed. A researcher's list of
    fourteen words was refused whole ("too many words to run"); now the first twelve are searched
    and the page names the other two. The cut is the plan's own count of clauses (a word's synonyms
    and codes count), not a number of words: the plan of the first words is made again, the most
    that fit found by halving (a plan grows with its words). `QueryTooComplex` only when the first
    word alone does not fit."""
    if within_budget(plan) is not None:
        return plan, ()
    words = text.split()
    fits: tuple[QueryPlan, int] | None = None
    low, high = 1, len(words) - 1
    while low <= high:
        middle = (low + high) // 2
        shorter = synonyms.plan(" ".join(words[:middle]) + " ")  # whole words, none being typed
        if within_budget(shorter) is not None:
            fits, low = (shorter, middle), middle + 1
        else:
            high = middle - 1
    if fits is None:
        raise too_complex(f"{len(plan.units)} words")
    return fits[0], tuple(words[fits[1] :])


def _relaxed(
    search: Callable[[SearchQuery, QueryPlan], SearchResult], q: SearchQuery, plan: QueryPlan, synonyms: Synonyms
) -> SearchResult:
    """Run the plan as typed; only if nothing matches, relax it, in this order, until something does:

    0. a code no code list holds is searched as the code it falls under (`with_broader_codes`),
       and a long word that matches nothing as written as the two words it is compounded of,
       where they match together (`with_parts`);
    1. words that match nothing on their own (among all documents of the type, whatever the
       filters, so a page's hits and its facet counts relax the same words) tolerate one typo,
       and are corrected to the synonyms and names of codes they are typos of (`Synonyms.tolerant`);
    2. the same with two typos (long words only);
    3. documents matching any of the words, not all (as typed, unless only numbers match as
       typed, then with 1 and 2 typos); but first, when some words match and others not, the
       long ones that do not as the words they are compounded of (`with_parts`, together, then
       either): "insulinbruk graviditet" listed "Mors kroppsmasseindeks før svangerskapet";
    4. a long word as the words it is compounded of that match, any of them (`with_parts`).

    A correct word never tolerates typos, so look-alikes do not join its hits (hjerteinfarkt is
    not hjerneinfarkt), and two words with no common hit give the hits of either, the rarer
    word's first (`QueryPlan.rarity`), with `any_words` set for the page to say so. `SearchQuery.typos`,
    `any_words` and `parts`, when given, fix the steps (as a result reports them, so counts follow
    hits)."""
    base = within_budget(plan)
    if base is None:
        raise too_complex(f"{len(plan.units)} words")
    if not plan.units:
        return search(q, base)
    dead: list[int] | None = None
    probe = SearchQuery(type=q.type, limit=0, facets=(), highlight=False)

    alone: dict[tuple[Any, ...], int] = {}  # a unit -> how many documents it matches on its own (): all

    def matched_alone(step: QueryPlan, i: int) -> int:
        if step.units[i] not in alone:
            alone[step.units[i]] = search(probe, step.only(i)).total
        return alone[step.units[i]]

    def dead_units() -> list[int]:
        nonlocal dead
        if dead is None:
            dead = [i for i in range(len(base.units)) if matched_alone(base, i) == 0]
        return dead

    def tolerant(distance: int) -> QueryPlan | None:
        if distance == 0:
            return base
        found = synonyms.tolerant(base, dead_units(), distance) if dead_units() else None
        return within_budget(found) if found else None

    def matches(p: QueryPlan) -> bool:
        return search(probe, p).total > 0

    def either(step: QueryPlan) -> QueryPlan | None:
        """`step` as any of its words, each weighing as it is rare (`QueryPlan.any`); its
        optional words stay so (counted as none: they weigh nothing)."""
        optional = step.optional_units()
        if len(step.units) - sum(optional) < 2:
            return None
        counts = [0 if optional[i] else matched_alone(step, i) for i in range(len(step.units))]
        if () not in alone:  # every document of the type, counted once whatever the steps
            alone[()] = search(probe, QueryPlan((), "", ())).total
        rated = step.any(counts, alone[()])
        return (within_budget(rated) if rated else None) or step.any()  # too long to rate: as it was

    def searched(replaced: QueryPlan | None, any_words: bool = False) -> SearchResult | None:
        """The search of a plan a step made of the words as typed (None: the step found no word to
        replace), with no typo, as any words or all."""
        step = within_budget(replaced) if replaced else None
        if step is not None and any_words:
            step = either(step) or step  # one word required (the parts left one): as it is
        if step is None:
            return None
        return dataclasses.replace(
            search(q, step), typos=0, any_words=any_words, typo_words=(), optional_words=step.optional_words()
        )

    def broadened() -> SearchResult | None:
        """The words as typed, each code no list holds replaced by the nearest code it falls under
        that one does (`codes.broader`), or None when no word is such a code."""
        wider = with_broader_codes(base, dead_units(), synonyms, matches)
        result = searched(wider[0] if wider else None)
        return dataclasses.replace(result, broader_codes=wider[1]) if result and wider else None

    def compounded(any_words: bool, together: bool | None = None) -> SearchResult | None:
        """The words as typed, each long one that matches nothing replaced by the two words it is
        compounded of (`with_parts`; with `any_words`, searched as any words, or by the one of them
        that matches), or None when no word is such a compound."""
        split = with_parts(
            base, dead_units(), synonyms, matches, together=not any_words if together is None else together
        )
        result = searched(split[0] if split else None, any_words)
        return dataclasses.replace(result, split_words=split[1]) if result and split else None

    def by_numbers_alone() -> bool:
        """Whether a word matches nothing and the only words that match as typed are numbers:
        "phq-9" listed the Apgar scores as any of its words ("9"), "gad-7" the ICD-7
        localisations. (Numbers alone, "2019 2020", are any of them as before.)"""
        dead = dead_units()
        alive = [unit for i, unit in enumerate(base.units) if i not in dead]
        return bool(dead) and all(w.isdigit() for unit in alive for w in unit[0].words)

    modes = (False, True) if q.any_words is None else (bool(q.any_words),)
    splits = q.parts is not False
    first: SearchResult | None = None
    for any_words in modes:
        if any_words and splits and 0 < len(dead_units()) < len(base.units):
            # a compound beside other words: its parts among them, not those words alone
            for together in (True, False):
                if (split := compounded(True, together)) is not None and split.total:
                    return split
        for distance in distances(q.typos):
            step = tolerant(distance)
            if step is not None and any_words:
                step = either(step) if distance or not by_numbers_alone() else None
            if step is not None:
                result = dataclasses.replace(
                    search(q, step),
                    typos=distance,
                    any_words=any_words,
                    typo_words=step.fuzzy_words(),
                    corrected=step.corrected,
                    optional_words=step.optional_words(),
                )
                if result.total:
                    return result
                first = first or result
            if distance == 0 and not any_words:
                if (wider := broadened()) is not None and wider.total:
                    return wider  # a code as typed in no list: the one it falls under, before any typo
                if splits and (split := compounded(False)) is not None and split.total:
                    return split  # a compound the catalogue writes apart, before any typo
    if splits and True in modes and (split := compounded(True)) is not None and split.total:
        return split  # a compound whose two words are nowhere together: either of them, the last resort
    return first or dataclasses.replace(search(q, base), typos=0, any_words=False, optional_words=base.optional_words())


def with_parts(
    plan: QueryPlan, dead: list[int], synonyms: Synonyms, matches: Callable[[QueryPlan], bool], together: bool = True
) -> tuple[QueryPlan, tuple[tuple[str, str], ...]] | None:
    """`plan` with each of its `dead` words that is a compound of two words replaced by them, and
    what was replaced; None when no word was. Norwegian writes compounds as one
    word, and researchers make their own: "kreftdiagnose", "blodtrykksmåling", "morsalder",
    "dødsårsaksregister" found nothing, though the catalogue holds "Diagnose" in the Cancer
    Registry, "Blodtrykk" measured, "Mors alder" and the cause of death registry. Each split
    (`compound_splits`, the longest first part first) is tried until its two words, as the
    search lists expand them, match together as whole words (`matches`: among all documents of
    the type; as the start or end of another compound, "hoftebrud" of "Hoftebruddregister", a
    fragment would pass), then are searched as any words are; a split whose second word is a stop
    word or says what kind of value (`KIND_WORDS`) is its first word alone, when that matches
    ("fødselsvektdata": fødselsvekt, "røykestatus": røyke). Without `together`, for a search of
    any of the words, the last resort before nothing: the first split whose words each match on
    their own, searched as either ("metforminsivilstand": metformin or sivilstand) or, when only
    one of them has a stem of `MIN_LONE_PART` letters, as that one ("insulinbruk": insulin);
    else the first one of whose words does, alone, if it is that long ("alkoholvaner": alkohol,
    since no variable says "vaner"), or, when that is the second (the compound's head), the first
    as the start or end of the catalogue's words ("strålebehandling" before it was a synonym:
    stråle, of "Stråledose"). A word one edit from a synonym or code name is left to the typos
    (`Synonyms.misspells`)."""
    replaced: dict[int, tuple[tuple[Alternative, ...], ...]] = {}
    said = []
    for index in dead:
        typed = plan.units[index][0]
        if len(typed.words) != 1 or synonyms.misspells(typed.words[0]):
            continue
        found = _parts(typed.words[0], plan, synonyms, matches, together)
        if found is not None:
            replaced[index] = found[0]
            said.append((typed.words[0], found[1]))
    if not said:
        return None
    units = tuple(unit for index, own in enumerate(plan.units) for unit in replaced.get(index, (own,)))
    return dataclasses.replace(plan, units=units), tuple(said)


def _parts(
    word: str, plan: QueryPlan, synonyms: Synonyms, matches: Callable[[QueryPlan], bool], together: bool
) -> tuple[tuple[tuple[Alternative, ...], ...], str] | None:
    """`with_parts` of one word: the units of its parts and the parts as searched, or None."""
    one: tuple[tuple[tuple[Alternative, ...], ...], str] | None = None
    for left, right in compound_splits(word):
        if right.lower() in STOPWORDS or right.lower() in KIND_WORDS:  # "fødselsvektdata", "røykestatus"
            first = synonyms.plan(f"{left} ").units
            if len(first) == 1 and matches(dataclasses.replace(plan, units=_whole(first), areas=())):
                return first, left
            continue
        parts = synonyms.plan(f"{left} {right} ").units  # whole words, not one being typed
        if len(parts) != 2:
            continue
        whole = _whole(parts)
        if together:
            if matches(dataclasses.replace(plan, units=whole, areas=())):
                return parts, f"{left} {right}"
            continue
        alone = [matches(dataclasses.replace(plan, units=(unit,), areas=())) for unit in whole]
        long = [len(analyze_word(part, "nb")) >= MIN_LONE_PART for part in (left, right)]
        if all(alone) and long[0] != long[1]:  # a short stem beside a long one says little:
            at = long.index(True)  # "insulinbruk" is insulin; "bruk" listed "Bruker snus" first
            if (left, right)[at].lower() in QUALIFIERS:  # unless the long one only qualifies:
                at = 1 - at  # "høydemåling" is høyde, not the NCMP codes' "Måling av HbA1c"
            return (parts[at],), (left, right)[at]
        if all(alone):
            return parts, f"{left} {right}"
        if one is None and alone == [False, True]:
            # Only the compound's head is a word: "strålebehandling" was "behandling" (1,702
            # variables of satisfaction with treatment on the demo). The head is the general
            # kind, the word before it what the researcher asks about: that one where the
            # catalogue writes it inside its words ("stråle" of "Stråledose"), else neither (a
            # first part that is nowhere a word: "xyzbehandling" is no treatment).
            if matches(dataclasses.replace(plan, units=(parts[0],), areas=())):
                one = (parts[0],), left
        elif one is None and any(alone):  # the other part is no word the catalogue holds: left out
            at = alone.index(True)
            if long[at]:
                one = (parts[at],), (left, right)[at]
    return one


def _whole(units: tuple[tuple[Alternative, ...], ...]) -> tuple[tuple[Alternative, ...], ...]:
    """`units` matching as whole words only, not as the start or end of another compound."""
    return tuple(tuple(dataclasses.replace(a, affixes=False) for a in unit) for unit in units)


def compound_splits(word: str) -> list[tuple[str, str]]:
    """The ways `word` may be two words of `MIN_AFFIX` letters or more, the longest first part
    first; a first part ending in a linking s also without it, first ("blodtrykks|måling" is
    "blodtrykk måling"), one ending in e also without it, last (more often the word's own e:
    "høyde", "hofte"). None for a short word, or one with digits (a code)."""
    if len(word) < 2 * MIN_AFFIX or not word.isalpha():
        return []
    splits = []
    for at in range(len(word) - MIN_AFFIX, MIN_AFFIX - 1, -1):
        left, right = word[:at], word[at:]
        linked = left[-1] in "se" and len(left) > MIN_AFFIX
        if linked and left[-1] == "s":  # "blodtrykks|måling": "blodtrykk måling" first
            splits.append((left[:-1], right))
        splits.append((left, right))
        if linked and left[-1] == "e":  # "høyde|måling" before "høyd måling", "barne" before "barn"
            splits.append((left[:-1], right))
    return splits


def with_broader_codes(
    plan: QueryPlan, dead: list[int], synonyms: Synonyms, matches: Callable[[QueryPlan], bool]
) -> tuple[QueryPlan, tuple[tuple[str, str], ...]] | None:
    """`plan` with each of its `dead` words that is a code (matching nothing as typed) replaced by
    the nearest code it falls under that some code list holds (`matches` the code's terms alone:
    "HUNT9" is no code under "HUNT", which only text holds), and what was replaced; None when no
    word was. "I21.0" finds the variables of a registry recording ICD-10 categories by "I21"."""
    units, said, named = list(plan.units), [], list(plan.named)
    exact, exact_words = plan.exact, list(plan.exact_words)
    for index in dead:
        typed = plan.units[index][0]
        if len(typed.words) != 1:
            continue
        word = typed.words[0]
        for parent in broader(word):
            held = (Alternative((), codes=tuple(any_system_terms(parent)), in_datasets=True),)
            if matches(QueryPlan((held,), parent.lower(), (parent.lower(),))):
                instead = synonyms.plan(parent + " ")  # a whole code, not one being typed
                [unit] = instead.units
                units[index] = unit
                named += [n for n in instead.named if n not in named]  # its names, as for it typed
                said.append((word, parent))
                exact = exact.replace(word.lower(), parent.lower())
                exact_words = [parent.lower() if w == word.lower() else w for w in exact_words]
                break
    if not said:
        return None
    replaced = dataclasses.replace(
        plan, units=tuple(units), exact=exact, exact_words=tuple(exact_words), named=tuple(named)
    )
    return replaced, tuple(said)


# -- counts as a page shows them -------------------------------------------------------------

Search = Callable[[SearchQuery, QueryPlan], SearchResult]


def disjunctive(search: Search, q: SearchQuery, plan: QueryPlan, one_pass: Search | None = None) -> SearchResult:
    """`SearchQuery.disjunctive` for a backend whose `search` runs one plan: the hits by an
    ordinary search (when a page of them is asked for), and the counts by `one_pass` (a backend's
    single request for them all, given the counting query) or else by counting searches: one with
    every filter, one per facet with a chosen value without that facet's filter, one per other
    result type under the filters that apply to it."""
    plain = dataclasses.replace(q, disjunctive=False)
    counting = dataclasses.replace(plain, offset=0, limit=0, sort="relevance", highlight=False, group=False)
    if one_pass is not None:
        counts = one_pass(counting, plan)
    else:
        counts = search(counting, plan)
        facets = dict(counts.facets)
        for name, values in q.filters.items():
            if name in q.facets and values:
                others = {f: v for f, v in q.filters.items() if f != name}
                facets[name] = search(dataclasses.replace(counting, filters=others, facets=(name,)), plan).facets[name]
        totals = {
            kind: counts.total
            if kind == q.type
            else search(
                dataclasses.replace(counting, type=kind, facets=(), filters=type_filters(kind, q.filters)), plan
            ).total
            for kind in DOC_TYPES
        }
        counts = dataclasses.replace(counts, facets=facets, totals=totals)
    if q.limit == 0 and not (q.group and q.type == "variable"):
        return counts
    found = search(dataclasses.replace(plain, facets=()), plan)  # the page, and the total of rows when grouped
    return dataclasses.replace(found, facets=counts.facets, totals=counts.totals)


# -- groups ----------------------------------------------------------------------------------


MEMBER_FIELDS = (
    "key",
    "dataset_key",
    "dataset_title",
    "dataset_title_lang",
    "dataset_titles",
    "period_start",
    "period_end",
)
"""What a group's row says of each member (`Hit.members`): its dataset, in each language it has
(a page shows the one in its language), and its period."""


def member(doc: dict[str, Any]) -> dict[str, Any]:
    """What a group's row says of each member (`Hit.members`)."""
    return {k: doc.get(k) for k in MEMBER_FIELDS}


def ordered(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Members by period (an unknown start first), then dataset: the order waves happened in."""
    return sorted(
        members, key=lambda m: (m["period_start"] or 0, m["period_end"] or 9999, m["dataset_title"] or "", m["key"])
    )


SPAN = {"first": {"min": {"field": "period_start"}}, "last": {"stats": {"field": "period_end"}}}
"""Sub-aggregations giving a group's span: its first start, and its last end (open when a member
has none: fewer ends than members)."""


def span(bucket: dict[str, Any]) -> tuple[int | None, int | None]:
    """(first start, last end or None when open) from a bucket with the `SPAN` sub-aggregations."""
    first, last = bucket["first"].get("value"), bucket["last"]
    open_end = int(last.get("count") or 0) < int(bucket["doc_count"])
    return (None if first is None else int(first), None if open_end or last.get("max") is None else int(last["max"]))


def members_span(members: list[dict[str, Any]]) -> tuple[int | None, int | None]:
    """`span` of members read one by one: their first start, and their last end (open when one has none)."""
    starts = [m["period_start"] for m in members if m.get("period_start") is not None]
    ends = [m["period_end"] for m in members if m.get("period_end") is not None]
    return (min(starts) if starts else None, max(ends) if ends and len(ends) == len(members) else None)


def marked_codelists(hits: list[Hit], plan: QueryPlan) -> list[str]:
    """The keys of the code lists `mark` needs for these hits: each variable's, and each dataset's
    variables' (`documents.dataset_codes`) where the query asks for a code, the only way a dataset
    holds codes (a dataset found by its title reads none of its lists)."""
    keys = {h.doc["codelist_key"] for h in hits if h.doc.get("codelist_key")}
    if asks_codes(plan):
        keys.update(k for h in hits for k in h.doc.get("codelist_keys") or ())
    return sorted(keys)


def asks_codes(plan: QueryPlan) -> bool:
    """Whether the query finds datasets by their variables' codes: a code typed ("I50", "ATC
    N06"), or a name standing for codes where its words find no dataset (`naming_datasets`; a
    name some dataset says, "T2D", does not: `analysis.CODE_NAMES_SKIP`)."""
    return any(a.in_datasets or any(code_like(w) for w in a.words) for unit in plan.units for a in unit)


def mark(hits: list[Hit], plan: QueryPlan, splitter: Decompounder, codelists: dict[str, dict[str, Any]]) -> None:
    """Highlights, and the codes of each hit's code list the query asked for, from the code lists'
    documents (`codelists`, by key: a backend reads those of a page's hits in one request,
    `marked_codelists`); a dataset's are those of its variables' lists."""
    for hit in hits:
        hit.highlights = highlight(hit.doc, plan, splitter)
        doc = hit.doc
        if doc.get("type") == "dataset":
            _mark_dataset(hit, plan, splitter, codelists)
            continue
        listed = doc if doc.get("type") == "codelist" else codelists.get(doc.get("codelist_key") or "")
        if listed and listed.get("concepts"):
            hit.matched_codes = matched_codes(listed["concepts"], listed.get("system"), plan, splitter=splitter)
            hit.matched_in = listed.get("system") if hit.matched_codes else None
        elif doc.get("type") == "variable" and doc.get("codes"):
            hit.may_hold = may_hold(doc["codes"], plan)
            hit.may_hold_in = doc["codes"][0] if hit.may_hold else None
            if hit.may_hold and listed:
                hit.may_hold_list = listed.get("labels") or {}


def _mark_dataset(hit: Hit, plan: QueryPlan, splitter: Decompounder, codelists: dict[str, dict[str, Any]]) -> None:
    """A dataset's codes the query asked for, from its variables' lists (the first `MAX_MATCHED_CODES`),
    or else a category one of its unlisted classifications may hold."""
    found: dict[str, str] = {}
    for key in hit.doc.get("codelist_keys") or ():
        source = codelists.get(key)
        if source and source.get("concepts") and len(found) < MAX_MATCHED_CODES:
            for code, label in matched_codes(source["concepts"], source.get("system"), plan, splitter=splitter):
                found.setdefault(code, label)
    hit.matched_codes = list(found.items())[:MAX_MATCHED_CODES]
    if not found and asks_codes(plan):
        for system in hit.doc.get("unlisted_codes") or ():
            if category := may_hold([system], plan):
                hit.may_hold, hit.may_hold_in = category, system
                return


def may_hold(codes: list[str], plan: QueryPlan) -> str | None:
    """The category a query word is (as typed) that a variable coded in one of `codes` with no code
    list may hold (`codes.unlisted_terms`), else None: the page says why the hit is there."""
    held = set(unlisted(codes))
    if not held:
        return None
    for unit in plan.units:
        for alternative in unit:
            for word in alternative.words:
                if code_like(word) and held.intersection(unlisted_terms(word)):
                    return word.upper()
    return None
