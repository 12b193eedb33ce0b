"""The simulated nation: every source, dataset, variable and code list, from (seed, scale, generation).

Nothing is stored. Dataset `i` of source `s` is rebuilt on demand from its own
`random.Random(f"{seed}:{s}:{i}")` (its header) and `...:v` (its variables), so a page of a feed
costs the same at scale 1 and at scale 1000 and the whole nation is never in memory. Counts,
native identifiers and modification dates are cheap: they come from the index alone.

Completeness: the central registries (DCAT) and quality registries (CKAN) publish what a mature
registry publishes for a HealthDCAT-AP non-public dataset: dataset type, provenance, contact
point, keywords, a publisher with a contact point, and a description for every variable. About
one dataset in eight is deliberately incomplete (`Nation.incomplete`): an older entry without
dataset type and provenance, and with every third variable undescribed. `expected_violations`
in the manifest lists them with the properties they lack, so validation has something to find.

Generations: generation `k` (1, 2, ...) adds one dataset to every source, deletes one, and
modifies one (new description and `modified`, a variable added, one removed, one relabelled),
and changes one code list (a code added, one removed, one relabelled). Generation N applies
generations 1..N cumulatively; `Nation.manifest()` states the result.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from catalog.model import Agent, CodeList, Concept, Dataset, Distribution, Variable
from simulator import content as C
from simulator.content import CodeListSpec, Org, RegistrySpec, SurveySpec, VarSpec

GEN0_START = datetime(2019, 1, 1, tzinfo=UTC)
GEN0_END = datetime(2024, 12, 31, tzinfo=UTC)
GEN_EPOCH = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
"""Every change of generation k happens on GEN_EPOCH + (k - 1) days: later than all of generation 0."""

PUBLISHER_TYPE = C.HDEU + "publisher-type/public-health-registry"
HEALTH_CATEGORY = {
    "central-registry": "PHDR",  # EHDS Art. 51(1)(k): population-based health data registries
    "quality-registry": "MRMR",  # (l): medical registries
    "survey": "RQSH",  # (p): research cohorts, questionnaires and surveys
}
"""The EHDS health data category (Art. 51(1)) a source of each kind states; not the EHRS of
HealthDCAT-AP's example dataset, which every registry once copied."""
HEALTH_CATEGORY_OF_SOURCE = {"dar": "MRMR"}  # (l) names mortality registries: the Cause of Death Registry
GENERATED_BY = {
    "central-registry": "HEALTH_REGISTRIES",
    "quality-registry": "QUALITY_REGISTRIES",
    "survey": "HEALTH_SURVEY",
}
"""The health activity that generates a source's data (DG SANTE's health-activity list): not
ROUTINE_RECORDS, which that list defines as records *not* primarily intended for health."""
DATASET_TYPE = C.EU + "dataset-type/STATISTICAL"
HEALTH_THEME = C.HDEU + "health-theme/HEALTH_SYSTEMS"
PERSONAL_DATA = tuple(f"https://w3id.org/dpv/dpv-pd#{term}" for term in ("Age", "Gender", "HealthRecord"))
CODE_SAMPLES = {"ICD-10": ("C50", "E10", "I21", "O80"), "NCMP": ("FNG05",), "NCSP": ("NFB20",), "ICD-O-3": ("8500/3",)}
"""Codes each coding system's registries hold, as they state them (healthdcatap:hasCodeValues)."""
INCOMPLETE_SHARE = 0.125
"""The share of registry datasets published deliberately incomplete (see the module docstring)."""
INCOMPLETE_KINDS = ("dcat", "ckan")
MISSING_WHEN_INCOMPLETE = (
    "http://purl.org/dc/terms/provenance",
    "http://purl.org/dc/terms/type",
    "http://purl.org/dc/terms/description",
)
"""What an incomplete dataset lacks: its provenance and type, and descriptions of some variables."""


def generation_time(k: int) -> datetime:
    return GEN_EPOCH + timedelta(days=k - 1)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(value: str | None) -> str:
    """A date or time that the nation sets on every record it makes (the model allows none)."""
    if value is None:
        raise ValueError("a simulated record lacks a date the nation always sets")
    return value


def moment(value: str | None) -> datetime:
    """`stamp(value)` (an ISO time ending in Z) as an aware datetime."""
    return datetime.fromisoformat(stamp(value).replace("Z", "+00:00"))


@dataclass(frozen=True)
class Source:
    """One simulated publisher endpoint: how it is harvested (`kind`) and what it holds (`spec`)."""

    name: str
    kind: str  # dcat | ckan | oai-ddi | klass | vardef | microdata | spreadsheet
    category: str  # central-registry | quality-registry | survey | statistics
    title: str
    path: str  # entry path below the simulator's base URL
    spec: Any
    base_count: int  # datasets at generation 0
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def org(self) -> Org:
        return self.spec.org


@dataclass(frozen=True)
class QualitySpec(RegistrySpec):
    """A quality registry: a registry spec plus its CKAN organisation and spreadsheet layout."""

    layout: str = "kvalitetsregister"


@dataclass(frozen=True)
class SurveyRegistry(RegistrySpec):
    """A health survey: a registry spec plus its OAI-PMH host, waves and metadata prefix."""

    host: str = ""
    waves: tuple[tuple[str, str, int, int], ...] = ()
    prefix: str = "oai_ddi25"


def _survey_spec(s: SurveySpec) -> SurveyRegistry:
    return SurveyRegistry(
        s.slug,
        s.title_nb,
        s.title_en,
        s.org,
        f"{s.title_nb} er en stor befolkningsbasert helseundersøkelse med spørreskjema, kliniske målinger og biobank.",
        f"{s.title_en} is a population-based health study.",
        tuple((w[1], "") for w in s.waves),
        C.SURVEY_QUESTIONS,
        ("helseundersøkelse", "kohort"),
        s.waves[0][2],
        13,
        100,
        s.population_nb,
        "Samtykke fra deltakerne",
        (),
        host=s.host,
        waves=s.waves,
        prefix=s.prefix,
    )


@dataclass
class Plan:
    """What the generations did to one source's datasets and code lists."""

    alive: list[int]
    deleted: list[int]
    added_in: dict[int, int]  # dataset index -> generation that added it
    modified_in: dict[int, list[int]]  # dataset index -> generations that modified it
    codelist_changes: dict[int, list[int]]  # code list position -> generations that changed it


def _uuid(*parts: object) -> str:
    return str(uuid.UUID(bytes=hashlib.sha1(":".join(map(str, parts)).encode()).digest()[:16], version=4))


class Nation:
    """Deterministic content of the whole simulated nation for one (seed, scale, generation)."""

    def __init__(self, seed: int = 0, scale: float = 1.0, generation: int = 0):
        if scale <= 0:
            raise ValueError(f"scale must be positive, not {scale}")
        if generation < 0:
            raise ValueError(f"generation must be 0 or more, not {generation}")
        self.seed = seed
        self.scale = scale
        self.generation = generation
        self._plans: dict[str, Plan] = {}

    # --- sizes ---------------------------------------------------------------------------------

    @property
    def dataset_factor(self) -> float:
        """Datasets per source grow as scale^0.376: x4 at scale 40."""
        return self.scale**0.376

    @property
    def variables_mean(self) -> int:
        """Mean variables per dataset grow as scale^0.3: ~33 at scale 1, ~100 at scale 40."""
        return max(6, round(33 * self.scale**0.298))

    def _count(self, base: int) -> int:
        return max(1, round(base * self.dataset_factor))

    # --- sources -------------------------------------------------------------------------------

    @cached_property
    def sources(self) -> list[Source]:
        out: list[Source] = []
        for spec in C.CENTRAL:
            options = {"paging": "ckanext-dcat"} if spec.slug == "norpd" else {}
            path = f"/dcat/{spec.slug}/catalog.ttl" if spec.slug == "norpd" else f"/dcat/{spec.slug}/catalog"
            out.append(
                Source(
                    spec.slug,
                    "dcat",
                    "central-registry",
                    spec.title_nb,
                    path,
                    spec,
                    self._count(len(spec.dataset_titles)),
                    options,
                )
            )
        extra = max(0, round(70 * (self.scale - 1) / 39))
        for spec in self._quality_specs(12 + extra):
            layout = next(lay for lay in C.LAYOUTS if lay.name == spec.layout)
            out.append(
                Source(
                    spec.slug,
                    "ckan",
                    "quality-registry",
                    spec.title_nb,
                    "/ckan/",
                    spec,
                    self._count(4),
                    {
                        "organization": spec.slug,
                        "columns": dict(layout.columns),
                        "sheet": layout.sheet,
                        "header_row": layout.title_rows + 1,
                    },
                )
            )
        for survey in C.SURVEYS:
            spec = _survey_spec(survey)
            out.append(
                Source(
                    survey.slug,
                    "oai-ddi",
                    "survey",
                    survey.title_nb,
                    f"/oai/{survey.slug}",
                    spec,
                    self._count(len(survey.waves)),
                    {"metadata_prefix": survey.prefix},
                )
            )
        for slug, title_nb, title_en, org, layout_name in C.SPREADSHEET_SOURCES:
            layout = next(lay for lay in C.LAYOUTS if lay.name == layout_name)
            spec = self._spreadsheet_spec(slug, title_nb, title_en, org, layout_name)
            out.append(
                Source(
                    f"{slug}-varliste",
                    "spreadsheet",
                    "central-registry",
                    title_nb,
                    f"/files/{slug}/variabelliste.xlsx",
                    spec,
                    1,
                    {
                        # the registry's own metadata, which a file of variables cannot carry: its operator configures it
                        "description": spec.description_nb,
                        "publisher": org.name_nb,
                        "publisher_uri": f"https://data.brreg.no/enhetsregisteret/api/enheter/{org.orgnr}",
                        "keywords": [title_nb.split(" – ")[0].lower()],
                        "columns": dict(layout.columns),
                        "sheet": layout.sheet,
                        "header_row": layout.title_rows + 1,
                        "csv_url": f"/files/{slug}/variabelliste.csv",
                        "frequencies_url": f"/files/{slug}/frekvenser.csv",
                    },
                )
            )
        ssb = _SsbSpec(C.SSB)
        out.append(
            Source(
                "ssb-klass",
                "klass",
                "statistics",
                "SSB Klass – klassifikasjoner og kodelister",
                "/api/klass/v1",
                ssb,
                0,
            )
        )
        out.append(
            Source(
                "ssb-vardef",
                "vardef",
                "statistics",
                "SSB Vardef – variabeldefinisjoner",
                "/public/variable-definitions",
                ssb,
                self._count(25),
            )
        )
        out.append(
            Source(
                "microdata",
                "microdata",
                "statistics",
                "microdata.no – metadata",
                "/metadata",
                ssb,
                self._count(sum(len(t[2]) for t in C.MICRODATA_TOPICS)),
            )
        )
        return out

    @cached_property
    def by_name(self) -> dict[str, Source]:
        return {s.name: s for s in self.sources}

    def source(self, name: str) -> Source:
        try:
            return self.by_name[name]
        except KeyError:
            raise KeyError(f"no simulated source named {name!r}; known: {', '.join(self.by_name)}") from None

    def _quality_specs(self, n: int) -> Iterator[QualitySpec]:
        layouts = ("kvalitetsregister", "helsedata")
        for k in range(n):
            base = C.QUALITY[k % len(C.QUALITY)]
            round_, slug, name, name_en = k // len(C.QUALITY), *base[:3]
            if round_:
                region = C.REGIONS[(round_ - 1) % len(C.REGIONS)]
                series = (round_ - 1) // len(C.REGIONS)
                slug = f"{slug}-{region[0]}" + (f"-{series + 1}" if series else "")
                name = f"{name}, {region[1]}" + (f" ({series + 1})" if series else "")
                name_en = f"{name_en}, {region[1]}"
            stems = base[3]
            variables = C.QUALITY_COMMON + tuple(
                VarSpec(
                    f"{stem}_{tp}",
                    f"{_label(stem)} {label_nb}",
                    f"{_label(stem)} {label_en}",
                    "decimal" if j % 3 == 0 else "integer",
                )
                for stem in stems
                for j, (tp, label_nb, label_en) in enumerate(
                    (
                        ("INN", "ved inklusjon", "at inclusion"),
                        ("3MND", "etter 3 måneder", "at 3 months"),
                        ("12MND", "etter 12 måneder", "at 12 months"),
                    )
                )
            )
            yield QualitySpec(
                slug,
                name,
                name_en,
                C.SKDE,
                f"{name} er et nasjonalt medisinsk kvalitetsregister som dokumenterer behandling og resultater.",
                f"{name_en} is a national medical quality registry.",
                C.QUALITY_DATASET_TITLES,
                variables,
                ("kvalitetsregister", "pasientbehandling", *C.QUALITY_KEYWORDS.get(base[0], ())),
                2010,
                0,
                110,
                "Pasienter behandlet i spesialisthelsetjenesten.",
                "Forskrift om medisinske kvalitetsregistre",
                ("ICD-10",),
                layout=layouts[k % 2],
            )

    @staticmethod
    def _spreadsheet_spec(slug: str, title_nb: str, title_en: str, org: Org, layout: str) -> QualitySpec:
        pool = {"hkr": ("npr", "dar"), "kreft-elvis": ("kreftregisteret",), "iplos": ("kpr",)}[slug]
        variables = tuple(v for spec in C.CENTRAL if spec.slug in pool for v in spec.variables)
        return QualitySpec(
            slug,
            title_nb,
            title_en,
            org,
            f"Variabelliste for {title_nb}.",
            f"Variable list: {title_en}.",
            ((title_nb, title_en),),
            C.COMMON + variables,
            (),
            2000,
            layout=layout,
        )

    # --- generations ---------------------------------------------------------------------------

    def plan(self, source: Source) -> Plan:
        """Which datasets exist, were added, deleted or modified, and which code lists changed."""
        if source.name not in self._plans:
            alive = list(range(source.base_count))
            plan = Plan(alive, [], {}, {}, {})
            n_lists = len(self.codelist_keys(source))
            has_datasets = source.base_count > 0
            single = source.kind == "spreadsheet"  # one variable list: only its variables change
            for k in range(1, self.generation + 1):
                rng = random.Random(f"{self.seed}:{source.name}:gen:{k}")
                new = -1
                if has_datasets and not single:
                    candidates = [i for i in plan.alive if i not in plan.added_in]
                    if len(candidates) > 2:
                        victim = rng.choice(candidates)
                        plan.alive.remove(victim)
                        plan.deleted.append(victim)
                    new = source.base_count + k - 1
                    plan.alive.append(new)
                    plan.added_in[new] = k
                if has_datasets:
                    changed = rng.choice([i for i in plan.alive if i != new])
                    plan.modified_in.setdefault(changed, []).append(k)
                if n_lists:
                    plan.codelist_changes.setdefault(rng.randrange(n_lists), []).append(k)
            self._plans[source.name] = plan
        return self._plans[source.name]

    def dataset_indices(self, source: Source) -> list[int]:
        return self.plan(source).alive

    # --- identifiers and headers (cheap) -------------------------------------------------------

    def native_id(self, source: Source, i: int) -> str:
        """The identifier the source itself uses for dataset i (see the package docstring)."""
        kind = source.kind
        if kind == "ckan":
            return f"{source.name}-{_slug(self._theme(source, i)[0])}"
        if kind == "oai-ddi":
            return f"oai:{source.spec.host}:{self.study_id(source, i)}"
        if kind == "spreadsheet":
            return source.name
        if kind == "vardef":
            return hashlib.sha1(f"{self.seed}:vardef:{i}".encode()).hexdigest()[:8]
        if kind == "microdata":
            return self.microdata_name(i)
        return _uuid(self.seed, source.name, i)

    def study_id(self, source: Source, i: int) -> str:
        waves = source.spec.waves
        wave = waves[i % len(waves)][0]
        return wave if i < len(waves) else f"{wave}-DEL{i // len(waves) + 1}"

    def microdata_name(self, i: int) -> str:
        flat = [(topic, var) for topic, _label, names in C.MICRODATA_TOPICS for var in names]
        topic, var = flat[i % len(flat)]
        return f"{topic}_{var}" + (f"_{i // len(flat) + 1}" if i >= len(flat) else "")

    def _theme(self, source: Source, i: int) -> tuple[str, str]:
        titles = source.spec.dataset_titles if hasattr(source.spec, "dataset_titles") else ((source.title, ""),)
        nb, en = titles[i % len(titles)]
        cycle = i // len(titles)
        if cycle:
            year = 2024 - (cycle - 1) % 40
            rest = f" ({(cycle - 1) // 40 + 1})" if cycle > 40 else ""
            nb, en = f"{nb} – årgang {year}{rest}", f"{en} – {year}{rest}" if en else ""
        return nb, en

    def modified(self, source: Source, i: int) -> datetime:
        plan = self.plan(source)
        gens = plan.modified_in.get(i, [])
        if gens:
            return generation_time(gens[-1]) + timedelta(hours=gens[-1] % 9 + 1)
        if i in plan.added_in:
            return generation_time(plan.added_in[i])
        rng = random.Random(f"{self.seed}:{source.name}:{i}:modified")
        return GEN0_START + timedelta(seconds=rng.randrange(int((GEN0_END - GEN0_START).total_seconds())))

    def deleted_at(self, source: Source, i: int) -> datetime:
        plan = self.plan(source)
        return generation_time(plan.deleted.index(i) + 1) if i in plan.deleted else GEN0_START

    def incomplete(self, source: Source, i: int) -> bool:
        """Whether dataset i is one of the deliberately incomplete ones (see the module docstring)."""
        return (
            source.kind in INCOMPLETE_KINDS
            and random.Random(f"{self.seed}:{source.name}:{i}:incomplete").random() < INCOMPLETE_SHARE
        )

    # --- datasets ------------------------------------------------------------------------------

    def dataset(self, source: Source, i: int, with_variables: bool = True) -> Dataset:
        """Dataset i of the source in the domain model, as its own wire formats will render it.

        Without variables it costs a few microseconds: listings (CKAN search) use that.
        """
        spec = source.spec
        org: Org = spec.org
        rng = random.Random(f"{self.seed}:{source.name}:{i}")
        title_nb, title_en = self._theme(source, i)
        if source.kind == "ckan":
            title_nb, title_en = f"{spec.title_nb} – {title_nb}", f"{spec.title_en} – {title_en}"
        ident = self.native_id(source, i)
        uri = f"https://{org.domain}/datasett/{source.name}/{ident}"
        start = min(spec.start_year + rng.randrange(0, 15), GEN0_END.year)  # KPR from 2017: no period begins after 2024
        end = None if rng.random() < 0.5 else min(GEN0_END.year, start + rng.randrange(3, 30))
        if isinstance(spec, SurveyRegistry):
            start, end = spec.waves[i % len(spec.waves)][2:]
        modified = self.modified(source, i)
        issued = min(modified, GEN0_START + timedelta(days=rng.randrange(0, 900)))
        gens = self.plan(source).modified_in.get(i, [])
        description_nb = f"{title_nb}. {spec.description_nb}"
        if gens:
            description_nb += f" Oppdatert {modified:%d.%m.%Y}: nye variabler og reviderte etiketter."
        landing = f"https://helsedata.no/no/forvaltere/{_slug(org.name_nb)}/{source.name}/"
        complete = not self.incomplete(source, i)
        d = Dataset(
            uri=uri,
            identifier=ident,
            title={"nb": title_nb, **({"en": title_en} if title_en else {})},
            description={"nb": description_nb, "en": f"{title_en or title_nb}. {spec.description_en}"},
            publisher=_org_agent(org),
            contact=Agent(name={"nb": f"Datatilgang, {org.name_nb}"}, email=org.email, url=f"https://{org.domain}/"),
            hdab=_org_agent(C.HELSEDATA),
            custodian=_org_agent(org),
            keywords={"nb": sorted({*spec.keywords, title_nb.split(" – ")[0].lower()})},
            themes=[C.EU + "data-theme/HEAL"],
            health_categories=[
                C.HDEU
                + "healthcategories/"
                + HEALTH_CATEGORY_OF_SOURCE.get(source.name, HEALTH_CATEGORY[source.category])
            ],
            access_rights=C.EU + "access-right/NON_PUBLIC",
            applicable_legislation=[C.LEGISLATION["helseregisterloven"], C.LEGISLATION["dga"]],
            legal_basis={"nb": spec.legal_basis_nb} if spec.legal_basis_nb else {},
            purpose={"nb": "Forskning, statistikk, helseanalyser og kvalitetsforbedring."},
            provenance={"nb": f"Opplysningene meldes elektronisk til {spec.title_nb} fra helsetjenesten."}
            if complete
            else {},
            dataset_type=DATASET_TYPE if complete else None,
            population_coverage={"nb": spec.population_nb} if spec.population_nb else {},
            temporal_start=f"{start}-01-01",
            temporal_end=f"{end}-12-31" if end else None,
            spatial=[C.EU + "country/NOR"],
            issued=iso(issued),
            modified=iso(modified),
            languages=[C.EU + "language/NOR"],
            landing_page=landing,
            frequency=C.EU + "frequency/" + rng.choice(["ANNUAL", "CONT", "QUARTERLY"]),
            coding_systems=[C.HDEU + "coding-system/" + c for c in spec.coding_systems],
            conforms_to=[C.HDEU + "standard/" + standard for standard in spec.standards],
            code_values=sorted({code for c in spec.coding_systems for code in CODE_SAMPLES.get(c, ())}),
            has_personal_data=list(PERSONAL_DATA) if complete else [],
            generated_by=[C.HDEU + "health-activity/" + GENERATED_BY[source.category]],
            health_themes=[HEALTH_THEME],
            number_of_records=rng.randrange(10_000, 60_000_000),
            number_of_unique_individuals=rng.randrange(5_000, 5_500_000),
            min_typical_age=spec.min_age,
            max_typical_age=spec.max_age,
            has_structured_data=True,
            version=f"{2024 - rng.randrange(0, 4)}.{len(gens) + 1}",
            distributions=[
                Distribution(
                    uri=f"{uri}/distribusjon/1",
                    access_url=landing,
                    title={"nb": "Tilgang via søknad til Helsedataservice"},
                    format=C.EU + "file-type/CSV",
                    media_type="text/csv",
                )
            ],
        )
        if with_variables:
            d.variables = list(self.variables(source, i, d))
        return d

    def variables(self, source: Source, i: int, d: Dataset) -> Iterator[Variable]:
        rng = random.Random(f"{self.seed}:{source.name}:{i}:v")
        n = max(6, round(self.variables_mean * rng.uniform(0.6, 1.4)))
        specs = list(_take_unique(_candidates(source.spec, rng), n))
        for k in self.plan(source).modified_in.get(i, []):
            specs = _modify_variables(specs, random.Random(f"{self.seed}:{source.name}:{i}:gen:{k}"), k)
        undescribed = self.incomplete(source, i)
        for position, v in enumerate(specs):
            yield self.variable(source, d, v, described=not (undescribed and position % 3 == 2))

    def variable(self, source: Source, d: Dataset, v: VarSpec, described: bool = True) -> Variable:
        cl = C.CODELISTS.get(v.codelist) if v.codelist else None
        quality = isinstance(source.spec, QualitySpec) and source.kind == "ckan"
        return Variable(
            uri=f"{d.uri}/variabel/{v.name}",
            name=v.name,
            title={"nb": v.title_nb, **({"en": v.title_en} if v.title_en else {})},
            description={"nb": v.description or f"{v.title_nb}, slik det er registrert i {source.spec.title_nb}."}
            if described
            else {},
            datatype=v.datatype,
            unit=v.unit,
            codelist=self.codelist_uri(source, cl.key) if cl else None,
            coding_system=cl.coding_system if cl else None,
            question={"nb": v.question} if v.question else {},
            valid_from=d.temporal_start,
            table=_form(v.name) if quality else None,
        )

    # --- code lists ----------------------------------------------------------------------------

    def codelist_keys(self, source: Source) -> list[str]:
        """The code lists a source publishes: those its variable templates use."""
        if source.kind == "klass":
            return [k for k, c in C.CODELISTS.items() if c.klass_id] + [f"helse-{k}" for k in range(self._count(4))]
        if source.kind in ("dcat",):
            keys = {v.codelist for v in (*C.COMMON, *source.spec.variables) if v.codelist}
            return sorted(keys)
        return []

    def codelist_uri(self, source: Source, key: str) -> str:
        return f"https://{source.spec.org.domain}/kodeverk/{source.name}/{key}"

    def codelist_spec(self, key: str) -> CodeListSpec:
        if key in C.CODELISTS:
            return C.CODELISTS[key]
        n = int(key.rsplit("-", 1)[1])
        base = list(C.CODELISTS.values())[n % len(C.CODELISTS)]
        return replace(
            base,
            key=key,
            title_nb=f"Kodeliste for helsestatistikk: {base.title_nb.lower()} ({n + 1})",
            klass_id=800 + n,
        )

    def codelist(self, source: Source, position: int) -> CodeList:
        key = self.codelist_keys(source)[position]
        spec = self.codelist_spec(key)
        codes = [list(row) for row in spec.codes]
        changed = self.plan(source).codelist_changes.get(position, [])
        for k in changed:
            codes = _modify_codes(codes, k)
        org = source.spec.org
        concepts = [
            Concept(code=c, label={"nb": nb, **({"en": en} if en else {})}, missing=c in spec.missing)
            for c, nb, en in codes
        ]
        modified = generation_time(changed[-1]) if changed else datetime(2024, 1, 1, tzinfo=UTC)
        ident = str(spec.klass_id) if source.kind == "klass" else key
        return CodeList(
            uri=self.codelist_uri(source, key),
            identifier=ident,
            title={"nb": spec.title_nb, "en": spec.title_en},
            description={"nb": f"{spec.title_nb} brukt i {source.title}."},
            publisher=_org_agent(org),
            version=f"{2024 + len(changed)}",
            valid_from="2024-01-01",
            modified=iso(modified),
            concepts=concepts,
        )

    def codelists(self, source: Source) -> Iterator[CodeList]:
        for position in range(len(self.codelist_keys(source))):
            yield self.codelist(source, position)

    # --- totals and ground truth ---------------------------------------------------------------

    def estimate(self) -> dict[str, int]:
        """Sources, datasets and (expected) variables, computed without generating anything.

        A vardef definition is one variable and a microdata structure four (identifier, measure,
        start, stop); other datasets average `variables_mean`.
        """
        per_dataset = {"vardef": 1, "microdata": 4}
        counts = [(s.kind, len(self.dataset_indices(s))) for s in self.sources]
        return {
            "sources": len(self.sources),
            "datasets": sum(n for _k, n in counts),
            "variables_estimate": sum(n * per_dataset.get(k, self.variables_mean) for k, n in counts),
        }

    def manifest(self, base_url: str = "") -> dict[str, Any]:
        """Ground truth: per source, what a complete harvest of the current generation must see."""
        from simulator.manifest import manifest_entry

        return {s.name: manifest_entry(self, s, base_url) for s in self.sources}


@dataclass(frozen=True)
class _SsbSpec:
    org: Org
    title_nb: str = "Statistisk sentralbyrå"
    description_nb: str = "Statistikk fra SSB."
    description_en: str = "Statistics Norway."
    start_year: int = 1990


# --- helpers -----------------------------------------------------------------------------------


def _org_agent(org: Org) -> Agent:
    return Agent(
        name={"nb": org.name_nb, "en": org.name_en},
        uri=org.uri or f"https://data.brreg.no/enhetsregisteret/api/enheter/{org.orgnr}",
        identifier=org.orgnr,
        type=PUBLISHER_TYPE,
        email=org.email,
        url=f"https://{org.domain}/",
    )


_SLUG = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.translate(_SLUG).lower())
    return "-".join(part for part in out.split("-") if part)


def _candidates(spec: RegistrySpec, rng: random.Random) -> Iterator[VarSpec]:
    """Variables in the order a dataset takes them: identifiers, the registry's own, then variants."""
    own = list(spec.variables)
    common = [v for v in C.COMMON if v.name not in {o.name for o in own}]
    yield from common[:3]
    rng.shuffle(own)
    yield from own
    yield from common[3:]
    qualifiers = list(C.QUALIFIERS)
    rng.shuffle(qualifiers)
    for code, nb, en in qualifiers:
        for v in own:
            yield replace(
                v,
                name=f"{v.name}_{code}",
                title_nb=f"{v.title_nb}, {nb}",
                title_en=f"{v.title_en}, {en}" if v.title_en else "",
            )
    for round_ in range(1, 10_000):
        for v in own:
            year = 2024 - round_ % 50
            yield replace(
                v,
                name=f"{v.name}_{year}" + (f"_{round_ // 50}" if round_ >= 50 else ""),
                title_nb=f"{v.title_nb} ({year})",
                title_en=f"{v.title_en} ({year})" if v.title_en else "",
            )


def _take_unique(candidates: Iterator[VarSpec], n: int) -> Iterator[VarSpec]:
    seen: set[str] = set()
    for v in candidates:
        if v.name not in seen:
            seen.add(v.name)
            yield v
            if len(seen) == n:
                return


def _modify_variables(specs: list[VarSpec], rng: random.Random, k: int) -> list[VarSpec]:
    """Generation k's change to one dataset: drop a variable, relabel one, add one."""
    out = list(specs)
    keep = 3  # identifiers are never dropped
    if len(out) > keep + 2:
        out.pop(rng.randrange(keep, len(out)))
    j = rng.randrange(keep, len(out))
    out[j] = replace(out[j], title_nb=f"{out[j].title_nb} (revidert)")
    base = out[rng.randrange(keep, len(out))]
    names = {v.name for v in out}
    name = f"{base.name}_V{k}"
    while name in names:
        name += "X"
    out.append(replace(base, name=name, title_nb=f"{base.title_nb}, versjon {k}"))
    return out


def _modify_codes(codes: list[list[str]], k: int) -> list[list[str]]:
    """Generation k's change to one code list: a code added, one removed, one relabelled."""
    out = [list(c) for c in codes]
    if len(out) > 2:
        out.pop((k * 7) % len(out))
    j = (k * 3) % len(out)
    out[j][1] = f"{out[j][1]} (endret)"
    out.append([f"N{k:02d}", f"Ny kategori innført i versjon {2024 + k}", ""])
    return out


def _label(stem: str) -> str:
    """NIHSS stays NIHSS; SMERTE_VAS becomes "Smerte vas"."""
    return stem if len(stem) <= 6 and "_" not in stem else stem.replace("_", " ").capitalize()


def _form(name: str) -> str:
    """The registration form a quality-registry variable belongs to (their lists group by form)."""
    if name.endswith(("_3MND", "_12MND")):
        return "Oppfølgingsskjema"
    if name.startswith(("PROM", "FORNOYD")):
        return "PROM-skjema"
    return "Registreringsskjema"


def _all_variables(scale: float) -> float:
    return float(Nation(scale=scale).estimate()["variables_estimate"])


def scale_for(variables: int, count: Callable[[float], float] = _all_variables) -> float:
    """The scale at which `count(scale)` (by default: every source's variables) is about
    `variables`, found by bisection (for benchmarks)."""
    lo, hi = 1.0, 10_000.0
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if count(mid) < variables:
            lo = mid
        else:
            hi = mid
    return hi
