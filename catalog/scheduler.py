"""Harvest each source when it is due, by its own interval; resume after a restart.

Nothing is kept in memory between ticks: whether a source is due is computed from the store's
runs, so a restarted scheduler picks up where the last one was, and a source whose last run was
interrupted is due at once. The store's `try_start_run` guarantees one run per source at a time,
even with several schedulers on one catalogue.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from catalog.config import Settings
from catalog.pipeline import SourceResult, harvest
from catalog.search import SearchBackend
from catalog.store import SQLiteStore

log = logging.getLogger(__name__)


def due(settings: Settings, store: SQLiteStore, at: datetime | None = None) -> list[str]:
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
    def __init__(self, settings: Settings, store: SQLiteStore, index: SearchBackend | None, poll_seconds: float = 30):
        self.settings, self.store, self.index = settings, store, index
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()

    def tick(self) -> list[SourceResult]:
        names = due(self.settings, self.store)
        if not names:
            return []
        results = harvest(self.settings, self.store, self.index, names)
        for r in results:
            log.info("%s", r.line())
        return results

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the scheduler must outlive any one tick
                log.exception("scheduler tick failed")
            self._stop.wait(self.poll_seconds)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
