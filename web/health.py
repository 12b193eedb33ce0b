"""`/healthz` (the process is alive) and `/readyz` (it can answer: store and index reachable).

A load balancer or an orchestrator asks these. `/healthz` touches nothing, so a slow database or
search cluster never gets a healthy process restarted; `/readyz` asks the store and the index one
cheap question each, at most `READY_SECONDS` each, and answers 503 with the reason for the one that
failed, so traffic goes to the explorers that can serve it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as Timeout
from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from web import store_of

bp = Blueprint("health", __name__)
READY_SECONDS = 2.0
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


@bp.get("/healthz")
def healthz() -> Response:
    response = jsonify({"status": "alive"})
    response.headers["Cache-Control"] = "no-store"
    return response


def _store_check(extensions: dict[str, Any], settings: Any) -> str:
    """Opened here if it could not be at start (`web.store_of`), within the check's time: a
    database host that does not answer would hold the request for the connect timeout."""
    store_of(extensions, settings).version()  # one indexed read of the records table
    return "ok"


class NotReady(RuntimeError):
    """A part that answers but cannot serve yet; the message is the reason."""


def _index_check(index: Any, extensions: dict[str, Any], settings: Any) -> str:
    """The index's documents; none beside a store that holds records is not ready: an explorer
    started on a new cluster, a misspelt index name or a home without its index said "ready",
    and its searches that the catalogue holds nothing."""
    documents = index.count()
    if not documents:
        try:
            store = store_of(extensions, settings)
            held = store.count("dataset") + store.count("codelist")
        except Exception:  # noqa: BLE001 - the store's own check says why it cannot be read
            held = 0
        if held:
            raise NotReady(
                f"empty beside a store of {held:,} datasets and code lists: the scheduler rebuilds it at its "
                "next tick, or `catalog reindex`"
            )
    return f"ok ({documents:,} documents)"


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    extensions = current_app.extensions
    pending = {
        "store": _checks.submit(_store_check, extensions, current_app.config["SETTINGS"]),
        "index": _checks.submit(_index_check, extensions["search"], extensions, current_app.config["SETTINGS"]),
    }
    checks: dict[str, str] = {}
    ready = True
    for name, future in pending.items():
        try:
            checks[name] = future.result(timeout=READY_SECONDS)
        except Timeout:
            ready, checks[name] = False, f"no answer within {READY_SECONDS:g} s"
        except NotReady as exc:
            ready, checks[name] = False, str(exc)
        except Exception as exc:  # noqa: BLE001 - any failure is the reason to report
            ready, checks[name] = False, f"unreachable: {type(exc).__name__}: {exc}"
    response = jsonify({"status": "ready" if ready else "not ready", "checks": checks})
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503
