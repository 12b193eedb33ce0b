"""The EHDS feed's view of a record: what its source said, completed by the operator, never overwritten.

A record is stored as its source said it. The HealthDCAT-AP (EHDS) feed publishes it with what
the catalogue knows on top, computed here and nowhere else (`published_view`), and the pipeline
validates exactly this view, so a record's `conforms` flag says whether the EHDS feed may carry it:

1. the operator's **organisation register** (`[organisations."<IRI>"]` in catalog.toml) completes
   every agent that is a registered organisation: publisher, custodian and creator, matched by
   IRI, by organisation number (`dct:identifier`, or the number in an Enhetsregisteret IRI), or
   by name (the entry's name or an alias). One register serves a national aggregator feed with
   many publishers as well as a registry's own feed;
2. the source's **defaults** (`options.defaults`, see `catalog.config.DEFAULT_FIELDS`) complete
   the rest: `publisher`, `custodian` and `contact` field by field (a publisher or custodian the
   source names differently, or any agent with another IRI, is left alone: it is someone else), every other field only
   when the source left it empty, and `access_url` gives a dataset without distributions one,
   where to apply for access;
3. the catalogue adds its access body (`healthdcatap:hdab`, settings `hdab_name`/`hdab_email`/`hdab_type`),
   `hasStructuredData true` when the source lists variables, and the EU data theme HEAL to a
   dataset that does not state it (HealthDCAT-AP Release 8's vocabulary shapes require it of every
   dataset; the real FDK catalogues say GOVE, ECON, TRAN ...: a source cannot be expected to say
   what the EHDS feed adds by being the EHDS feed); a creator nobody could name is left out
   (DCAT-AP requires an agent's name, and the creator is optional); an analysis platform whose
   provider is the access body names it as the catalogue does (`_service_view`).

Every value the operator or the catalogue supplied is listed in `Published.completed` with the
setting it came from (the provenance the dataset page and the readiness report show); every
other value is the source's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from catalog.config import Organisation, Settings, SourceConfig, folded, operator_defaults, publisher_type
from catalog.model import Agent, DataService, Dataset, Distribution, Record

HEALTH_THEME = "http://publications.europa.eu/resource/authority/data-theme/HEAL"
"""The EU data theme every dataset of the EHDS feed has (Release 8: `sh:hasValue` on `dcat:theme`)."""
ACCESS_TITLE = {"nb": "Søk om tilgang", "nn": "Søk om tilgang", "en": "Apply for access"}
"""The title of the distribution an access address gives a dataset (an operator's `access_url`,
the publisher kit's): a nynorsk reader of the feed got the bokmål before it had its nn."""
AGENTS = ("publisher", "custodian", "creator")
"""The agents the organisation register completes."""
_ENHETSREGISTERET = re.compile(r"enhetsregisteret\D*?(\d{9})(?!\d)|/enhet(?:er)?/(\d{9})(?!\d)", re.I)


@dataclass(frozen=True)
class Completed:
    """One value of the published view that its source did not state."""

    field: str  # model path: "publisher.email", "access_rights", "distributions", "hdab"
    by: str  # "operator" (a setting in catalog.toml) or "catalogue" (derived, or the catalogue's own)
    setting: str  # the setting it came from, e.g. 'organisations."https://…".email'


@dataclass
class Published:
    """A record as the EHDS feed publishes it, and what of it the source did not state."""

    record: Record
    completed: list[Completed] = field(default_factory=list)
    added: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def digest(self) -> str:
        """What the view adds to the record, as a digest: equal digests, equal views of one record."""
        return hashlib.sha256(repr(sorted(self.added.items())).encode()).hexdigest()[:16]

    def origin(self, name: str) -> Completed | None:
        """Who supplied the field `name` ("publisher.email", "themes"); None when the source stated it."""
        return next((c for c in self.completed if c.field == name or name.startswith(c.field + ".")), None)


def hdab(settings: Settings) -> Agent:
    """The catalogue's access body, as every dataset of the EHDS feed names it: its entry of the
    organisation register where it has one (found by `hdab_name`: its IRI, names in each language
    and organisation number), else an agent of the catalogue's own address. Without the entry the
    feed named Helsedataservice by a catalogue address, beside the same body under its own IRI."""
    return registered_hdab(settings) or Agent(
        name=dict.fromkeys(("nb", "nn", "en"), settings.hdab_name),
        uri=settings.base_uri.rstrip("/") + "/hdab",
        email=settings.hdab_email,
        url=settings.base_uri,
        type=hdab_type(settings),
    )


def hdab_type(settings: Settings) -> str | None:
    """The IRI of the access body's publisher type, the setting `hdab_type` (a code, name or IRI);
    None when the setting is empty (the default: no type is the operator's to guess)."""
    said = str(settings.hdab_type or "").strip()
    return publisher_type(said, "setting hdab_type") if said else None


def registered_hdab(settings: Settings) -> Agent | None:
    """The access body as the organisation register has it (`hdab`), None when it has no entry."""
    entry = registered(Agent(name={"nb": settings.hdab_name}), settings)
    if entry is None:
        return None
    names = {lang: name for lang, name in entry.name.items() if lang} or {"nb": settings.hdab_name}
    return Agent(
        name=names,
        uri=entry.iri,
        identifier=entry.org_number,
        email=settings.hdab_email or entry.email,
        url=entry.url or settings.base_uri,
        type=entry.type or hdab_type(settings),
    )


def same_body(stated: Agent, ours: Agent, settings: Settings) -> bool:
    """Whether the access body a source states is the catalogue's own (`registered_hdab`): the same IRI,
    e-mail address or name, or the same entry of the organisation register. The central
    registries' feeds name Helsedataservice themselves, and the EHDS feed carried two bodies, the
    source's and the catalogue's, for one."""
    if stated.uri and stated.uri == ours.uri:
        return True
    if stated.email and ours.email and stated.email.strip().lower() == ours.email.strip().lower():
        return True
    if {folded(n) for n in stated.name.values() if n.strip()} & {folded(n) for n in ours.name.values()}:
        return True
    entry = registered(stated, settings)
    return entry is not None and entry.iri == ours.uri


def org_number(agent: Agent) -> str | None:
    """The agent's Norwegian organisation number: its dct:identifier, or the one in its Enhetsregisteret IRI."""
    if agent.identifier and re.fullmatch(r"\d{9}", agent.identifier.replace(" ", "")):
        return agent.identifier.replace(" ", "")
    found = _ENHETSREGISTERET.search(agent.uri or "")
    return (found.group(1) or found.group(2)) if found else None


def registered(agent: Agent, settings: Settings) -> Organisation | None:
    """The register's entry for this agent: by IRI, then organisation number, then name."""
    register = settings.organisations
    if not register:
        return None
    if agent.uri and agent.uri in register:
        return register[agent.uri]
    number = org_number(agent)
    if number:
        found = next((o for o in register.values() if o.org_number == number), None)
        if found is not None:
            return found
    names = {folded(n) for n in agent.name.values() if n.strip()}
    if names:
        return next((o for o in register.values() if names & o.names()), None)
    return None


def _fill(agent: Agent, known: Agent, path: str, setting: str, register: bool) -> tuple[Agent, list[Completed]]:
    """`agent` with what it lacks taken from `known` (a register entry, else a source default)."""
    keys = {"name": ".name", "email": ".email", "url": ".url", "uri": "" if register else ".uri"}
    if register:
        keys["identifier"] = ".org_number"
        keys["type"] = ".type"
    changes: dict[str, Any] = {}
    done: list[Completed] = []
    for key, suffix in keys.items():
        if getattr(agent, key) in (None, "", {}) and getattr(known, key) not in (None, "", {}):
            changes[key] = getattr(known, key)
            done.append(Completed(f"{path}.{key}", "operator", setting + suffix))
    return (dataclasses.replace(agent, **changes) if changes else agent), done


def _as_agent(organisation: Organisation) -> Agent:
    return Agent(
        name=dict(organisation.name),
        uri=organisation.iri,
        identifier=organisation.org_number,
        email=organisation.email,
        url=organisation.url,
        type=organisation.type,
    )


def _same_party(default: Agent, agent: Agent, by_name: bool) -> bool:
    """Whether a source's default agent may complete `agent`: nothing says they are different parties
    (another IRI; for a publisher or custodian, another name)."""
    if default.uri and agent.uri:
        return default.uri == agent.uri
    if not by_name:
        return True
    mine = {folded(n) for n in agent.name.values() if n.strip()}
    theirs = {folded(n) for n in default.name.values() if n.strip()}
    return not (mine and theirs) or bool(mine & theirs)


def _complete_agent(
    role: str, agent: Agent | None, default: Agent | None, settings: Settings, where: str
) -> tuple[Agent | None, list[Completed]]:
    done: list[Completed] = []
    if agent is not None and role in AGENTS:
        organisation = registered(agent, settings)
        if organisation is not None:
            agent, filled = _fill(agent, _as_agent(organisation), role, organisation.setting, register=True)
            done += filled
    if default is not None:
        if agent is None:
            agent, filled = _fill(Agent(), default, role, f"{where}.{role}", register=False)
            done += filled
            organisation = registered(agent, settings) if role in AGENTS else None
            if organisation is not None:  # a default naming a registered organisation gets its entry too
                agent, more = _fill(agent, _as_agent(organisation), role, organisation.setting, register=True)
                done += more
        elif _same_party(default, agent, by_name=role != "contact"):  # a source's contact point is its own
            agent, filled = _fill(agent, default, role, f"{where}.{role}", register=False)
            done += filled
    return agent, done


def published_view(record: Record, settings: Settings, source: SourceConfig | None = None) -> Published:
    """The record as the EHDS feed publishes it (see the module docstring); code lists as they are."""
    if isinstance(record, DataService):
        return _service_view(record, settings)
    if not isinstance(record, Dataset):
        return Published(record)
    defaults = operator_defaults(source) if source is not None else {}
    where = f"sources.{source.name}.options.defaults" if source is not None else ""
    changes: dict[str, Any] = {}
    done: list[Completed] = []
    for role in ("publisher", "custodian", "creator", "contact"):
        agent, filled = _complete_agent(role, getattr(record, role), defaults.get(role), settings, where)
        if filled:
            changes[role] = agent
            done += filled
    for name, value in defaults.items():
        if name in ("publisher", "custodian", "contact", "access_url"):
            continue
        if getattr(record, name) in (None, "", [], {}):
            changes[name] = value
            done.append(Completed(name, "operator", f"{where}.{name}"))
    access_url = defaults.get("access_url")
    if access_url and not record.distributions:
        changes["distributions"] = [
            Distribution(uri=f"{record.uri}#tilgang", access_url=access_url, title=dict(ACCESS_TITLE))
        ]
        done.append(Completed("distributions", "operator", f"{where}.access_url"))
    ours = registered_hdab(settings)
    if record.hdab is None or (ours is not None and record.hdab != ours and same_body(record.hdab, ours, settings)):
        # one body, as the register names it; another access body a source states stays, and so
        # does this one without the register's entry (the source's may say more than the settings)
        changes["hdab"] = ours or hdab(settings)
        done.append(Completed("hdab", "catalogue", "settings.hdab_name, settings.hdab_email, settings.hdab_type"))
    themes = changes.get("themes", record.themes)
    if HEALTH_THEME not in themes:
        changes["themes"] = [*themes, HEALTH_THEME]
        done.append(Completed("themes", "catalogue", "HealthDCAT-AP: every dataset has the data theme HEAL"))
    if record.has_structured_data is None and record.variables:
        changes["has_structured_data"] = True
        done.append(Completed("has_structured_data", "catalogue", "the variables the source lists"))
    creator = changes.get("creator", record.creator)
    if isinstance(creator, Agent) and not any(n.strip() for n in creator.name.values()):
        changes["creator"] = None  # optional, and an agent without a name breaks DCAT-AP
    view = dataclasses.replace(record, **changes) if changes else record
    return Published(view, done, changes)


def view_digest(settings: Settings, source: str) -> str:
    """Everything besides the record that its published view depends on: a change re-renders and
    re-validates the record (`catalog.renderings`, `catalog.pipeline.revalidate`)."""
    src = settings.sources.get(source)
    about = (
        settings.base_uri,
        settings.hdab_name,
        settings.hdab_email,
        settings.hdab_type,
        sorted(operator_defaults(src).items()) if src is not None else None,
        register_digest(settings.organisations.values()),
    )
    return hashlib.sha256(repr(about).encode()).hexdigest()[:32]


_LAST_REGISTER: list[tuple[tuple[Organisation, ...], str]] = []


def register_digest(organisations: Iterable[Organisation]) -> str:
    """A digest of the register; kept for the same entries, since feed pages ask it for every record."""
    entries = tuple(organisations)
    if _LAST_REGISTER:
        kept, digest = _LAST_REGISTER[0]
        if len(kept) == len(entries) and all(a is b for a, b in zip(kept, entries, strict=True)):
            return digest
    digest = hashlib.sha256(repr(sorted(entries, key=lambda o: o.iri)).encode()).hexdigest()[:16]
    _LAST_REGISTER[:] = [(entries, digest)]  # holding the entries keeps their identities from being reused
    return digest


def _service_view(service: DataService, settings: Settings) -> Published:
    """An analysis platform whose provider is the catalogue's access body names it as the catalogue
    does (`registered_hdab`). The EHDS feed describes the body once, by its register entry's IRI: a
    registry's feed describing the platform under that IRI with a publisher type and an organisation
    number of its own made the catalogue's publisher and every dataset's hdab "public-health-registry",
    a type the operator never stated (`hdab_type`). Another provider stays as its source says it."""
    ours = registered_hdab(settings)
    stated = service.publisher
    if ours is None or stated is None or stated == ours or not same_body(stated, ours, settings):
        return Published(service)
    done = [Completed("publisher", "catalogue", "settings.hdab_name, settings.hdab_email, settings.hdab_type")]
    return Published(dataclasses.replace(service, publisher=ours), done, {"publisher": ours})
