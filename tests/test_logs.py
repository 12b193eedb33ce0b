"""Log lines on stderr (text, or one JSON object a line) and progress on a terminal only.

Each test runs the `catalog` command as a process, as cron, systemd or a person would: stderr a
pipe (what journald and log shippers read) or a pseudo-terminal (what a person at a shell has).
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import tty
from datetime import datetime

import pytest

from catalog.config import Settings
from catalog.pipeline import harvest
from catalog.search import open_backend
from catalog.store import SQLiteStore
from tests.factories import mfr_and_a_gone_source
from tests.processes import cli


@pytest.fixture
def home(tmp_path, server) -> str:
    """A catalogue home with two sources: mfr answers, npr is gone (404)."""
    return str(mfr_and_a_gone_source(tmp_path / "home", server).home)


def harvested(home: str) -> None:
    """mfr harvested (in this process), so there is something to reindex and export."""
    settings = Settings.load(home)
    harvest(settings, SQLiteStore(settings.db_path), open_backend(settings), ["mfr"])


def run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **env}, timeout=120)


def json_lines(stderr: str) -> list[dict]:
    """Every line of stderr as JSON: fails, naming the line, if one is not an object."""
    lines = []
    for line in stderr.splitlines():
        parsed = json.loads(line)
        assert isinstance(parsed, dict), line
        lines.append(parsed)
    return lines


def test_with_json_logs_every_line_is_an_object_and_each_run_logs_its_start_and_end(home):
    done = run(cli(home, "harvest", "--workers", "2"), CATALOG_LOG_FORMAT="json")  # two sources: worker processes
    assert done.returncode == 1  # npr failed
    lines = json_lines(done.stderr)
    for line in lines:
        assert {"time", "level", "event", "logger"} <= set(line)
        assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0
        assert line["level"] in ("debug", "info", "warning", "error", "critical")
    for source, status in (("mfr", "ok"), ("npr", "failed")):
        [start] = [x for x in lines if x["event"] == "harvest started" and x["source"] == source]
        [end] = [x for x in lines if x["event"] == "harvest finished" and x["source"] == source]
        assert end["run"] == start["run"] and end["status"] == status and end["duration_seconds"] >= 0
        assert set(end["counts"]) == {"new", "changed", "unchanged", "deleted", "invalid", "errors"}
    [failure] = [x for x in lines if x["event"].startswith("source failed: the server answered 404")]
    npr_run = next(x["run"] for x in lines if x["event"] == "harvest started" and x["source"] == "npr")
    # logged by the worker process that harvested npr, and tagged with its source and run all the same
    assert failure["source"] == "npr" and failure["run"] == npr_run and failure["level"] == "warning"
    assert done.stdout.splitlines()[0].startswith("mfr: 2 new")  # the command's own output is unchanged


def test_with_json_logs_the_scheduler_and_a_command_error_are_json_too(home):
    done = run(cli(home, "scheduler", "--once"), CATALOG_LOG_FORMAT="json")
    events = [x["event"] for x in json_lines(done.stderr)]
    assert events.count("harvest started") == 2 and events.count("harvest finished") == 2
    refused = run(cli(home, "harvest", "nosuch"), CATALOG_LOG_FORMAT="json")
    [line] = json_lines(refused.stderr)
    assert (
        refused.returncode == 2
        and line["level"] == "error"
        and line["event"] == "error: no source named 'nosuch'; known: mfr, npr"
    )


def test_with_json_logs_a_command_line_argparse_refuses_is_a_json_line_too(home):
    """`catalog ehds-check --format bogus` wrote argparse's plain line among the JSON ones."""
    refused = run(cli(home, "ehds-check", "--format", "bogus"), CATALOG_LOG_FORMAT="json")
    [line] = json_lines(refused.stderr)
    assert refused.returncode == 2 and line["level"] == "error"
    assert line["event"].startswith("catalog ehds-check: error: argument --format: invalid choice: 'bogus'")
    plain = run(cli(home, "ehds-check", "--format", "bogus"))
    assert plain.returncode == 2 and plain.stderr.startswith("catalog ehds-check: error: argument --format")


def test_text_logs_name_the_source_and_run_on_each_line(home):
    done = run(cli(home, "harvest", "mfr"))
    [end] = [line for line in done.stderr.splitlines() if "harvest finished" in line]
    assert " INFO catalog.pipeline: harvest finished source=mfr run=1 status=ok counts=new:2," in end
    assert "duration_seconds=" in end


def test_a_bad_log_setting_is_refused_naming_the_variable(home):
    done = run(cli(home, "sources", "list"), CATALOG_LOG_FORMAT="xml")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "configuration error: setting log_format (CATALOG_LOG_FORMAT): 'xml' is not text or json"
    )


def on_a_terminal(argv: list[str], **env: str) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal (raw: no newline translation) and stdout a pipe; the
    exit status and every byte the terminal was sent."""
    controller, terminal = pty.openpty()
    tty.setraw(terminal)
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=terminal, stdin=subprocess.DEVNULL, env={**os.environ, **env}
    )
    os.close(terminal)
    shown = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 0.1)
        chunk = b""
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: every process holding the terminal has closed it
                pass
        shown += chunk
        if not chunk and proc.poll() is not None:
            break
    os.close(controller)
    return proc.wait(60), shown.decode()


LONG_WORK = [
    (("harvest", "mfr"), "harvest: "),
    (("reindex",), "reindex: "),
    (("export", "--output", "{tmp}/out.ttl"), "export: "),
]


@pytest.mark.parametrize("args,status", LONG_WORK, ids=["harvest", "reindex", "export"])
def test_long_work_shows_progress_on_a_terminal_and_wipes_it_at_the_end(home, tmp_path, args, status):
    if args[0] != "harvest":
        harvested(home)
    code, shown = on_a_terminal(cli(home, *[a.format(tmp=tmp_path) for a in args]))
    assert code == 0
    drawn = [part for part in shown.split("\r") if part.startswith(status)]
    assert drawn and all(" records" in part for part in drawn)  # drawn in place, ...
    assert all(part.endswith("\x1b[K") and "\n" not in part for part in drawn)  # never sharing a line with a log line
    assert shown.endswith("\r\x1b[K")  # ... and wiped at the end


@pytest.mark.parametrize("args,status", LONG_WORK, ids=["harvest", "reindex", "export"])
def test_long_work_is_quiet_in_a_pipe(home, tmp_path, args, status):
    if args[0] != "harvest":
        harvested(home)
    done = run(cli(home, *[a.format(tmp=tmp_path) for a in args]))
    assert done.returncode == 0
    assert "\r" not in done.stderr and status not in done.stderr and "\x1b[" not in done.stderr


def test_json_logs_on_a_terminal_draw_no_progress(home):
    code, shown = on_a_terminal(cli(home, "harvest", "mfr"), CATALOG_LOG_FORMAT="json")
    assert code == 0 and "\r" not in shown and "\x1b[" not in shown
    assert [x["event"] for x in json_lines(shown)] == ["harvest started", "harvest finished"]


def test_a_process_forked_while_another_thread_logs_can_log(capfd):
    """Harvest workers are forked while other threads (the web, a loopback server) may be in the
    middle of a log line: the child must not inherit a held lock and wait for it forever."""
    import io
    import logging
    import multiprocessing
    import threading

    from catalog import logs, progress

    logs.configure("text", "info")
    held, release = threading.Event(), threading.Event()

    def logging_thread() -> None:
        with progress._lock:  # as a thread that is writing a log line holds it
            held.set()
            release.wait(10)

    with progress.Status("harvest", stream=io.StringIO()):  # a status line is up in the parent
        thread = threading.Thread(target=logging_thread)
        thread.start()
        held.wait(10)
        child = multiprocessing.get_context("fork").Process(
            target=lambda: logging.getLogger("catalog.test").warning("from the forked child")
        )
        child.start()
        child.join(10)
        hung = child.is_alive()
        if hung:
            child.kill()
            child.join()
        release.set()
        thread.join()
    assert not hung and child.exitcode == 0, "the forked child hung on a lock it inherited"
    assert "from the forked child" in capfd.readouterr().err
