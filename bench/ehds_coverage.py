"""How many datasets reach the EHDS feed: the real samples and the demo, with and without the operator.

    python -m bench.ehds_coverage                 # the real samples (../shared/real-world) and the demo
    python -m bench.ehds_coverage --only samples  # or: --only demo
    python -m bench.ehds_coverage --details       # and, for each dataset left out, what is missing

The real samples are served by `simulator.samples` over loopback in their services' URL layouts
and harvested twice into fresh catalogues: once bare (no operator settings: what the sources
state, as the catalogue published them before it could be completed), once with the operator's
register and defaults of `simulator.samples.OPERATOR_TOML`, as an access body would set them.
The demo is `catalog demo`'s publisher simulator, harvested without and with `catalog.demo`'s
operator settings. For each it prints the datasets in the EHDS feed, per source, and the ratio of
the two runs; `--details` adds `catalog ehds-coverage`'s text for the completed catalogue.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from catalog.cli import coverage_text
from catalog.config import Settings, SourceConfig
from catalog.pipeline import harvest
from catalog.readiness import Coverage, coverage
from catalog.store import SQLiteStore

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "real-world"


def measure(home: Path, sources: list[SourceConfig], prepare: object) -> Coverage:
    settings = Settings.load(home)
    prepare(settings, sources)  # type: ignore[operator]
    store = SQLiteStore(settings.db_path)
    failed = [r.source for r in harvest(settings, store, None, workers=2) if not r.ok]
    if failed:
        print(f"  (sources that failed: {', '.join(failed)})")
    return coverage(store, settings)


def report(title: str, bare: Coverage, completed: Coverage, seconds: float, details: bool) -> None:
    before, after = bare.total, completed.total
    print(f"\n{title}")
    print(f"  without operator settings: {before.in_feed:>4} of {before.datasets} datasets in the EHDS feed")
    print(
        f"  with the operator's:       {after.in_feed:>4} of {after.datasets} ({after.percent:.1f} %); "
        f"left out {after.left_out}: {after.publisher_must_fix} need their publisher, "
        f"{after.operator_can_complete} an operator setting"
    )
    ratio = f"{after.in_feed / before.in_feed:.1f}x" if before.in_feed else "from none"
    print(f"  ratio: {ratio}   ({seconds:.1f} s for both harvests)")
    print("  per source (bare -> completed):")
    bare_sources = bare.by_source()
    for name, tally in completed.by_source().items():
        was = bare_sources.get(name)
        print(f"    {name:<26} {was.in_feed if was else 0:>4} -> {tally.in_feed:>4} of {tally.datasets}")
    if details:
        print("\n" + coverage_text(completed))


def samples(details: bool) -> None:
    from simulator.samples import SampleServer, configure

    if not SHARED.is_dir():
        print(f"\nreal samples: skipped, {SHARED} is absent (../shared is not beside the checkout)")
        return
    started = time.perf_counter()
    with SampleServer(SHARED) as server, tempfile.TemporaryDirectory() as tmp:
        bare = measure(Path(tmp, "bare"), server.source_configs(), lambda s, src: configure(s, src, operator=False))
        completed = measure(Path(tmp, "completed"), server.source_configs(), configure)
    report("Real samples (../shared/real-world)", bare, completed, time.perf_counter() - started, details)


def demo(details: bool) -> None:
    from catalog.demo import configure as configure_demo
    from simulator import Simulator

    started = time.perf_counter()
    with Simulator(seed=0) as simulator, tempfile.TemporaryDirectory() as tmp:
        bare = measure(
            Path(tmp, "bare"), simulator.source_configs(), lambda s, src: configure_demo(s, src, operator=False)
        )
        completed = measure(Path(tmp, "completed"), simulator.source_configs(), configure_demo)
    report("The demo (publisher simulator, seed 0, scale 1)", bare, completed, time.perf_counter() - started, details)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["samples", "demo"])
    parser.add_argument("--details", action="store_true", help="what is missing for each dataset left out")
    args = parser.parse_args(argv)
    if args.only in (None, "samples"):
        samples(args.details)
    if args.only in (None, "demo"):
        demo(args.details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
