"""The access body's duties measured: EHDS minimum metadata and the quality and utility label, on the real samples and the demo.

    python -m bench.ehds_duties                 # the real samples (../shared/real-world) and the demo
    python -m bench.ehds_duties --only demo     # or: --only samples

Each catalogue is harvested twice into fresh homes, bare (no operator settings) and with the
operator's register and defaults (`simulator.samples.OPERATOR_TOML`, `catalog.demo`), as
`bench.ehds_coverage` does. For each it prints how many datasets have every minimum element
(`catalog ehds-check`), the most frequent gaps, and the labels' scores (mean, lowest, highest,
and each element's mean; `catalog label`), and the ratio of the two runs. The demo also imports
its data use register and its operator's maturity assessments, as `catalog demo` does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from catalog.config import Settings, SourceConfig
from catalog.label import ELEMENTS, Label, label_of
from catalog.minimum import BY_CURIE, Check, check
from catalog.pipeline import harvest
from catalog.store import SQLiteStore

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "real-world"


def measure(
    home: Path,
    sources: list[SourceConfig],
    prepare: Callable[[Settings, list[SourceConfig]], None],
    after: Callable[[Settings, SQLiteStore], None] | None = None,
) -> tuple[Check, list[Label]]:
    settings = Settings.load(home)
    prepare(settings, sources)
    store = SQLiteStore(settings.db_path)
    failed = [r.source for r in harvest(settings, store, None, workers=2) if not r.ok]
    if failed:
        print(f"  (sources that failed: {', '.join(failed)})")
    if after is not None:
        after(settings, store)
    found = check(store, settings)
    labels = [label for d in found.datasets if (label := label_of(store, d.uri)) is not None]
    return found, labels


def describe(name: str, found: Check, labels: list[Label]) -> tuple[int, float]:
    total = found.summary()
    scores = [label.score for label in labels]
    mean = statistics.mean(scores) if scores else 0.0
    print(f"  {name}: {total.complete} of {total.datasets} datasets have every minimum element ({total.percent:.1f} %)")
    gaps = ", ".join(f"{BY_CURIE[c].en} {n}" for c, n in total.frequent(5))
    print(f"    most frequent gaps: {gaps or 'none'}")
    if scores:
        print(
            f"    label: mean {mean:.1f} %, lowest {min(scores):.1f} %, highest {max(scores):.1f} % ({len(scores)} labels)"
        )
        parts = []
        for element in ELEMENTS:
            values = [v for label in labels if (v := label.elements[element.name]) is not None]
            parts.append(
                f"{element.en} {100 * statistics.mean(values):.0f} % (n={len(values)})"
                if values
                else f"{element.en} not assessed"
            )
        print("    per element: " + "; ".join(parts))
    return total.complete, mean


def report(title: str, bare: tuple[Check, list[Label]], completed: tuple[Check, list[Label]], seconds: float) -> None:
    print(f"\n{title}")
    complete_before, mean_before = describe("without operator settings", *bare)
    complete_after, mean_after = describe("with the operator's", *completed)
    ratio = f"{complete_after / complete_before:.1f}x" if complete_before else "from none"
    print(f"  ratio: complete datasets {ratio}, mean label {mean_after / mean_before:.2f}x   ({seconds:.1f} s)")


def samples() -> None:
    from simulator.samples import SampleServer, configure

    if not SHARED.is_dir():
        print(f"\nreal samples: skipped, {SHARED} is absent (../shared is not beside the checkout)")
        return
    started = time.perf_counter()
    with SampleServer(SHARED) as server, tempfile.TemporaryDirectory() as tmp:
        bare = measure(Path(tmp, "bare"), server.source_configs(), lambda s, src: configure(s, src, operator=False))
        completed = measure(Path(tmp, "completed"), server.source_configs(), configure)
    report("Real samples (../shared/real-world)", bare, completed, time.perf_counter() - started)


def demo() -> None:
    from catalog.demo import configure as configure_demo
    from catalog.demo import demo_register
    from catalog.duties import import_register
    from simulator import Simulator

    def register(settings: Settings, store: SQLiteStore) -> None:
        import_register(settings, store, None, demo_register(store), "demo register")

    started = time.perf_counter()
    with Simulator(seed=0) as simulator, tempfile.TemporaryDirectory() as tmp:
        bare = measure(
            Path(tmp, "bare"), simulator.source_configs(), lambda s, src: configure_demo(s, src, operator=False)
        )
        completed = measure(Path(tmp, "completed"), simulator.source_configs(), configure_demo, register)
    report("The demo (publisher simulator, seed 0, scale 1)", bare, completed, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["samples", "demo"])
    args = parser.parse_args(argv)
    if args.only in (None, "samples"):
        samples()
    if args.only in (None, "demo"):
        demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
