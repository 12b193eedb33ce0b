"""Admin requests: the web records what an operator asked for; the scheduler carries it out.

The pipeline is the only writer and the web never writes, so an admin action on the web (harvest
a source now, add or remove a source, replace the synonym list, rebuild the index) does not do
the work in a web process: it leaves a request in a spool directory in the catalogue home, and
`catalog scheduler` (or `serve --schedule`) picks it up within a second and does it as the
operator's own commands would. The web can then say how the request went, but never touches the
store, the index, `catalog.toml` or the synonym list.

Why a spool directory rather than a table in the store: the web then needs no write access to
the database at all (a read-only role or file is enough), only to `requests/pending`; a request is
one small JSON file, written to a temporary name and renamed into place, so the scheduler never
sees half of one; claiming is a rename too, which only one scheduler can win. The explorers and
the scheduler already share the home (they read `catalog.toml` from it); on several hosts that
shared home (or at least its `requests` folder) must be one file system for admin requests to
reach the scheduler.

Layout under `<home>/requests/`: `pending/<id>.json` waiting, oldest first by id;
`working/<id>@<host>_<pid>_<start>.json` claimed by that scheduler process; `done/<id>.json` finished,
with the outcome (the last `KEEP_DONE` are kept). A claimed request whose scheduler died goes back
to pending when the next scheduler starts, so nothing asked for is lost.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.config import SOURCE_KINDS, SOURCE_NAME, ConfigError, SourceConfig, check_source_url, default_category
from catalog.store import _alive, process_token

ACTIONS = {
    "harvest": "harvest the named sources now (params: sources, full)",
    "add-source": "add or replace a source (params: the source's fields, as in catalog.toml)",
    "remove-source": "remove a source from catalog.toml (params: name); its records leave the catalogue",
    "replace-synonyms": "replace the synonym list (params: text)",
    "reindex": "rebuild the search index and the stale feed statements from the store",
    "confirm": "record that a source or publisher confirmed its descriptions, EHDS Art. 60 (params: kind, id, note)",
    "import-uses": "import issued data permits into the data use register, EHDS Art. 58 (params: text, replace)",
}
"""What may be asked, with what it does."""
STATES = ("pending", "working", "done", "failed")
KEEP_DONE = 1000
MAX_SYNONYMS_BYTES = 1_000_000


class RequestError(ValueError):
    """A request that cannot be recorded or carried out; the message says why."""


@dataclass
class AdminRequest:
    id: str
    action: str
    params: dict[str, Any]
    submitted: str
    state: str = "pending"  # one of STATES
    started: str | None = None
    finished: str | None = None
    outcome: str | None = None  # what happened, in words
    details: dict[str, Any] = field(default_factory=dict)  # e.g. the counts of a harvest

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_file(cls, path: Path) -> AdminRequest:
        raw = json.loads(path.read_bytes())
        return cls(**raw)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class AdminQueue:
    """The spool of admin requests in `<home>/requests`. The web only `submit`s and reads; the
    scheduler `claim`s and `finish`es."""

    def __init__(self, home: Path):
        self.root = Path(home) / "requests"
        self.pending, self.working, self.done = (self.root / name for name in ("pending", "working", "done"))

    # -- the web's side ------------------------------------------------------------------------
    def submit(self, action: str, params: dict[str, Any] | None = None) -> AdminRequest:
        if action not in ACTIONS:
            raise RequestError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
        # time first, so that names sort in the order requests were made
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        request = AdminRequest(f"{stamp}-{secrets.token_hex(4)}", action, dict(params or {}), _now())
        self.pending.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.pending / f"{request.id}.json", request.to_json())
        return request

    def get(self, request_id: str) -> AdminRequest | None:
        """A request in whatever state it is, or None when no such request is known (any more)."""
        if not _valid_id(request_id):
            return None
        candidates = [self.pending / f"{request_id}.json", self.done / f"{request_id}.json"]
        if self.working.is_dir():
            candidates[1:1] = sorted(self.working.glob(f"{request_id}@*.json"))
        for path in candidates:
            try:
                request = AdminRequest.from_file(path)
            except FileNotFoundError:  # moved on between listing and reading
                continue
            if path.parent == self.working:
                request.state = "working"
            return request
        return None

    def recent(self, limit: int = 50) -> list[AdminRequest]:
        """The latest requests, newest first, in every state."""
        paths = [
            p for folder in (self.pending, self.working, self.done) if folder.is_dir() for p in folder.glob("*.json")
        ]
        found = []
        for path in sorted(paths, key=lambda p: p.name, reverse=True)[:limit]:
            try:
                request = AdminRequest.from_file(path)
            except FileNotFoundError:
                continue
            if path.parent == self.working:
                request.state = "working"
            found.append(request)
        return found

    def waiting(self) -> dict[str, int]:
        """How many requests wait and how many are being carried out now (for monitoring)."""
        return {"pending": _count(self.pending, "*.json"), "working": _count(self.working, "*.json")}

    # -- the scheduler's side ------------------------------------------------------------------
    def claim(self) -> AdminRequest | None:
        """The oldest pending request, now marked as ours; None when none waits. Two schedulers
        may race for one request: the rename lets exactly one of them have it."""
        if not self.pending.is_dir():
            return None
        self.working.mkdir(parents=True, exist_ok=True)
        owner = _owner()
        for path in sorted(self.pending.glob("*.json")):
            target = self.working / f"{path.stem}@{owner}.json"
            try:
                path.rename(target)
            except FileNotFoundError:  # another scheduler took it
                continue
            try:
                request = AdminRequest.from_file(target)
            except (ValueError, TypeError) as exc:  # not one of ours: keep it, out of the way
                request = AdminRequest(path.stem, "unknown", {}, _now())
                self._close(target, request, "failed", f"the request file could not be read: {exc}")
                continue
            # when it was taken, in its file too: GET /admin/requests/<id> showed "started": null
            # for as long as the request was worked on (the state is told by the folder it is in)
            request.started = _now()
            _write_atomically(target, request.to_json())
            request.state = "working"
            return request
        return None

    def finish(self, request: AdminRequest, ok: bool, outcome: str, details: dict[str, Any] | None = None) -> None:
        target = next(iter(self.working.glob(f"{request.id}@*.json")), None)
        self._close(target, request, "done" if ok else "failed", outcome, details)

    def _close(
        self,
        claimed: Path | None,
        request: AdminRequest,
        state: str,
        outcome: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        request.state, request.finished, request.outcome = state, _now(), outcome
        request.details = details or {}
        self.done.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.done / f"{request.id}.json", request.to_json())
        if claimed is not None:
            claimed.unlink(missing_ok=True)
        for old in sorted(self.done.glob("*.json"))[:-KEEP_DONE]:
            old.unlink(missing_ok=True)

    def recover(self) -> int:
        """Requests claimed by a scheduler process that is gone go back to pending; how many."""
        if not self.working.is_dir():
            return 0
        n = 0
        host = socket.gethostname()
        for path in self.working.glob("*@*.json"):
            request_id, owner = path.stem.split("@", 1)
            owner_host, _, token = owner.rpartition("_")
            owner_host, _, pid = owner_host.rpartition("_")
            if owner_host != host or _alive(f"{pid}:{token}"):
                continue  # alive, or on another host where this one cannot tell
            try:
                path.rename(self.pending / f"{request_id}.json")
                n += 1
            except FileNotFoundError:
                continue
        return n


def _owner() -> str:
    """This process as `<host>_<pid>_<start time>`, so that a reused pid is not taken for it."""
    pid, start = process_token().split(":", 1)
    return f"{socket.gethostname()}_{pid}_{start}"


def _valid_id(request_id: str) -> bool:
    return len(request_id) < 64 and all(c.isalnum() or c in "-T" for c in request_id)


def _count(folder: Path, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern)) if folder.is_dir() else 0


def _write_atomically(path: Path, data: bytes) -> None:
    """Written under a temporary name in the same folder and renamed: readers see all or nothing."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def source_from_params(params: dict[str, Any]) -> SourceConfig:
    """The source an add-source request describes, checked as `catalog sources add` would:
    a known protocol, an http(s) URL, valid operator defaults."""
    from harvesters import UnknownKind, harvester_class

    try:
        name, kind, url = str(params["name"]), str(params["kind"]), str(params["url"])
    except KeyError as exc:
        raise RequestError(f"missing field {exc.args[0]!r}; a source needs name, kind and url") from exc
    if not SOURCE_NAME.match(name):
        raise RequestError(f"the source name {name!r} may hold only letters, digits, '.', '_' and '-'")
    category = str(params.get("category") or default_category(kind))
    if category not in SOURCE_KINDS:
        raise RequestError(f"category {category!r}: choose one of {', '.join(SOURCE_KINDS)}")
    try:
        check_source_url(url)
        harvester_class(kind)
        return SourceConfig(
            name=name,
            kind=kind,
            url=url,
            category=category,
            title=str(params.get("title") or name),
            interval_minutes=int(params.get("interval_minutes", 1440)),
            options=dict(params.get("options") or {}),
        )
    except (UnknownKind, ConfigError, TypeError, ValueError) as exc:
        raise RequestError(str(exc)) from exc


def synonym_groups(text: str) -> int:
    """Groups in a synonym list: its lines that are not empty or comments."""
    return sum(1 for line in text.splitlines() if line.split("#", 1)[0].strip())
