"""Each record's statements as the feeds write them, rendered once, when the record is stored.

Writing a record's triples is most of a feed page's work: a page of 100 datasets of 20 variables
holds ~20,000 triples, 50-100 ms of Python to write (three times that in DCAT-AP-NO before its
one-pass fix), against ~30 ms for pyoxigraph to serialise them. A record's statements change only
when the record does, so the pipeline renders them in every profile when it stores a changed
record (`render`) and the store keeps them, compressed, beside the record. A feed page reads them
and writes per request only what moves with the store: each record's dcat:CatalogRecord (first
seen, last changed, the run) and the catalogue's link to it.

A rendering carries a stamp of what it was made from: the record's content hash, the settings the
export reads (base URI, the access body, the source's defaults, the organisation register) and the writer code and
vocabularies. A page uses a rendering only when its stamp is the record's current one and writes
the record itself otherwise (after a settings change or an upgrade, until `catalog reindex`
renders again), so a stale rendering can slow a page but never change it.
"""

from __future__ import annotations

import hashlib
import operator
import sys
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from rdflib import URIRef

import shapes
from catalog import export, model, profiles, published, rdf, synthetic
from catalog.config import Settings
from catalog.export import add_catalog_record, add_tombstone
from catalog.lru import SizedLRU
from catalog.model import Dataset, Record
from catalog.profiles import Profile
from catalog.published import register_digest
from catalog.rdf import TripleSink, add_dataset, variables_ntriples
from catalog.store import StoredRecord, StoreReader, StoreWriter


def _code_digest() -> str:
    """The model, the writer code and the vocabularies it reads labels from: a new version renders anew."""
    from catalog.validation import VOCABULARIES

    modules = (model, export, published, rdf, synthetic, *_profile_modules())
    files = [Path(module.__file__ or "") for module in modules] + [Path(__file__)]
    files += [shapes.path(name) for name in VOCABULARIES]
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()


def _profile_modules() -> list[ModuleType]:
    """The modules of the profiles' classes (they write the records' statements)."""
    names = {cls.__module__ for p in profiles.FEEDS.values() for cls in type(p).__mro__ if cls is not object}
    return [sys.modules[name] for name in sorted(names)]


CODE = _code_digest()


def stamp(content_hash: str, source: str, settings: Settings, profile: str, known: Known | None = None) -> str:
    """Everything a record's statements in `profile` depend on, as one digest (in the EHDS profile:
    the operator's register and the source's defaults too, its `view_digest`, unless `known` has it)."""
    if known is not None and profile in known.digests:
        view = known.digests[profile]
    else:
        view = profiles.get(profile).view_digest(settings, source) if profile != ANY_PROFILE else None
    about = (CODE, content_hash, profile, settings.base_uri, settings.hdab_name, settings.hdab_email, view)
    return hashlib.sha256(repr(about).encode()).hexdigest()[:32]


FEED_SETTINGS = ("base_uri", "hdab_name", "hdab_email", "hdab_type", "uses_language")
"""The settings a feed's bytes read (`SETTINGS`, from `catalog.toml` or the environment): each is
part of its ETag. `hdab_type` and `uses_language` were not, so a type or language set by its
environment variable changed the statements under the ETag a harvester already held (a test
checks this list against what rendering every profile's feed reads)."""


def output_digest(settings: Settings) -> str:
    """Everything other than the store that a feed's bytes depend on: part of each page's ETag, so
    a new access body, base URI, language of the use register, source default, register entry or
    version of this code is not answered 304."""
    defaults = sorted((name, repr(src.options.get("defaults"))) for name, src in settings.sources.items())
    register = register_digest(settings.organisations.values())
    chosen = tuple((name, getattr(settings, name)) for name in FEED_SETTINGS)
    about = (CODE, chosen, defaults, register)
    return hashlib.sha256(repr(about).encode()).hexdigest()[:32]


def note_output(settings: Settings, store: StoreWriter) -> str:
    """Record in the store that the feeds' bytes are now made from this process's `output_digest`;
    when that was first seen. The feeds' Last-Modified reads it (`catalog.feeds.validators`): a
    setting changed by its environment variable moves no date, so a harvester asking
    If-Modified-Since alone kept the old bytes. Asked by the writers (each scheduler tick, which
    also runs at its start; `catalog harvest`; `catalog reindex`), never by the web, which only
    reads: one read when nothing changed."""
    return store.saw_output(output_digest(settings))


@dataclass(frozen=True)
class Known:
    """What the caller has already made of a record for some profiles, so `render` does not make it
    again: the record as each publishes it (`Profile.view`) and each one's `view_digest`. The
    pipeline has the EHDS profile's, which it validated; they must be for the same settings and source."""

    views: Mapping[str, Record]
    digests: Mapping[str, str | None]
    statements: Mapping[str, TripleSink] = field(default_factory=dict)
    """`catalog.rdf.add_dataset(sink, view, variables=False)` of a profile's view (a dataset's)."""


def statements(record: Record, source: str, settings: Settings, profile: str) -> bytes:
    """The record's own statements in `profile`, as N-Triples lines."""
    head, part = _statements(record, source, settings, profile, None, None)
    return head + part


class _Written:
    """What one rendering of a record in several profiles writes once for all of them: a
    dataset's variables (most of its statements, the same in every profile), by what they read,
    and `catalog.rdf.add_dataset`'s statements of each view of the dataset (the DCAT-AP profiles
    publish the record as it is, and DCAT-AP-NO's statements are made from DCAT-AP 3's)."""

    def __init__(self) -> None:
        self.parts: dict[tuple[str, ...], bytes] = {}
        self.heads: list[tuple[Dataset, TripleSink]] = []  # by identity of the view (kept alive here)
        self.texts: list[tuple[TripleSink, bytes]] = []
        self.streams: dict[tuple[bytes, int], bytes] = {}  # (head, id of the part's blocks) -> zlib stream

    def turtle(self, sink: TripleSink) -> bytes:
        """`sink.turtle()`, written once for the same triples in several profiles (DCAT-AP-NO
        keeps DCAT-AP 3's own triple objects where it changes nothing, most datasets' every one)."""
        for seen, text in self.texts:
            if len(seen) == len(sink) and all(map(operator.is_, seen, sink)):
                return text
        text = sink.turtle()
        self.texts.append((sink, text))
        return text

    def head(self, view: Dataset) -> TripleSink:
        for seen, sink in self.heads:
            if seen is view:
                return sink
        sink = TripleSink()
        add_dataset(sink, view, variables=False)
        self.heads.append((view, sink))
        return sink


def _statements(
    record: Record, source: str, settings: Settings, profile: str, written: _Written | None, known: Known | None
) -> tuple[bytes, bytes]:
    """`statements` as (the profile's own lines, the dataset's variables' lines: b"" when none)."""
    chosen = profiles.get(profile)
    sink = TripleSink()
    published = known.views.get(profile) if known is not None else None
    if published is None:
        published = chosen.view(record, settings, source)
    if not isinstance(published, Dataset):
        chosen.add_published(sink, published, settings, variables=False)
        return sink.turtle(), b""
    chosen.add_published(
        sink, published, settings, variables=False, written=written.head(published) if written is not None else None
    )
    head = written.turtle(sink) if written is not None else sink.turtle()
    if not published.variables:
        return head, b""
    parts = written.parts if written is not None else None
    about = (published.uri, repr(published.title), published.identifier)  # what the variables part reads
    part = parts.get(about) if parts is not None else None
    if part is None:
        part = variables_ntriples(URIRef(published.uri), published)
        if parts is not None:
            parts[about] = part
    return head, part


_ADLER = 65521


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings one after the other from the checksum of each (zlib's
    adler32_combine, which Python does not expose)."""
    rem = second_length % _ADLER
    low = first & 0xFFFF
    high = (rem * low) % _ADLER
    low += (second & 0xFFFF) + _ADLER - 1
    high += ((first >> 16) & 0xFFFF) + ((second >> 16) & 0xFFFF) + _ADLER - rem
    return (low % _ADLER) | ((high % _ADLER) << 16)


def _deflated(part: bytes) -> tuple[bytes, int, int]:
    """`part` as raw deflate blocks ending the stream, with its Adler-32 and length: the tail of a
    zlib stream (`_compressed`)."""
    raw = zlib.compressobj(1, zlib.DEFLATED, -15)
    return raw.compress(part) + raw.flush(), zlib.adler32(part), len(part)


def _compressed(head: bytes, tail: tuple[bytes, int, int] | None) -> bytes:
    """`zlib.compress(head + part, 1)`'s equal: one zlib stream that `zlib.decompress` reads as
    head + part, made from the head and the part's deflate blocks (`_deflated`) compressed once
    for all profiles. The variables are most of a dataset's statements and read the same in every
    profile; compressing them once per profile was the largest cost of rendering. The head's
    blocks end on a byte boundary (a sync flush), so the part's blocks, which refer to nothing
    before them, follow it as they are; the stream's checksum is the two parts' combined."""
    if tail is None:
        return zlib.compress(head, 1)
    deflated, adler, length = tail
    stream = zlib.compressobj(1)
    check = _adler32_combine(zlib.adler32(head), adler, length)
    return stream.compress(head) + stream.flush(zlib.Z_SYNC_FLUSH) + deflated + check.to_bytes(4, "big")


ANY_PROFILE = "*"


def rendered_as(kind: str, profile: str) -> str:
    """The profile a record's rendering is kept under: code lists and data products read the same in
    every profile, so they are kept once (code lists are most records, though not most statements)."""
    return profile if kind in ("dataset", "service") else ANY_PROFILE


def profiles_for(kind: str, conforms: bool | None) -> list[str]:
    """The profiles whose feeds carry a live record (each profile's `carries`)."""
    return [name for name, p in profiles.FEEDS.items() if p.carries(kind, conforms)]


def render(
    record: Record,
    content_hash: str,
    source: str,
    conforms: bool | None,
    settings: Settings,
    known: Known | None = None,
) -> dict[str, tuple[str, bytes]]:
    """What the store keeps for a record: profile (`rendered_as`) -> (stamp, zlib-compressed statements).
    `known`: what the caller has made of the record already (the pipeline: its EHDS view)."""
    written = _Written()
    if known is not None:
        for profile, sink in known.statements.items():
            view = known.views.get(profile)
            if isinstance(view, Dataset):
                written.heads.append((view, sink))
    deflated: dict[int, tuple[bytes, int, int]] = {}  # id of a part -> its deflate blocks (parts are kept)
    out = {}
    for profile in profiles_for(record.kind, conforms):
        kept_as = rendered_as(record.kind, profile)
        if kept_as not in out:
            head, part = _statements(record, source, settings, profile, written, known)
            tail = None
            if part:
                tail = deflated.get(id(part))
                if tail is None:
                    tail = deflated[id(part)] = _deflated(part)
            stream = written.streams.get((head, id(tail)))  # profiles whose statements read the same
            if stream is None:
                stream = written.streams[(head, id(tail))] = _compressed(head, tail)
            out[kept_as] = (stamp(content_hash, source, settings, kept_as, known), stream)
    return out


def refresh(
    settings: Settings, store: StoreWriter, batch: int = 500, progress: Callable[[int], None] | None = None
) -> int:
    """Render every live record whose renderings are missing or stale; how many were rendered.

    `progress` is told of each batch of records looked at."""
    rendered = 0
    rows: list[StoredRecord] = []

    def flush() -> int:
        if progress is not None:
            progress(len(rows))
        kept = {p: store.renderings([r.uri for r in rows], p, bodies=False) for p in profiles.FEEDS}
        stale = [
            r
            for r in rows
            if any(
                kept[p].get(r.uri, ("",))[0] != stamp(r.hash, r.source, settings, rendered_as(r.kind, p))
                for p in profiles_for(r.kind, r.conforms)
            )
        ]
        with store.transaction():
            for r in stale:
                store.save_renderings(r.uri, render(r.record, r.hash, r.source, r.conforms, settings))
        rows.clear()
        return len(stale)

    for stored in store.records():
        rows.append(stored)
        if len(rows) >= batch:
            rendered += flush()
    return rendered + flush()


class Fragments(SizedLRU[bytes]):
    """Each record's part of a feed (its statements and its catalogue record), kept in memory (up
    to `max_bytes`) while the record and its run are the same; statements come from the store's
    renderings when their stamp is current and are written here otherwise."""

    def __init__(self, max_bytes: int = 64 * 2**20):
        super().__init__(max_bytes, len)

    def fragments(
        self,
        settings: Settings,
        store: StoreReader,
        rows: list[StoredRecord],
        profile: str,
        cat: URIRef,
        keep: bool = True,
    ) -> list[bytes]:
        """The statements of each of `rows` (its tombstone when the profile leaves it out); `keep=False`
        for one-off passes such as the dump, which must not push the pages' records out or grow memory."""
        chosen_settings = tuple(getattr(settings, name) for name in FEED_SETTINGS)  # `add_live` reads uses_language
        keys = [
            (
                r.uri,
                r.hash,
                r.last_changed,
                r.run_id,
                r.fetch_url,
                r.conforms,
                r.deleted_at,
                r.referenced,
                profile,
                chosen_settings,
                stamp(r.hash, r.source, settings, rendered_as(r.kind, profile)),
            )
            for r in rows
        ]
        chosen = profiles.get(profile)
        # a service's links (dcat:servesDataset) change with other records: it is never kept
        found = [self.get(key) if r.kind != "service" else None for r, key in zip(rows, keys, strict=True)]
        missing = [r for r, hit in zip(rows, found, strict=True) if hit is None and chosen.includes(r)]
        kept = store.renderings([r.uri for r in missing], profile) if missing else {}
        live = chosen.gather(store, missing) if missing else {}
        out = []
        for r, key, fragment in zip(rows, keys, found, strict=True):
            if fragment is None:
                fragment = self._fragment(settings, r, chosen, cat, key[-1], kept.get(r.uri), live.get(r.uri))
                if keep and r.kind != "service":
                    self.put(key, fragment)
            out.append(fragment)
        return out

    @staticmethod
    def _fragment(
        settings: Settings,
        r: StoredRecord,
        profile: Profile,
        cat: URIRef,
        current: str,
        kept: tuple[str, bytes] | None,
        live: Any,
    ) -> bytes:
        sink = TripleSink()
        if not profile.includes(r):
            add_tombstone(sink, cat, r, settings)
            return sink.turtle()
        body = (
            zlib.decompress(kept[1])
            if kept is not None and kept[0] == current
            else statements(r.record, r.source, settings, profile.name)
        )
        add_catalog_record(sink, cat, r, settings)
        profile.add_live(sink, r, live, settings)
        return body + sink.turtle()


FRAGMENTS = Fragments()
