"""The reliability fault matrix: every harvester against every injected fault (bench/fault_matrix.py)."""

import pytest

from bench.fault_matrix import SOURCES, run_matrix, table
from simulator import FAULTS

pytestmark = pytest.mark.slow


def test_no_fault_crashes_hangs_leaks_into_another_source_or_loses_good_records(capsys):
    cells = run_matrix(timeout=1.0)
    with capsys.disabled():
        print("\n" + table(cells))
    assert len(cells) == len(SOURCES) * len(FAULTS)
    assert [(c.kind, c.fault, c.problems) for c in cells if c.problems] == []
    transport = {"error500", "error503", "redirect_loop", "oversized", "truncated", "slow"}
    assert {c.status for c in cells if c.fault in transport} == {"failed"}
