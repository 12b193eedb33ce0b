"""The fault matrix tool (`python -m bench.fault_matrix`) on a corner of the matrix: it runs, and
it bounds a source dripping a byte at a time by the source's time budget. Every cell of the matrix
is checked, with its exact sentence, by the harvester contract (`test_harvester_contract.py`)."""

from bench.fault_matrix import SLACK, run_matrix, table


def test_the_matrix_runs_and_a_trickling_source_ends_within_its_budget(capsys):
    cells = run_matrix(timeout=1.0, budget=1.5, kinds={"ckan": "hjerneslag"}, faults=("trickle", "error500"))
    with capsys.disabled():
        print("\n" + table(cells))
    assert [(c.fault, c.status, c.problems) for c in cells] == [("trickle", "failed", []), ("error500", "failed", [])]
    assert cells[0].seconds < 1.5 + SLACK
    assert cells[0].message.startswith("the harvest ran past the source's time budget of 1.5 s")
