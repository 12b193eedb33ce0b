"""Serving in several processes (`web.server`): what an operator sees when a serving process fails."""

from __future__ import annotations

import subprocess
import sys

from tests.processes import free_port

FAILING = """
import logging, sys
from web.server import serve
logging.basicConfig(level=logging.INFO)
def make_app():
    raise RuntimeError("the store cannot be opened: /nowhere/catalog.db")
sys.exit(serve(make_app, "127.0.0.1", int(sys.argv[1]), workers=2))
"""


def test_a_serving_process_that_cannot_start_says_why_and_the_service_stops() -> None:
    done = subprocess.run([sys.executable, "-c", FAILING, str(free_port())], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "could not go on" in done.stderr and "the store cannot be opened: /nowhere/catalog.db" in done.stderr
    assert "stopping the others" in done.stderr
