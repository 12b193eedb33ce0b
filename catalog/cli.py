"""The `catalog` command. Every subcommand reads the configuration once, at start.

Exit status: 0 success; 1 a source failed or the harvest's closing steps did (harvest), or the
input has violations (validate); 2 unusable input or arguments; 130 interrupted. Bad input of any kind (arguments, options,
files, settings) gives one line on stderr that says what is wrong and how to put it right,
never a traceback: `InputError` for what the subcommands check, `ConfigError` for settings and
`catalog.toml`, and `OSError` for files and ports the system refuses. A file with several
problems (a data use register) gives that line and then one line per problem, `FILE:LINE: ...`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import select
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from catalog import __version__, logs
from catalog.config import (
    SETTINGS,
    SOURCE_KINDS,
    SOURCE_NAME,
    ConfigError,
    Settings,
    SourceConfig,
    SourceExists,
    check_source_url,
    count_metrics_in,
    default_category,
    from_environment,
    unknown_environment,
)
from catalog.migrations import SchemaTooNew
from catalog.progress import Status
from catalog.search import SearchUnavailable, StaleIndex
from catalog.store import StoreUnavailable

log = logging.getLogger("catalog.cli")

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class InputError(Exception):
    """An argument the command cannot use; the message says which and what would do. `problems`:
    of an input with several, one line each (`FILE:LINE: column: message`), said after it."""

    def __init__(self, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.problems = list(problems)


class Parser(argparse.ArgumentParser):
    """argparse with one line for a bad argument (and the hint where the usage is), not the usage."""

    def error(self, message: str) -> NoReturn:
        """A command line argparse refuses, said as every other error is: one JSON line when log
        lines are JSON (a log shipper met a plain line here), else the line itself."""
        try:
            _log_to_stderr(from_environment("log_format"), from_environment("log_level"))
        except ConfigError:  # a bad log setting: the line is said plainly
            pass
        self.exit(_fail(f"{self.prog}: error: {message} (see `{self.prog} --help`)"))


def _positive(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return number


def _port(value: str) -> int:
    number = _positive(value) if value != "0" else 0
    if number > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535)")
    return number


if TYPE_CHECKING:
    from catalog.search import SearchBackend
    from catalog.store import StoreWriter


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.load(args.home)
    _log_to_stderr(settings.log_format, settings.log_level)
    return settings


def _log_to_stderr(log_format: str, level: str) -> None:
    try:
        logs.configure(log_format, level)
    except ValueError as exc:
        names = f"{SETTINGS['log_format'][0]} / {SETTINGS['log_level'][0]}"
        raise ConfigError(f"{exc} ({names})") from exc


def _open(settings: Settings) -> tuple[StoreWriter, SearchBackend]:
    """The write side of the store and the index, for the commands that write (harvest, reindex, scheduler)."""
    from catalog.search import open_backend
    from catalog.store import open_store

    return open_store(settings), open_backend(settings)


# --- sources ---------------------------------------------------------------------------------


def _options(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        options = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"--options is not valid JSON ({exc.msg} at column {exc.colno}); give an object, "
            """e.g. --options '{"timeout": 60}'"""
        ) from None
    if not isinstance(options, dict):
        raise InputError(f"--options must be a JSON object of harvester options, not {type(options).__name__}")
    return options


def cmd_sources_add(args: argparse.Namespace) -> int:
    from harvesters import UnknownKind, harvester_class

    if not SOURCE_NAME.match(args.name):
        raise InputError(f"the source name {args.name!r} may hold only letters, digits, '.', '_' and '-'")
    try:
        harvester_class(args.kind)
    except UnknownKind as exc:
        raise InputError(str(exc)) from None
    check_source_url(args.url)
    if args.credentials_env and not ENV_NAME.match(args.credentials_env):
        raise InputError(f"--credentials-env {args.credentials_env!r} is not an environment variable name")
    source = SourceConfig(
        name=args.name,
        kind=args.kind,
        url=args.url,
        category=args.category or default_category(args.kind),
        title=args.title or args.name,
        interval_minutes=args.interval,
        options=_options(args.options),
        credentials_env=args.credentials_env,
    )
    settings = _settings(args)
    try:
        before = settings.add_source(source, replace=args.replace, keep_options=args.options is None)
    except SourceExists as exc:
        raise InputError(str(exc)) from None
    said = "" if args.category else "; --category to change it"
    print(
        f"{'replaced' if before else 'added'} source {args.name} ({args.kind}, category {source.category}{said}) {args.url}"
    )
    if before:  # what an operator may have set by hand in catalog.toml: kept or gone, said
        options = json.dumps(before.options, ensure_ascii=False)
        kept = settings.sources[args.name].options == before.options
        fate = f"; its options {options} are {'kept' if kept else 'replaced too'}" if before.options else ""
        print(f"  it was {before.kind} {before.url}{fate}")
    return 0


def cmd_sources_list(args: argparse.Namespace) -> int:
    settings = _settings(args)
    from catalog.store import open_reader

    store = open_reader(settings)
    for name, src in sorted(settings.sources.items()):
        last = store.last_run(name)
        status = f"last run {last.status} {last.finished or last.started}" if last else "never harvested"
        print(f"{name}\t{src.kind}\t{src.category}\t{src.url}\tevery {src.interval_minutes} min\t{status}")
    return 0


def _unknown_source(name: str, settings: Settings) -> InputError:
    known = ", ".join(sorted(settings.sources)) or "none yet; add one with `catalog sources add`"
    return InputError(f"no source named {name!r}; known: {known}")


def cmd_sources_remove(args: argparse.Namespace) -> int:
    from catalog.pipeline import retire

    settings = _settings(args)
    if not settings.remove_source(args.name):
        raise _unknown_source(args.name, settings)
    store, index = _open(settings)
    n = retire(settings, store, index, [args.name]).get(args.name)
    if n is None:  # being harvested now: the scheduler's next look at catalog.toml retires them
        print(
            f"removed source {args.name}; it is being harvested: the scheduler retires its records when that has ended"
        )
    else:
        print(f"removed source {args.name}; its {n:,} records left the catalogue (its feeds say they were deleted)")
    return 0


# --- pipeline --------------------------------------------------------------------------------


def cmd_harvest(args: argparse.Namespace) -> int:
    from catalog.pipeline import NotClosed, harvest

    settings = _settings(args)
    for name in args.sources:
        if name not in settings.sources:
            raise _unknown_source(name, settings)
    store, index = _open(settings)
    not_closed: NotClosed | None = None
    with Status("harvest") as status:
        try:
            results = harvest(
                settings,
                store,
                index,
                args.sources or None,
                workers=args.workers,
                progress=lambda source, n: status.advance(n, note=source),
                full=args.full,
            )
        except NotClosed as exc:  # the runs' lines first, then what the store left undone
            results, not_closed = exc.results, exc
    if not results and not args.sources:
        print(
            "nothing to harvest: no source is enabled (`catalog sources add` adds one; "
            "`catalog sources list` shows them)",
            file=sys.stderr,
        )
    for r in results:
        print(r.line())
        for e in r.errors[: args.show_errors]:
            where = " ".join(
                x for x in (e.url, e.record_id and f"record {e.record_id}", e.field and f"field {e.field}") if x
            )
            print(f"    error: {e.message} [{where}]")
        if len(r.errors) > args.show_errors:
            print(f"    ... {len(r.errors) - args.show_errors} more errors: `catalog report {r.source}` lists all")
    if args.report:
        Path(args.report).write_text(
            json.dumps(
                [
                    {
                        "source": r.source,
                        "run": r.run_id,
                        "status": r.status,
                        "counts": r.counts,
                        "live_records": r.live,
                        "nonconforming_now": r.nonconforming,
                        "error": r.error,
                        "errors": [e.__dict__ for e in r.errors],
                    }
                    for r in results
                ],
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
    if not_closed is not None:
        return _fail(f"error: {not_closed}", status=1)
    return 0 if all(r.ok for r in results) else 1


def cmd_report(args: argparse.Namespace) -> int:
    from catalog.readiness import source_readiness
    from catalog.store import open_reader
    from catalog.validation import stored_by_rule

    settings = _settings(args)
    store = open_reader(settings)
    run = store.last_run(args.source)
    if run is None:
        if args.source not in settings.sources:
            raise _unknown_source(args.source, settings)
        print(f"{args.source}: never harvested")
        return 0
    errors = store.errors(run.id)
    found, hints = source_readiness(store, settings, args.source)  # one read of its datasets for both
    readiness = found.to_dict()
    live, nonconforming = store.conformance(args.source)
    out = {
        "source": run.source,
        "run": run.id,
        "status": run.status,
        "started": run.started,
        "finished": run.finished,
        "counts": run.counts,
        "live_records": live,
        "nonconforming_now": nonconforming,
        "error": run.error,
        "errors": [e.__dict__ for e in errors],
        "findings": [
            {"severity": sev, "path": path, "message": message, "count": n, "hint": hints.get((sev, path, message), "")}
            for sev, path, message, n in stored_by_rule(store.validations(args.source))
        ],
        "ehds": {
            "datasets": readiness["total"],
            "publishers": readiness["publishers"],
            "left_out": readiness["left_out"],
        },
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def cmd_ehds_coverage(args: argparse.Namespace) -> int:
    from catalog.readiness import coverage, fix_list, fix_list_csv
    from catalog.store import open_reader

    settings = _settings(args)
    store = open_reader(settings)
    if args.source and args.source not in settings.sources:
        raise _unknown_source(args.source, settings)
    found = coverage(store, settings, args.source)
    if args.fix_list:
        publishers = found.by_publisher()
        if args.fix_list not in publishers:
            raise InputError(f"no publisher with the key {args.fix_list!r}; `catalog ehds-coverage` lists them")
        sys.stdout.write(fix_list_csv(fix_list(found, args.fix_list)))
        return 0
    if args.format == "json":
        print(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(coverage_text(found, args.show_variables))
    return 0


def cmd_ehds_check(args: argparse.Namespace) -> int:
    from catalog.minimum import check, format_text
    from catalog.store import open_reader

    settings = _settings(args)
    store = open_reader(settings)
    if args.source and args.source not in settings.sources:
        raise _unknown_source(args.source, settings)
    found = check(store, settings, args.source)
    if args.publisher:
        if args.publisher not in found.by_publisher():
            raise InputError(f"no publisher with the key {args.publisher!r}; `catalog ehds-check` lists them")
        found.datasets = found.of_publisher(args.publisher)
    if args.format == "json":
        print(json.dumps(found.to_list(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(format_text(found, args.show))
    return 0


def cmd_uses_import(args: argparse.Namespace) -> int:
    from catalog.duties import import_register
    from catalog.uses import RegisterError

    settings = _settings(args)
    store, index = _open(settings)
    content = Path(args.file).read_bytes()
    try:
        done = import_register(settings, store, index, content, args.file, replace=args.replace)
    except RegisterError as exc:
        raise InputError(
            f"{args.file}: {len(exc.problems)} problem(s); nothing was imported",
            [f"{args.file}:{p.line}: {p.field}: {p.message}" for p in exc.problems],
        ) from None
    print(
        f"imported {done.uses} uses ({done.new} new, {done.replaced} replaced"
        + (f", {done.removed} removed" if args.replace else "")
        + f"); the uses of {len(done.datasets)} datasets changed"
    )
    return 0


def cmd_uses_list(args: argparse.Namespace) -> int:
    from catalog.store import open_reader
    from catalog.uses import register

    settings = _settings(args)
    store = open_reader(settings)
    found = register(store, args.dataset)
    if args.format == "json":
        uses = [{**u.to_dict(), "language": u.written_in(settings)} for u in found]
        print(json.dumps(uses, ensure_ascii=False, indent=2))
        return 0
    for u in found:
        print(f"{u.permit_date}  {u.project_title} ({u.organisation})")
        for uri in u.datasets:
            print(f"    {uri}")
    print(f"{len(found)} uses")
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    from catalog.confirmations import PUBLISHER, SOURCE
    from catalog.duties import UnknownHolder, confirm
    from catalog.store import open_store

    settings = _settings(args)
    store = open_store(settings)
    kind, ident = (SOURCE, args.source) if args.source else (PUBLISHER, args.publisher)
    try:
        done = confirm(settings, store, kind, ident, "cli", args.note or "")
    except UnknownHolder as exc:
        raise InputError(str(exc)) from None
    print(f"{done.name} ({done.holder}) confirmed its descriptions at {done.at}; {done.relabelled} labels changed")
    return 0


def cmd_confirmations(args: argparse.Namespace) -> int:
    from catalog.confirmations import holders, overdue
    from catalog.store import open_reader

    settings = _settings(args)
    store = open_reader(settings)
    found = holders(store, settings)
    if args.overdue:
        found = overdue(found)
    if args.format == "json":
        print(json.dumps([h.to_dict() for h in found], ensure_ascii=False, indent=2))
        return 0
    for h in found:
        last = h.confirmed["at"][:10] if h.confirmed else "never"
        flag = "OVERDUE" if h.overdue() else "due"
        print(f"{flag:8} {h.due:%Y-%m-%d}  last confirmed {last:10}  {h.kind:9} {h.ident}  {h.name}")
    print(f"{len(found)} holders" + (" overdue" if args.overdue else f", {len(overdue(found))} overdue"))
    return 0


LABEL_WORDS = {
    "assessed": ("vurdert", "vurdert", "assessed"),
    "not assessed": ("ikke vurdert", "ikkje vurdert", "not assessed"),
}
"""The words `catalog label` writes besides the label's own names: bokmål, nynorsk, English."""


def _label_word(word: str, lang: str) -> str:
    from catalog.texts import in_ui_language

    return in_ui_language(lang, *LABEL_WORDS[word])


def _decimal(value: float, places: int, lang: str) -> str:
    """A number as the language writes it: a decimal comma in Norwegian, as the label's page has it."""
    said = f"{value:.{places}f}"
    return said if lang == "en" else said.replace(".", ",")


@contextmanager
def _notes_in(lang: str) -> Iterator[Any]:
    """What each measurement rests on ("27 of 27", "conforms"), as the label's page says it in
    `lang` (`web.label.note_in_language`: the explorer's translations, not a copy of them); as stored,
    in English, for English."""
    if lang == "en":
        yield lambda note: note
        return
    from web.i18n import speaking
    from web.label import note_in_language

    with speaking(lang):
        yield lambda note: note_in_language(note)[0]


def cmd_label(args: argparse.Namespace) -> int:
    from catalog.label import BY_NAME, ELEMENT_NAMES, label_of
    from catalog.store import open_reader

    if bool(args.dataset) == args.summary:
        raise InputError("name a dataset (its URI or key), or give --summary for every dataset's labels, not both")
    settings = _settings(args)
    store = open_reader(settings)
    if args.summary:
        return _label_summary(store, args.format, args.lang)
    stored = store.get(args.dataset) or store.get_by_key(args.dataset)
    if stored is None or stored.kind != "dataset":
        raise InputError(f"no dataset with the URI or key {args.dataset!r}")
    found = label_of(store, stored.uri)
    if found is None:
        raise InputError(f"{stored.uri} has no label yet: `catalog reindex` assesses every dataset")
    if args.format == "json":
        print(json.dumps({"dataset": stored.uri, **found.to_dict()}, ensure_ascii=False, indent=2))
        return 0
    lang = args.lang
    print(f"{stored.uri}: {_decimal(found.score, 1, lang)} % ({_label_word('assessed', lang)} {found.assessed})")
    with _notes_in(lang) as note_in:
        for element, score in found.elements.items():
            shown = _label_word("not assessed", lang) if score is None else f"{100 * score:.0f} %"
            print(f"  {ELEMENT_NAMES[element].name_in(lang)}: {shown}")
            for name, m in found.metrics.items():
                if BY_NAME[name].element == element:
                    value = "–" if m.value is None else _decimal(m.value, 3, lang)
                    print(f"    {BY_NAME[name].name_in(lang):36} {value:>6}  {note_in(m.note)}")
    return 0


def _label_summary(store: Any, form: str, lang: str) -> int:
    """`/ehds/labels` on the command line: the same summary (`catalog.label.summary`), its JSON as
    `/ehds/labels.json` gives it, its text in the page's words (`web.label.summary_text`)."""
    from catalog.label import summary

    found = summary(store)
    if form == "json":
        print(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return 0
    from web.i18n import speaking
    from web.label import summary_text

    with speaking(lang):
        sys.stdout.write(summary_text(found))
    return 0


TITLE_WIDTH, NAME_WIDTH = 100, 72
"""Most characters of a title in `catalog ehds-coverage`'s lists (the demo's PROM titles, up to 98,
show whole) and of a publisher's name in its columns (as wide as the longest name up to this: the
demo's longest, "Norsk register for personer som utredes for kognitive symptomer (NorKog)", is 72)."""


def name_column(names: Sequence[str]) -> int:
    """The width of a column of publishers' names: the longest, from 40 to `NAME_WIDTH`."""
    return min(NAME_WIDTH, max([40, *(len(n) for n in names)]))


def clipped(text: str, width: int) -> str:
    """`text` if it fits in `width` characters, else cut at the last word boundary that leaves room
    for an ellipsis: cut at a fixed width, a title read "Pasientrapporterte data (", which a
    registry could not tell from a wrong title. A single word longer than the width is cut in it."""
    if len(text) <= width:
        return text
    if width < 2:
        return "…"[:width]
    head = text[: width - 1]  # room for the ellipsis
    if not text[width - 1].isspace():  # the cut falls inside a word: leave the word out
        words = head.rsplit(None, 1)
        head = words[0] if len(words) == 2 else head
    kept = head.rstrip(" \t–—-(,;:/")  # nor end on a dash or an opening parenthesis
    return (kept or text[: width - 1]) + "…"


def coverage_text(found: Any, show_variables: int = 5) -> str:
    """`catalog ehds-coverage` as text: the totals, per source, per publisher, and each dataset left out."""
    from catalog.readiness import OPERATOR, PUBLISHER

    total = found.total
    lines = [
        f"EHDS-feeden | The EHDS feed: {total.in_feed} of {total.datasets} datasets ({total.percent:.1f} %)",
        f"  left out: {total.left_out} ({total.operator_can_complete} the operator's settings would complete, "
        f"{total.publisher_must_fix} need their publisher"
        + (f", {total.operator_too} of them the operator's settings too" if total.operator_too else "")
        + ")",
    ]
    if total.stale:
        lines.append(
            f"  {total.stale} datasets were validated with other operator settings: `catalog reindex` validates them again"
        )
    lines += ["", "Per kilde | Per source"]
    for name, t in found.by_source().items():
        lines.append(f"  {name:<28} {t.in_feed:>6} of {t.datasets:<6} {t.percent:5.1f} %")
    lines += ["", "Per utgiver | Per publisher (key: for --fix-list)"]
    publishers = found.by_publisher()
    width = name_column([name for name, _ in publishers.values()])
    for key, (name, t) in publishers.items():
        lines.append(
            f"  {key or '-':<16}  {clipped(name or '(ingen utgiver | no publisher)', width):<{width}} "
            f"{t.in_feed:>6} of {t.datasets}"
        )
    warned = found.warned()
    if warned:
        lines += [
            "",
            f"Advarsler | Warnings: {len(warned)} datasets lack an English title or description "
            "(the EU catalogue is read in English)",
        ]
        for d in warned:
            lines.append(
                f"  [{d.source}] {d.identifier}  {clipped(d.title, TITLE_WIDTH)}: "
                + ", ".join(w.field for w in d.warnings)
            )
    untyped = found.untyped_publishers()
    if untyped:
        lines += [
            "",
            f"Utgivere uten utgivertype | Publishers without a publisher type (dct:type): {len(untyped)}, "
            f"of {total.without_publisher_type} datasets (HealthDCAT-AP describes a publisher by its type; "
            "the catalogue invents none)",
        ]
        width = name_column([p.name for p in untyped])
        for p in untyped:
            lines.append(
                f"  {p.key or '-':<16}  {clipped(p.name, width):<{width}} {len(p.datasets):>6} datasets  <- {p.setting}"
                + ("" if p.registered else " (ikke i registeret | not in the register)")
            )
    codes = found.codelist_total
    lines += [
        "",
        f"Kodelister | Code lists: {codes.in_feed} of {codes.used} that the feed's datasets use are in it"
        + (f" ({codes.not_held} not in the catalogue)" if codes.not_held else ""),
    ]
    for c in found.codelists:
        if c.in_feed:
            continue
        named = f"[{c.source}] {c.identifier}  {clipped(c.title, TITLE_WIDTH)}".rstrip() if c.held else c.uri
        lines.append(f"  {named}  (used by {len(c.used_by)} datasets)")
        if not c.held:
            lines.append("    ikke i katalogen | not in the catalogue")
        lines += [f"    {p.message} ({p.count})" for p in c.problems]
    left = found.left_out()
    if left:
        lines += ["", "Utelatt | Left out"]
    for d in left:
        lines.append(
            f"  [{d.source}] {d.identifier}  {clipped(d.title, TITLE_WIDTH)}"
            + (f"  ({d.publisher})" if d.publisher else "")
        )
        for fixer, label in ((OPERATOR, "operatør | operator"), (PUBLISHER, "utgiver | publisher")):
            for g in d.grouped(fixer):
                if g.variables:
                    shown = ", ".join(g.variables[:show_variables]) + (
                        ", ..." if len(g.variables) > show_variables else ""
                    )
                    what = g.field.rsplit(".", 1)[-1]
                    lines.append(f"    {label}: {len(g.variables)} variables lack {what} ({shown})")
                else:
                    lines.append(f"    {label}: {g.field}" + (f"  <- {g.setting}" if g.setting else f"  ({g.message})"))
    return "\n".join(lines)


def cmd_reindex(args: argparse.Namespace) -> int:
    from catalog.label import relabel
    from catalog.pipeline import reindex, revalidate
    from catalog.renderings import note_output, refresh

    settings = _settings(args)
    store, index = _open(settings)
    note_output(settings, store)  # the feeds' Last-Modified follows a setting of the environment
    started = time.perf_counter()
    n = revalidate(settings, store)
    print(
        f"validated {n:,} records again (datasets whose operator settings: register, defaults, access body, "
        f"changed; records other rules validated, before an upgrade) in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    n = relabel(settings, store)
    print(
        f"assessed the quality and utility labels anew where their datasets or inputs changed: {n:,} changed, "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    with Status("reindex", total=store.count()) as status:
        n = reindex(settings, store, index, progress=status.advance)
    print(f"indexed {n:,} documents in {time.perf_counter() - started:.1f} s ({index.name})")
    started = time.perf_counter()
    with Status("feed statements", total=store.count()) as status:
        n = refresh(settings, store, progress=status.advance)
    print(
        f"rendered the feed statements of {n:,} records anew in {time.perf_counter() - started:.1f} s "
        "(the others were current)"
    )
    from catalog import disclosure

    n = disclosure.refresh(store, settings.policies())
    print(f"published the counts of {n:,} datasets anew under their source's disclosure settings")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from catalog.store import open_store

    store = open_store(_settings(args))  # opening the write side applies the steps it lacks
    version = store.schema_version()
    if store.migrated:
        steps = ", ".join(str(n) for n in store.migrated)
        print(
            f"{store.location}: schema version {version}: applied step{'s' if len(store.migrated) > 1 else ''} {steps}"
        )
    else:
        print(f"{store.location}: schema version {version} (up to date)")
    return 0


def cmd_import_store(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from catalog.backup import BackupError, snapshot
    from catalog.store import store_at, store_path, store_url

    settings = _settings(args)
    sqlite = urlsplit(args.source).scheme in ("", "file", "sqlite")
    if sqlite and not Path(store_path(args.source)).is_file():
        raise InputError(f"there is no SQLite store at {store_path(args.source)}")
    if sqlite and Path(store_path(args.source)).resolve() == Path(store_path(store_url(settings))).resolve():
        raise InputError("the store to import from is the configured store itself")
    # each statement within store_write_timeout, as the pipeline's: the copy is one transaction,
    # whose length grows with the catalogue, but each of its statements is one batch of rows
    deadline = settings.store_write_timeout
    target = store_at(store_url(settings), write_timeout=deadline)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="helsekatalog-import-") as tmp:
        if sqlite:  # read from a snapshot: opening a SQLite store migrates it, and the original is left
            # as it was (its release, still running it, would refuse a store migrated past it)
            copy = Path(tmp) / "catalog.sqlite"
            try:
                snapshot(Path(store_path(args.source)), copy)
            except BackupError as exc:
                raise InputError(str(exc)) from None
            source, where = store_at(str(copy), readonly=True), str(store_path(args.source))
        else:
            source = store_at(args.source, readonly=True, write_timeout=deadline)
            if source.url == store_url(settings):
                raise InputError("the store to import from is the configured store itself")
            where = source.location
        try:
            copied = source.copy_into(target)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        finally:
            source.close()
    rows = ", ".join(f"{n:,} {table}" for table, n in copied.items())
    print(f"copied {where} into {target.location} in {time.perf_counter() - started:.1f} s: {rows}")
    print("the search index is not part of the store: run `catalog reindex` if this one is new")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from catalog.backup import BackupError, backup, backup_into

    settings = _settings(args)
    if (args.dest is None) == (args.into is None):
        raise InputError("name a new folder (catalog backup DEST) or a folder of dated backups (--into DIR)")
    removed: list[Path] = []
    try:
        if args.into is not None:
            done, removed = backup_into(settings, Path(args.into), args.keep)
        else:
            done = backup(settings, Path(args.dest))
    except BackupError as exc:
        raise InputError(str(exc)) from None
    held = f" ({done.records:,} records)" if done.records is not None else ""
    print(f"backed up {settings.home} into {done.folder} in {done.seconds:.1f} s: {', '.join(done.files)}{held}")
    if removed:
        print(f"removed {len(removed)} older backup(s), keeping {args.keep}: {', '.join(p.name for p in removed)}")
    if "catalog.pgdump" in done.files:
        print(
            "to restore: stop the services, copy the other files into the home, restore the dump into an empty "
            "database (pg_restore --clean --if-exists --dbname=URL catalog.pgdump), run `catalog reindex`"
        )
    else:
        print(
            "to restore: stop the services, copy these files into the home (or use the folder as the home), "
            "run `catalog reindex`"
        )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from catalog.search import BadQuery, SearchQuery, open_backend, type_filters, type_totals
    from catalog.search.years import YEAR_FILTER, read_years

    settings = _settings(args)
    index = open_backend(settings)
    words, years = read_years(args.query)  # as the explorer reads them: "fødsler 2010"
    filters = type_filters(args.type, {YEAR_FILTER: years}) if years else {}
    try:
        result = index.search(
            SearchQuery(text=words, type=args.type, limit=args.limit, group=args.group, filters=filters)
        )
    except BadQuery as exc:
        raise InputError(f"the query cannot be searched: {exc}") from None
    if args.json:
        hits = [
            {
                "id": h.key,
                "uri": h.doc.get("uri"),
                "name": h.doc.get("name"),
                "label": h.doc.get("label"),
                "dataset": h.doc.get("dataset_title"),
                "dataset_id": h.doc.get("dataset_key"),
                "source": h.doc.get("source"),
                "score": round(h.score, 3),
                "matched_codes": [list(c) for c in h.matched_codes],
                **(
                    {"group_size": h.group_size, "period": list(h.period), "members": h.members}
                    if result.grouped
                    else {}
                ),
            }
            for h in result.hits
        ]
        print(
            json.dumps(
                {
                    "query": words,
                    "filters": filters,
                    "total": result.total,
                    "typo_words": list(result.typo_words),
                    "corrected": list(result.corrected),
                    "any_words": result.any_words,
                    "optional_words": list(result.optional_words),
                    "broader_codes": [{"code": c, "broader": p} for c, p in result.broader_codes],
                    "split_words": [{"word": w, "parts": p} for w, p in result.split_words],
                    "hits": hits,
                    "facets": {k: dict(v) for k, v in result.facets.items()},
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    unit = "groups of identical variables" if result.grouped else "hit" if result.total == 1 else "hits"
    covering = f" with data from {', '.join(years)}" if filters else ""
    print(f"{result.total} {unit} for {words!r}{covering}")
    if not result.total:  # as the explorer's tabs do: the same words may find another kind of record
        found = {kind: n for kind, n in type_totals(index, SearchQuery(text=words)).items() if n and kind != args.type}
        said = {"variable": "variable", "dataset": "dataset", "codelist": "code list"}
        if found:
            print(
                "  ("
                + "; ".join(
                    f"{n} {said[kind]}{'' if n == 1 else 's'} match{'es' if n == 1 else ''}: --type {kind}"
                    for kind, n in found.items()
                )
                + ")"
            )
    if result.typo_words:
        taken = f" {', '.join(result.corrected)!r} and" if result.corrected else ""
        print(f"  (nothing matched {', '.join(result.typo_words)!r} as typed:{taken} similar spellings)")
    if result.any_words:
        print("  (nothing matched all the words: these match some of them)")
    if result.optional_words:
        print(
            f"  ({' '.join(result.optional_words)!r} says whom the data are about: hits need not say it; those that do first)"
        )
    for code, parent in result.broader_codes:
        print(f"  (no code list holds {code}: these hold {parent}, the code it falls under)")
    for word, parts in result.split_words:
        print(f"  (nothing matched {word!r} as written: these match what it is made of, {parts!r})")
    for h in result.hits:
        where = h.doc["dataset_title"] if h.doc.get("dataset_title") else ""
        if result.grouped and h.group_size > 1:
            start, end = h.period
            where = f"{h.group_size} datasets, {start or '?'}–{end or ''}"
        print(
            f"  {h.doc.get('name', ''):<16} {h.doc.get('label', '')}  [{h.doc.get('source')}{' / ' + where if where else ''}]"
        )
        if h.matched_codes:
            print("  " + " " * 17 + "codes: " + "; ".join(f"{code} {label}" for code, label in h.matched_codes))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from catalog import profiles, validation

    profile = args.profile or profiles.EHDS
    if profile not in profiles.shape_sets():
        raise InputError(f"unknown profile {profile!r}; choose one of {', '.join(profiles.shape_sets())}")
    try:
        graph, pages = validation.read_feed(args.location)
    except validation.Unreadable as exc:
        raise InputError(str(exc)) from None
    report = validation.validate_graph(graph, profile)
    if pages > 1:
        print(f"{pages} pages read, following hydra:next", file=sys.stderr)
    print(validation.format_report(report, args.format, args.show))
    return 0 if report.conforms else 1


def cmd_publish(args: argparse.Namespace) -> int:
    from catalog.publish import METADATA_FILE, PublishError, publish, write_template

    if args.template:
        written = write_template(Path(args.template))
        print(f"wrote the template {args.template}")
        if len(written) > 1:
            print(f"wrote an example {written[1]}: replace its values with your registry's")
        else:  # a registry running --template again was not told why no example came
            kept = Path(args.template).parent / METADATA_FILE
            print(f"kept {kept} as it is (no example written over it; move it away to get one)")
        return 0
    if not args.location or not args.out:
        raise InputError("give a spreadsheet or folder and --out DIR (or --template FILE.xlsx)")
    try:
        result = publish(
            Path(args.location),
            Path(args.out),
            Path(args.metadata) if args.metadata else None,
            args.page_size,
            partial=args.partial,
            report_dir=Path(args.report) if args.report else None,
            show=args.show,
        )
    except PublishError as exc:
        raise InputError(str(exc)) from None
    print(result.summary, end="")
    if not result.published:
        files = sorted({p.where.split(" ", 1)[0] for p in result.errors})
        from catalog.messages import NOTHING_PUBLISHED

        return _fail("error: " + NOTHING_PUBLISHED(count=len(result.errors), files=", ".join(files), out=args.out))
    print(f"wrote {len(result.files)} files to {args.out} ({len(result.records)} records)")
    return 0 if result.conforms else 1


def cmd_export(args: argparse.Namespace) -> int:
    from rdflib.namespace import DCAT, RDF

    from catalog import profiles
    from catalog.export import catalog_graph, serialize
    from catalog.store import open_reader

    settings = _settings(args)
    store = open_reader(settings)
    profile = args.profile or profiles.EHDS
    if profile not in profiles.FEEDS:
        raise InputError(f"unknown profile {profile!r}; choose one of {', '.join(profiles.FEEDS)}")
    with Status("export", total=store.count()) as status:
        graph = catalog_graph(settings, store, profile, progress=status.advance)
        status.advance(0, note=f"writing {args.format}")
        status.draw()
        data = serialize(graph, args.format)
    if args.output:
        Path(args.output).write_bytes(data)
        # on stdout, free when the catalogue goes to a file (as harvest's summary; progress is on stderr)
        carried = len(set(graph.subjects(RDF.type, DCAT.Dataset)))
        live = store.count(kind="dataset")
        left = f"; the {profile} feed carries only those that conform to it" if carried < live else ""
        print(f"wrote {carried} of {live} datasets to {args.output}{left}")
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _not_newer_than_this_release(settings)
    with metrics_directory(args.workers):
        from web import create_app
        from web.server import serve

        def schedule() -> None:
            from catalog.scheduler import Scheduler
            from catalog.search import open_backend
            from catalog.store import open_store

            Scheduler(settings, open_store(settings), open_backend(settings)).start()
            log.info("harvesting sources when due (each by its own interval), and carrying out admin requests")

        return serve(
            lambda: create_app(settings),
            args.host,
            args.port,
            threads=args.threads,
            workers=args.workers,
            beside=schedule if args.schedule else None,
            trusted_proxy=settings.trusted_proxy,
        )


def _not_newer_than_this_release(settings: Settings) -> None:
    """Refuse, in one line, a store that a newer release has migrated (`SchemaTooNew`), before any
    serving process starts: the processes of `--workers N` each stopped with a traceback, and the
    service with status 1, where one process said it in a line. A store that does not answer yet
    is not refused: the explorer starts, not ready, and serves once it answers."""
    from catalog.store import open_reader

    try:
        open_reader(settings).close()
    except StoreUnavailable:
        pass


@contextmanager
def metrics_directory(workers: int) -> Iterator[None]:
    """With several serving processes, their metrics are counted in files in a fresh directory
    (prometheus_client's multiprocess mode), which must be chosen before `web` is first imported
    and is removed when the service stops. One process counts in memory."""
    if workers <= 1:
        yield
        return
    folder = tempfile.mkdtemp(prefix="helsekatalog-metrics-")
    count_metrics_in(folder)  # `web` is not imported yet
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cmd_scheduler(args: argparse.Namespace) -> int:
    from catalog.scheduler import Scheduler

    settings = _settings(args)
    store, index = _open(settings) if args.once else _open_waiting(settings, args.poll)
    scheduler = Scheduler(settings, store, index, poll_seconds=args.poll)
    if args.once:
        results = scheduler.tick()
        for r in results:
            print(r.line())
        return 0 if all(r.ok for r in results) else 1
    scheduler.run_forever()
    return 0


def _open_waiting(settings: Settings, every: float) -> tuple[StoreWriter, SearchBackend]:
    """`_open` for a scheduler that starts before its database (a host's boot, a failover): it
    waits, trying every `every` seconds and saying so once, rather than ending at once, which
    systemd or an orchestrator would answer by restarting it, an orchestrator backing off for
    minutes."""
    waited = False
    while True:
        try:
            opened = _open(settings)
        except StoreUnavailable as exc:
            if not waited:
                log.warning("%s; the scheduler waits for it, trying every %g s", exc, every)
                waited = True
            time.sleep(every)
            continue
        if waited:
            log.info("the store is open: %s", opened[0].location)
        return opened


def cmd_simulator(args: argparse.Namespace) -> int:
    from simulator import serve

    serve(
        args.host,
        args.port,
        seed=args.seed,
        scale=args.scale,
        generation=args.generation,
        cache_bytes=args.cache_mb * 2**20,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from catalog.demo import run_demo

    return run_demo(args.home, args.port, serve_forever=not args.no_serve)


# --- parser ----------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="catalog", description="National health metadata catalogue and variable explorer")
    p.add_argument("--home", help="catalogue home (default $CATALOG_HOME or ./catalog-data)")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help="the installed release")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="simulated sources -> harvest -> validate -> index -> explorer on :5000")
    d.add_argument("--port", type=_port, default=5000)
    d.add_argument("--no-serve", action="store_true", help="stop after harvesting (for scripts and tests)")
    # here too, as `make demo ARGS="--home DIR"` gives it: only before the command, it was refused
    d.add_argument("--home", default=argparse.SUPPRESS, help="catalogue home, as `catalog --home DIR demo`")
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("sources", help="configure sources").add_subparsers(dest="action", required=True)
    a = s.add_parser("add", help="add a source (--replace: replace one of that name)")
    a.add_argument("name")
    a.add_argument(
        "--replace",
        action="store_true",
        help="replace the source of this name (its options are kept unless --options is given or the kind changes)",
    )
    a.add_argument("--kind", required=True, help="harvester protocol: dcat, ckan, oai-ddi, klass, vardef, ...")
    a.add_argument("--url", required=True)
    a.add_argument(
        "--category", choices=SOURCE_KINDS, help="kind of publisher (default: from the protocol, else central-registry)"
    )
    a.add_argument("--title", help="the source's name as the pages show it (default: NAME)")
    a.add_argument("--interval", type=_positive, default=1440, help="minutes between scheduled harvests")
    a.add_argument("--options", help="JSON object of harvester options")
    a.add_argument("--credentials-env", help="environment variable holding the source's token")
    a.set_defaults(func=cmd_sources_add)
    s.add_parser("list", help="list sources").set_defaults(func=cmd_sources_list)
    r = s.add_parser("remove", help="remove a source")
    r.add_argument("name")
    r.set_defaults(func=cmd_sources_remove)

    h = sub.add_parser("harvest", help="harvest sources (all when none named)")
    h.add_argument("sources", nargs="*")
    h.add_argument("--workers", type=_positive, default=2, help="sources harvested at once")
    h.add_argument("--report", help="write a JSON report of the run to this file")
    h.add_argument("--show-errors", type=_positive, default=20, help="errors printed per source")
    h.add_argument(
        "--full",
        action="store_true",
        help="fetch and map everything again, ignoring the checkpoints that skip unchanged pages, files "
        "and cursors (after an upgrade that maps differently)",
    )
    h.set_defaults(func=cmd_harvest)

    rp = sub.add_parser("report", help="the last run of a source with all its errors, as JSON")
    rp.add_argument("source")
    rp.set_defaults(func=cmd_report)

    mc = sub.add_parser(
        "ehds-check",
        help="for every dataset, the EHDS minimum metadata elements (Implementing Regulation (EU) 2026/2098) it lacks",
    )
    mc.add_argument("--source", help="only this source")
    mc.add_argument("--publisher", metavar="KEY", help="only this publisher (its key, as /ehds/minimum lists them)")
    mc.add_argument("--format", default="text", choices=["text", "json"])
    mc.add_argument("--show", type=int, default=50, help="incomplete datasets listed in text (0: all)")
    mc.set_defaults(func=cmd_ehds_check)

    u = sub.add_parser("uses", help="the data use register: the data permits issued (EHDS Art. 58)")
    us = u.add_subparsers(dest="action", required=True)
    ui = us.add_parser("import", help="import issued permits from CSV (all rows or none)")
    ui.add_argument("file", help="CSV with project_title, organisation, datasets, permit_date, legal_basis, summary")
    ui.add_argument("--replace", action="store_true", help="the register becomes exactly this file")
    ui.set_defaults(func=cmd_uses_import)
    ul = us.add_parser("list", help="the register, the latest permit first")
    ul.add_argument("--dataset", help="only the uses of this dataset (its URI)")
    ul.add_argument("--format", default="text", choices=["text", "json"])
    ul.set_defaults(func=cmd_uses_list)

    cf = sub.add_parser("confirm", help="record that a source or publisher confirmed its descriptions (EHDS Art. 60)")
    who = cf.add_mutually_exclusive_group(required=True)
    who.add_argument("--source", help="the source's name")
    who.add_argument("--publisher", metavar="KEY", help="the publisher's key (`catalog confirmations` lists them)")
    cf.add_argument("--note", help="how it was confirmed (a letter, a meeting)")
    cf.set_defaults(func=cmd_confirm)
    cs = sub.add_parser("confirmations", help="when each source and publisher last confirmed, and who is overdue")
    cs.add_argument("--overdue", action="store_true", help="only those overdue")
    cs.add_argument("--format", default="text", choices=["text", "json"])
    cs.set_defaults(func=cmd_confirmations)

    lb = sub.add_parser(
        "label", help="a dataset's data quality and utility label (EHDS Art. 78), or --summary of them all"
    )
    lb.add_argument("dataset", nargs="?", help="the dataset's URI or key")
    lb.add_argument(
        "--summary",
        action="store_true",
        help="every live dataset's labels counted per level and source, and each element's mean, as /ehds/labels",
    )
    lb.add_argument("--format", default="text", choices=["text", "json"])
    lb.add_argument(
        "--lang",
        default="en",
        choices=["nb", "nn", "en"],
        help="the language of the text: bokmål, nynorsk or English (default; JSON is as stored)",
    )
    lb.set_defaults(func=cmd_label)

    ec = sub.add_parser(
        "ehds-coverage",
        help="how many datasets reach the EHDS feed; for each one left out, what is missing and who can supply it",
    )
    ec.add_argument("--source", help="only this source")
    ec.add_argument("--format", default="text", choices=["text", "json"])
    ec.add_argument("--fix-list", metavar="PUBLISHER", help="a publisher's fix list as CSV (its key from the listing)")
    ec.add_argument("--show-variables", type=int, default=5, help="variable names shown per missing field")
    ec.set_defaults(func=cmd_ehds_coverage)

    v = sub.add_parser("validate", help="validate a DCAT file or URL against a profile")
    v.add_argument("location")
    v.add_argument(
        "--profile",
        help="a profile (healthdcat-ap, dcat-ap-no, dcat-ap-3) or one HealthDCAT-AP access level "
        "(healthdcat-ap/public, /restricted, /non-public); default: the EHDS feed's",
    )
    v.add_argument("--format", default="text", choices=["text", "json"])
    v.add_argument(
        "--show", type=int, default=50, help="nodes whose findings are listed in text, after the summary (0: all)"
    )
    v.set_defaults(func=cmd_validate)

    q = sub.add_parser("search", help="search variables")
    q.add_argument("query")
    q.add_argument("--json", action="store_true")
    q.add_argument("--limit", type=_positive, default=10)
    q.add_argument("--type", default="variable", choices=["variable", "dataset", "codelist"])
    q.add_argument("--group", action="store_true", help="one row per group of identical variables")
    q.set_defaults(func=cmd_search)

    pb = sub.add_parser("publish", help="a registry's variable list (CSV/XLSX) + metadata.toml -> a static DCAT feed")
    pb.add_argument("location", nargs="?", help="a .csv/.xlsx variable list, or a folder of them with metadata.toml")
    pb.add_argument("--out", help="the served folder to write the feed to (catalog.ttl, catalog.jsonld, ...)")
    pb.add_argument("--metadata", help="the TOML metadata file (default: metadata.toml beside the lists)")
    pb.add_argument("--page-size", type=_positive, default=50, help="records per feed page")
    pb.add_argument("--template", help="write a template spreadsheet with the Norwegian headings and stop")
    pb.add_argument(
        "--partial",
        action="store_true",
        help="publish what was read although rows or cells could not be (they are left out and listed); "
        "without it an error in a list publishes nothing and leaves --out as it was",
    )
    pb.add_argument(
        "--report",
        metavar="DIR",
        help="folder for the full report, rapport.txt and rapport.json (default: the folder of the lists; "
        "never needed in the served --out)",
    )
    pb.add_argument(
        "--show",
        type=int,
        default=20,
        metavar="N",
        help="findings of each kind shown on the terminal (default 20, 0: all); the full report has all",
    )
    pb.set_defaults(func=cmd_publish)

    e = sub.add_parser("export", help="export the catalogue as DCAT")
    e.add_argument("--profile", help="healthdcat-ap (default: the EHDS feed), dcat-ap-no or dcat-ap-3")
    e.add_argument("--format", default="turtle", choices=["turtle", "jsonld", "xml", "nt"])
    e.add_argument("--output")
    e.set_defaults(func=cmd_export)

    sv = sub.add_parser("serve", help="serve the explorer, API and feeds")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=_port, default=5000)
    sv.add_argument(
        "--threads",
        type=_positive,
        default=8,
        help="threads per process (1: each request on the process's own thread, the least CPU a page: README)",
    )
    sv.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="serving processes sharing the port (with --threads 1, one more than cores)",
    )
    sv.add_argument("--schedule", action="store_true", help="also harvest sources when they are due")
    sv.set_defaults(func=cmd_serve)

    sc = sub.add_parser("scheduler", help="harvest each source when due, by its interval")
    sc.add_argument("--poll", type=float, default=30, help="seconds between checks")
    sc.add_argument("--once", action="store_true", help="harvest what is due now, then exit")
    sc.set_defaults(func=cmd_scheduler)

    sub.add_parser(
        "reindex",
        help="validate again what changed operator settings affect; rebuild the search index and the feed "
        "renderings; publish again the counts of sources whose disclosure settings changed",
    ).set_defaults(func=cmd_reindex)

    sub.add_parser(
        "migrate", help="bring the store's schema up to date (opening it for writing does too)"
    ).set_defaults(func=cmd_migrate)
    im = sub.add_parser(
        "import-store",
        help="copy a whole store (records, history, runs, errors, checkpoints, renderings) into the configured, "
        "empty one: how a catalogue moves from SQLite to PostgreSQL",
    )
    im.add_argument("source", help="the store to copy: sqlite:///path/catalog.sqlite, a path, or postgresql://...")
    im.set_defaults(func=cmd_import_store)

    bk = sub.add_parser(
        "backup",
        help="copy what harvesting again would not bring back (the store with its registers and history, "
        "catalog.toml, the edited lists) into a new folder, while the catalogue runs",
    )
    bk.add_argument("dest", nargs="?", help="a new or empty folder")
    bk.add_argument(
        "--into", metavar="DIR", help="instead, a new folder of DIR named by the time (UTC), as a timer runs it"
    )
    bk.add_argument("--keep", type=int, default=14, help="with --into: the dated backups left there (default 14)")
    bk.set_defaults(func=cmd_backup)

    sim = sub.add_parser("simulator", help="run the publisher simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=_port, default=8900)
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--scale", type=float, default=1.0)
    sim.add_argument("--generation", type=int, default=0)
    sim.add_argument(
        "--cache-mb",
        type=int,
        default=0,
        help="keep the last replies up to this size, as a caching front end would (default off)",
    )
    sim.set_defaults(func=cmd_simulator)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        # as the environment says until a command reads its home's settings (`_settings`)
        _log_to_stderr(from_environment("log_format"), from_environment("log_level"))
        for said in unknown_environment():
            log.warning("%s", said)
        status = int(args.func(args))
        sys.stdout.flush()  # here, where a reader that left is caught, not at the interpreter's exit
        return status
    except BrokenPipeError as exc:
        if _stdout_reader_gone():
            return _reader_left()
        return _fail(f"error: {exc.strerror or exc}")
    except InputError as exc:
        return _fail(f"error: {exc}", *exc.problems)
    except ConfigError as exc:
        return _fail(f"configuration error: {exc}")
    except (StoreUnavailable, SchemaTooNew, StaleIndex, SearchUnavailable) as exc:
        return _fail(f"error: {exc}")
    except OSError as exc:  # a file, folder or port the system refuses
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(f"error: {exc.strerror or exc}{where}")
    except KeyboardInterrupt:
        return _fail("interrupted", status=130)


SIGPIPE_STATUS = 141
"""What a shell reports for a command whose reader left (128 + SIGPIPE), as for `yes | head`."""


def _stdout_reader_gone() -> bool:
    """Whether stdout is a pipe whose reader has left (a broken pipe elsewhere, a socket, is an
    error to report)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no file descriptor behind stdout
        return False


def _reader_left() -> int:
    """The command's output went to a reader that stopped reading (`catalog ehds-check | head`):
    end quietly, as Unix tools do, rather than with "error: Broken pipe" on stderr. stdout is
    pointed at /dev/null so that the interpreter's last flush does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return SIGPIPE_STATUS


def _fail(*lines: str, status: int = 2) -> int:
    """Each of `lines` as one line on stderr, whatever it held (an exception's message may hold
    newlines: a search index's error is one line), a JSON log line each when log lines are JSON.
    Several lines are a message and its problems, one per line: joined, a register file's two bad
    rows came on one line, where the README promises `FILE:LINE: column: message` for each."""
    for line in lines:
        said = " ".join(line.split())
        if logs.json_lines():
            log.error(said)
        else:
            print(said, file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
