"""Every harvester against every fault the simulator injects, printed as a table.

    python -m bench.fault_matrix [--timeout 1.0] [--budget 5.0]

For each source kind one simulated source is harvested clean, then again with one fault switched
on, side by side with a healthy control source. Each cell must show: no crash (nothing escapes
`harvest`), no hang past the bound (the source's time budget, plus slack: a source that drips a
byte at a time for ever ends there), the cause in plain language when the source fails (one
sentence, no traceback), the control source unaffected, and the faulty source's last good records
kept. A cell that breaks a rule is marked `!!` and the run exits 1.

The harvester contract (`tests/test_harvester_contract.py`) checks every cell in CI, each with its
exact sentence; `tests/test_fault_matrix.py` runs this tool on a corner of the matrix.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from catalog.config import Settings
from catalog.pipeline import harvest
from catalog.store import SQLiteStore
from simulator import FAULTS, Simulator

SOURCES = {
    "dcat": "mfr",
    "ckan": "hjerneslag",
    "oai-ddi": "hunt",
    "ddi-l": "sikt",
    "klass": "ssb-klass",
    "vardef": "ssb-vardef",
    "microdata": "microdata",
    "spreadsheet": "hkr-varliste",
}
"""One simulated source per protocol (DDI-Lifecycle separately from DDI-Codebook)."""
CONTROL = "kpr"
FAULT_PARAMS: dict[str, dict[str, float]] = {
    "slow": {"delay": 0.5},
    "trickle": {"delay": 0.1},
    "error503": {"seconds": 0},
    "rate_limit": {"count": 5, "seconds": 120},
}
SLACK = 6.0
"""Seconds a cell may take past the budget: the mapping of the last response, and a loaded machine."""


@dataclass
class Cell:
    kind: str
    fault: str
    status: str  # ok | failed
    seconds: float
    message: str
    problems: list[str]

    def short(self) -> str:
        mark = "!!" if self.problems else ""
        if self.status != "ok":
            return f"{mark}FAIL"
        errors = self.message.split(" ", 1)[0] if self.message else ""
        return f"{mark}ok" + (f" ({errors} err)" if errors else "")


def run_matrix(
    timeout: float = 1.0, budget: float = 5.0, kinds: dict[str, str] | None = None, faults: tuple[str, ...] = FAULTS
) -> list[Cell]:
    kinds = kinds or SOURCES
    cells = []
    with Simulator(seed=0) as sim, tempfile.TemporaryDirectory() as tmp:
        configs = {c.name: c for c in sim.source_configs()}
        for kind, name in kinds.items():
            for fault in faults:
                settings = Settings.load(Path(tmp) / f"{name}-{fault}")
                settings.values.update(http_retries=1)
                for src in (name, CONTROL):
                    configs[src].options.update(timeout=timeout, harvest_budget_seconds=budget)
                    settings.sources[src] = configs[src]
                store = SQLiteStore(settings.db_path)
                sim.set_fault(name, None)
                harvest(settings, store, None, [name, CONTROL])
                before = {r.uri for r in store.records(name)}
                sim.set_fault(name, fault, **FAULT_PARAMS.get(fault, {}))
                started = time.perf_counter()
                problems = []
                try:
                    results = {r.source: r for r in harvest(settings, store, None, [name, CONTROL])}
                except Exception as exc:  # noqa: BLE001 - a crash is what the matrix looks for
                    cells.append(Cell(kind, fault, "crash", time.perf_counter() - started, repr(exc), ["crashed"]))
                    continue
                finally:
                    sim.set_fault(name, None)
                seconds = time.perf_counter() - started
                result, control = results[name], results[CONTROL]
                bound = budget + SLACK
                if seconds > bound:
                    problems.append(f"took {seconds:.1f} s > {bound:.0f} s")
                if not control.ok:
                    problems.append(f"control source failed: {control.error}")
                after = {r.uri for r in store.records(name)}
                if result.status == "failed":
                    if not before <= after:
                        problems.append(f"lost {len(before - after)} good records")
                    if "Traceback" in (result.error or "") or len(result.error or "") > 400 or not result.error:
                        problems.append("error is not one plain sentence")
                message = result.error or (
                    f"{result.counts['errors']} record errors" if result.counts["errors"] else ""
                )
                cells.append(Cell(kind, fault, result.status, seconds, message, problems))
                store.close()
    return cells


def table(cells: list[Cell]) -> str:
    """One row per fault, one column per protocol; below it, the reason each failing source gave."""
    kinds = list(dict.fromkeys(c.kind for c in cells))
    lines = [f"{'fault':<19}" + "".join(f"{k:<13}" for k in kinds)]
    reasons = []
    for fault in dict.fromkeys(c.fault for c in cells):
        row = {c.kind: c for c in cells if c.fault == fault}
        lines.append(f"{fault:<19}" + "".join(f"{row[k].short():<13}" for k in kinds))
        for message in dict.fromkeys(c.message.split(" (http")[0] for c in row.values() if c.status != "ok"):
            reasons.append(f"  {fault}: {message}")
    return "\n".join(
        [*lines, "", "What the failing sources reported (per fault, each distinct message once):", *reasons]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=1.0, help="seconds; each response's deadline is 4 times it")
    parser.add_argument("--budget", type=float, default=5.0, help="seconds each source's harvest may take")
    args = parser.parse_args()
    started = time.perf_counter()
    cells = run_matrix(args.timeout, args.budget)
    print(table(cells))
    slowest = max(cells, key=lambda c: c.seconds)
    print(
        f"\n{len(cells)} cells in {time.perf_counter() - started:.0f} s; slowest {slowest.kind}/{slowest.fault} "
        f"{slowest.seconds:.1f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    broken = [c for c in cells if c.problems]
    for c in broken:
        print(f"!! {c.kind}/{c.fault}: {'; '.join(c.problems)}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
