"""Harvest each source when it is due, by its own interval; carry out admin requests; resume after a restart.

Nothing is kept in memory between ticks: whether a source is due is computed from the store's
runs, so a restarted scheduler picks up where the last one was, and a source whose last run was
interrupted is due at once. The store's `try_start_run` guarantees one run per source at a time,
even with several schedulers on one catalogue.

The scheduler is also where admin actions taken on the web happen (`catalog.admin_queue`): the
web leaves a request in the spool, and the scheduler, which checks the spool every second while
it waits, carries it out with the same functions as the command line (harvest, edit the source
list, replace the synonym list, reindex). Each tick first reads `catalog.toml` again if it
changed, so sources added or removed by `catalog sources` are followed without a restart; and
when it changed (and at the first tick, for the access body's settings of the environment), the
datasets whose EHDS view the edit changed are validated again (`pipeline.follow_settings`): the feed
writes a record's statements with the settings of the moment, so until then it carried datasets
the new view fails, or left out ones it now lets in, until their source's next harvest. Each tick
also records what the feeds' bytes are made from now (`renderings.note_output`), which their
Last-Modified follows: the web never writes, and a setting of the environment moves no other date.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.admin_queue import (
    MAX_SYNONYMS_BYTES,
    AdminQueue,
    AdminRequest,
    RequestError,
    source_from_params,
    synonym_groups,
)
from catalog.config import ConfigError, Settings, SourceExists
from catalog.pipeline import SourceResult, follow_settings, harvest, reindex, retire
from catalog.renderings import note_output
from catalog.search import IndexMissing, SearchBackend, SearchUnavailable
from catalog.store import StoreReader, StoreUnavailable, StoreWriter

log = logging.getLogger(__name__)
REQUEST_POLL_SECONDS = 1.0
"""How often the spool is looked at while waiting: an admin request starts within this."""


def due(settings: Settings, store: StoreReader, at: datetime | None = None) -> list[str]:
    """Enabled sources never harvested, last interrupted, or whose interval has passed."""
    at = at or datetime.now(UTC)
    names = []
    for name, src in sorted(settings.sources.items()):
        if not src.enabled:
            continue
        last = store.last_run(name)
        if last is None or last.status == "interrupted":
            names.append(name)
        elif (
            last.status != "running"
            and datetime.fromisoformat(last.started) + timedelta(minutes=src.interval_minutes) <= at
        ):
            names.append(name)
    return names


class Scheduler:
    def __init__(
        self,
        settings: Settings,
        store: StoreWriter,
        index: SearchBackend | None,
        poll_seconds: float = 30,
        workers: int = 2,
    ):
        self.settings, self.store, self.index = settings, store, index
        self.poll_seconds, self.workers = poll_seconds, workers
        self.requests = AdminQueue(settings.home)
        self._stop = threading.Event()
        self._validated = False
        self._followed = settings.read_stamp

    def tick(self) -> list[SourceResult]:
        """Carry out waiting admin requests, then harvest what is due; the harvests' results."""
        if self._follow_sources() or not self._validated:
            self._validate_again()
        note_output(self.settings, self.store)  # a setting of the environment moves the feeds' Last-Modified
        self.store.recover()  # a run whose harvester died (on any host) is due again at once
        self._rebuild_a_lost_index()
        results = self.carry_out_requests()
        names = due(self.settings, self.store)
        if names:
            results += harvest(self.settings, self.store, self.index, names, workers=self.workers)
        return results

    def _rebuild_a_lost_index(self) -> None:
        """An index that is missing, or holds nothing while the store holds datasets or code lists,
        is rebuilt from the store first: a home restored from a backup (which leaves the index
        out), an index folder removed, its index deleted from the cluster, a new cluster. Harvests
        index only what changed, so searches found nothing (or answered 503) until someone ran
        `catalog reindex`."""
        if self.index is None:
            return
        try:
            if self.index.count():
                return
            what = "empty"
        except IndexMissing:  # its folder removed, deleted from the cluster: a rebuild makes it again
            what = "missing"
        held = self.store.count("dataset") + self.store.count("codelist")
        if not held:
            return
        log.warning("the search index is %s and the store holds %s datasets and code lists: rebuilding it", what, held)
        started = time.monotonic()
        n = reindex(self.settings, self.store, self.index)
        log.info(
            "search index rebuilt", extra={"documents": n, "duration_seconds": round(time.monotonic() - started, 3)}
        )

    def _follow_sources(self) -> bool:
        """Read `catalog.toml` again if it changed since this scheduler followed it; whether it
        was. Asked of the file as this scheduler last saw it, not of whether this call read it:
        in `catalog serve --schedule` the explorer's requests read it again on the same
        `Settings`, often first, and the scheduler then never validated again."""
        try:
            self.settings.reload_sources()
        except ConfigError as exc:  # a bad edit of catalog.toml: go on with the last good list
            log.error("the source list could not be read again, the last good one is kept: %s", exc)
        if self.settings.read_stamp == self._followed:
            return False
        self._followed = self.settings.read_stamp
        log.info("source list read again", extra={"sources": len(self.settings.sources)})
        return True

    def _validate_again(self) -> None:
        """The datasets whose published view the operator's settings changed, validated again."""
        started = time.monotonic()
        n = follow_settings(self.settings, self.store, self.index)
        # a removed source whose harvest was still running is retired at a later tick
        self._validated = not (self.settings.sources and set(self.store.source_stats()) - set(self.settings.sources))
        if n:
            log.info(
                "datasets validated again after a settings change",
                extra={"datasets": n, "duration_seconds": round(time.monotonic() - started, 3)},
            )

    # -- admin requests ---------------------------------------------------------------------
    def carry_out_requests(self) -> list[SourceResult]:
        results: list[SourceResult] = []
        while not self._stop.is_set() and (request := self.requests.claim()) is not None:
            results += self.carry_out(request)
        return results

    def carry_out(self, request: AdminRequest) -> list[SourceResult]:
        """Do what `request` asks and record how it went; never raises for a bad request."""
        fields = {"request": request.id, "action": request.action}
        log.info("admin request started", extra=fields)
        started = time.monotonic()
        results: list[SourceResult] = []
        try:
            if request.action == "harvest":
                results = self._harvest(request.params)
                failed = [r for r in results if not r.ok and r.status != "skipped"]
                ok, outcome = not failed, "; ".join(r.line() for r in results)
                details: dict[str, Any] = {
                    r.source: {
                        "status": r.status,
                        "run": r.run_id,
                        "counts": r.counts,
                        "live_records": r.live,
                        "nonconforming_now": r.nonconforming,
                        "error": r.error,
                    }
                    for r in results
                }
            else:
                ok, outcome, details = True, self._edit(request), {}
        except (RequestError, ConfigError, KeyError) as exc:
            ok, outcome, details = False, str(exc.args[0] if isinstance(exc, KeyError) else exc), {}
        except (StoreUnavailable, SearchUnavailable) as exc:  # the message says it all: no traceback
            ok, outcome, details = False, str(exc), {}
        except Exception as exc:  # noqa: BLE001 - one bad request must not stop the scheduler
            log.exception("admin request failed", extra=fields)
            ok, outcome, details = False, f"{type(exc).__name__}: {exc}", {}
        self.requests.finish(request, ok, outcome, details)
        log.log(
            logging.INFO if ok else logging.WARNING,
            "admin request finished",
            extra={**fields, "ok": ok, "outcome": outcome, "duration_seconds": round(time.monotonic() - started, 3)},
        )
        return results

    def _harvest(self, params: dict[str, Any]) -> list[SourceResult]:
        names = [str(n) for n in params.get("sources") or []] or None
        return harvest(
            self.settings, self.store, self.index, names, workers=self.workers, full=bool(params.get("full"))
        )

    def _edit(self, request: AdminRequest) -> str:
        """Carry out a request that is not a harvest; what was done, in words."""
        params, home = request.params, self.settings.home
        if request.action == "add-source":
            src = source_from_params(params)
            if self._follow_sources():
                self._validated = False  # the next tick validates again what this edit changed
            try:  # merged into catalog.toml as it is on disk, under its lock
                replace, keep = bool(params.get("replace")), "options" not in params
                replaced = self.settings.add_source(src, replace=replace, keep_options=keep)
            except SourceExists as exc:
                raise RequestError(str(exc)) from None
            kept = " (its options kept)" if replaced and replaced.options and keep and replaced.kind == src.kind else ""
            return f"{'replaced' if replaced else 'added'} source {src.name} ({src.kind}, category {src.category}) {src.url}{kept}"
        if request.action == "remove-source":
            name = str(params.get("name", ""))
            if not self.settings.remove_source(name):
                raise RequestError(f"no source named {name!r}")
            n = retire(self.settings, self.store, self.index, [name]).get(name)
            if n is None:
                return f"removed source {name}; its records leave the catalogue when its running harvest has ended"
            return f"removed source {name}; its {n:,} records left the catalogue"
        if request.action == "replace-synonyms":
            text = str(params.get("text", ""))
            if len(text.encode()) > MAX_SYNONYMS_BYTES:
                raise RequestError(f"the synonym list may be at most {MAX_SYNONYMS_BYTES:,} bytes")
            path = home / "synonyms.txt"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            return f"replaced the synonym list ({synonym_groups(text)} groups) in {path}"
        if request.action == "reindex":
            from catalog.pipeline import reindex
            from catalog.renderings import refresh

            if self.index is None:
                raise RequestError("this scheduler has no search index to rebuild")
            n = reindex(self.settings, self.store, self.index)
            m = refresh(self.settings, self.store)
            return f"indexed {n:,} documents; rendered the feed statements of {m:,} records anew"
        if request.action in ("confirm", "import-uses"):
            return self._duty(request)
        raise RequestError(f"unknown action {request.action!r}")

    def _duty(self, request: AdminRequest) -> str:
        """The access body's duties asked for on the web (`catalog.duties`, as the CLI does them)."""
        from catalog import duties
        from catalog.uses import RegisterError

        params = request.params
        if request.action == "confirm":
            try:
                done = duties.confirm(
                    self.settings,
                    self.store,
                    str(params.get("kind", "")),
                    str(params.get("id", "")),
                    "admin",
                    str(params.get("note", "")),
                )
            except (duties.UnknownHolder, ValueError) as exc:
                raise RequestError(str(exc)) from exc
            return (
                f"{done.name} ({done.holder}) confirmed its descriptions at {done.at}; {done.relabelled} labels changed"
            )
        try:
            imported = duties.import_register(
                self.settings,
                self.store,
                self.index,
                str(params.get("text", "")).encode(),
                "the uploaded register",
                replace=bool(params.get("replace")),
            )
        except RegisterError as exc:
            raise RequestError(str(exc)) from exc
        return (
            f"imported {imported.uses} uses ({imported.new} new, {imported.replaced} replaced, "
            f"{imported.removed} removed); the uses of {len(imported.datasets)} datasets changed"
        )

    # -- running ----------------------------------------------------------------------------
    def run_forever(self) -> None:
        back = self.requests.recover()
        if back:
            log.warning("admin requests of a scheduler that stopped are pending again", extra={"requests": back})
        while not self._stop.is_set():
            failed = True
            try:
                self.tick()  # each run logs its start and end
                failed = False
            except (StoreUnavailable, SearchUnavailable) as exc:  # restarting, failing over: said, no traceback
                log.warning("scheduler tick failed: %s", exc)
            except Exception:  # noqa: BLE001 - the scheduler must outlive any one tick
                log.exception("scheduler tick failed")
            self._wait(for_requests=not failed)

    def _wait(self, for_requests: bool = True) -> None:
        """Until the next tick is due, or (`for_requests`) an admin request waits, or `stop`. After a
        failed tick the requests wait for the poll too: with the database down, a request waiting
        had the scheduler try (and log that it could not) every second."""
        deadline = time.monotonic() + self.poll_seconds
        while not self._stop.wait(max(0.0, min(REQUEST_POLL_SECONDS, deadline - time.monotonic()))):
            if time.monotonic() >= deadline or (for_requests and self.requests.waiting()["pending"]):
                return

    def start(self) -> threading.Thread:
        """Run in a thread of its own, which opens its own store connection: the calling thread's is
        closed, so that thread (in `serve --workers N`, the parent, which only waits) is not
        counted as one that uses SQLite and harvests still fork their workers
        (`catalog.store.sqlite_beside`)."""
        self.store.close()
        thread = threading.Thread(target=self.run_forever, name="scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
