"""Each source is harvested when its own interval has passed, and after a restart where it was."""

import threading
import time
from datetime import UTC, datetime, timedelta

from catalog.admin_queue import AdminQueue
from catalog.config import SourceConfig
from catalog.scheduler import Scheduler, due
from catalog.store import SQLiteStore, StoreUnavailable


def add(settings, name, minutes, enabled=True):
    settings.sources[name] = SourceConfig(
        name=name, kind="dcat", url="http://127.0.0.1:9/x.ttl", interval_minutes=minutes, enabled=enabled
    )


def test_sources_never_harvested_are_due_and_disabled_ones_never(settings, store):
    add(settings, "mfr", 60)
    add(settings, "off", 60, enabled=False)
    assert due(settings, store) == ["mfr"]


def test_a_source_is_due_again_only_after_its_own_interval(settings, store):
    add(settings, "hourly", 60)
    add(settings, "daily", 1440)
    for name in ("hourly", "daily"):
        store.finish_run(store.start_run(name), "ok", {})
    now = datetime.now(UTC)
    assert due(settings, store, now) == []
    assert due(settings, store, now + timedelta(minutes=61)) == ["hourly"]
    assert due(settings, store, now + timedelta(days=1, minutes=1)) == ["daily", "hourly"]


def test_an_interrupted_run_is_due_at_once_after_restart(settings, store):
    add(settings, "mfr", 1440)
    run = store.start_run("mfr")
    store.db.execute("UPDATE runs SET owner='1:0' WHERE id=?", (run,))
    restarted = SQLiteStore(settings.db_path)
    assert restarted.last_run("mfr").status == "interrupted"
    assert due(settings, restarted) == ["mfr"]


def test_a_tick_harvests_what_is_due_and_records_failures(settings, store):
    add(settings, "mfr", 60)
    settings.values["http_retries"] = 0
    [result] = Scheduler(settings, store, None).tick()
    assert result.source == "mfr" and result.status == "failed"
    assert Scheduler(settings, store, None).tick() == []


def test_an_empty_index_beside_a_full_store_is_rebuilt_before_anything_else(settings, store, server, caplog):
    """A home restored from a backup (the index is left out) or an index folder removed: harvests
    index only what changed, so nothing was found until someone ran `catalog reindex`."""
    import shutil

    from catalog.pipeline import harvest
    from catalog.search import SearchQuery, open_backend
    from tests.factories import mfr_and_a_gone_source

    mfr_and_a_gone_source(str(settings.home), server)
    settings.reload_sources()
    harvest(settings, store, open_backend(settings))
    shutil.rmtree(settings.index_dir)
    index = open_backend(settings)  # a process started now: an empty index of its own
    assert index.count() == 0
    scheduler = Scheduler(settings, store, index)
    with caplog.at_level("WARNING", logger="catalog.scheduler"):
        scheduler.tick()  # nothing due (harvested just now), but the index is rebuilt
    assert index.search(SearchQuery(text="fødselsvekt")).total == 1
    assert "the search index is empty and the store holds 2 datasets and code lists" in caplog.text
    caplog.clear()
    scheduler.tick()
    assert "rebuilding" not in caplog.text  # once


def test_an_empty_store_leaves_an_empty_index_alone(settings, store, caplog):
    from catalog.search import open_backend

    with caplog.at_level("WARNING", logger="catalog.scheduler"):
        Scheduler(settings, store, open_backend(settings)).tick()
    assert "rebuilding" not in caplog.text


def test_a_tick_that_failed_is_tried_again_after_the_poll_even_with_requests_waiting(settings, store, caplog):
    """While the database was down, an admin request waiting made the scheduler tick (and log that
    it could not) every second instead of every `--poll` seconds: a line a second in the logs."""
    scheduler = Scheduler(settings, store, None, poll_seconds=30)
    ticks: list[float] = []

    def unavailable() -> list:
        ticks.append(time.monotonic())
        raise StoreUnavailable("cannot connect to the store at postgresql://db.example.org/x")

    scheduler.tick = unavailable  # type: ignore[method-assign]
    AdminQueue(settings.home).submit("harvest", {})
    thread = threading.Thread(target=scheduler.run_forever, daemon=True)
    thread.start()
    time.sleep(3.5)
    scheduler.stop()
    thread.join(5)
    assert len(ticks) == 1, f"ticked {len(ticks)} times in 3.5 s with a 30 s poll"
    assert caplog.text.count("scheduler tick failed") == 1


def harvested_mfr_and_npr(settings, store, server):
    """mfr harvested (its dataset and code list), npr configured and gone; the index beside."""
    from catalog.pipeline import harvest
    from catalog.search import open_backend
    from tests.factories import mfr_and_a_gone_source

    mfr_and_a_gone_source(str(settings.home), server)
    settings.reload_sources()
    index = open_backend(settings)
    harvest(settings, store, index)
    assert store.source_stats()["mfr"]["records"] == 2
    return index


def found(index, text: str = "fødselsvekt") -> int:
    from catalog.search import SearchQuery

    return index.search(SearchQuery(text=text)).total


def test_a_source_removed_by_the_command_leaves_the_search_the_pages_and_the_feeds(settings, store, server, capsys):
    """`catalog sources remove` said its records stayed "until the next reindex/cleanup", and no
    command cleaned up: they stayed searchable and in the EHDS feed for good."""
    from catalog.cli import main
    from catalog.search import open_backend
    from web import create_app

    index = harvested_mfr_and_npr(settings, store, server)
    assert found(index) == 1
    assert main(["--home", str(settings.home), "sources", "remove", "mfr"]) == 0
    assert "its 2 records left the catalogue" in capsys.readouterr().out
    assert "mfr" not in store.source_stats() and found(open_backend(settings)) == 0  # an explorer's
    assert store.last_run("mfr").status == "ok" and store.last_run("mfr").counts["deleted"] == 2
    client = create_app(settings).test_client()
    assert "fødselsvekt" not in client.get("/catalog", headers={"Accept": "text/turtle"}).get_data(as_text=True).lower()
    deleted = [
        c for c in client.get("/changes?since=2000-01-01T00:00:00Z").get_json()["changes"] if c["change"] == "deleted"
    ]
    assert {c["type"] for c in deleted} >= {"dataset", "codelist"}  # and the dataset's variables


def test_a_source_removed_from_catalog_toml_by_hand_is_retired_at_the_schedulers_next_tick(settings, store, server):
    from catalog.config import Settings

    index = harvested_mfr_and_npr(settings, store, server)
    scheduler = Scheduler(settings, store, index)
    scheduler.tick()
    assert found(index) == 1
    by_hand = Settings.load(settings.home)  # another process edits the file
    by_hand.remove_source("mfr")
    scheduler.tick()
    assert "mfr" not in store.source_stats() and found(index) == 0


def test_an_edit_the_web_read_first_is_still_followed_by_the_scheduler_it_shares_settings_with(settings, store, server):
    """`catalog serve --schedule`: the explorer's requests read catalog.toml again on the Settings
    the scheduler holds, so the scheduler never saw the edit and never validated again (the
    access body's drill: operator defaults added by hand never reached the EHDS feed; a source
    replaced through the admin API kept its datasets in the feed without them)."""
    from catalog.config import Settings

    index = harvested_mfr_and_npr(settings, store, server)
    scheduler = Scheduler(settings, store, index)
    scheduler.tick()
    Settings.load(settings.home).remove_source("mfr")  # another process edits the file
    assert settings.reload_sources()  # a web request reads it first
    scheduler.tick()
    assert "mfr" not in store.source_stats() and found(index) == 0


def test_a_misspelt_setting_edited_into_a_running_catalogue_is_said_and_the_last_good_list_kept(
    settings, store, server, caplog
):
    """The access body's drill: `[settings] http_timout = 10` added while the services ran was
    read again without a word, and stopped them at their next start."""
    index = harvested_mfr_and_npr(settings, store, server)
    scheduler = Scheduler(settings, store, index)
    scheduler.tick()
    text = settings.config_path.read_text(encoding="utf-8")
    assert "[sources.mfr]" in text
    edited = text.replace("[sources.mfr]", "[sources.gone]") + "\n[settings]\nhttp_timout = 10\n"
    settings.config_path.write_text(edited, encoding="utf-8")
    scheduler.tick()
    assert "unknown setting http_timout (did you mean http_timeout?)" in caplog.text
    assert set(settings.sources) == {"mfr", "npr"} and found(index) == 1  # nothing retired


def test_a_source_list_emptied_by_hand_retires_nothing(settings, store, server):
    """More often a file emptied by mistake than a catalogue closed."""
    from catalog.config import Settings

    index = harvested_mfr_and_npr(settings, store, server)
    scheduler = Scheduler(settings, store, index)
    scheduler.tick()
    by_hand = Settings.load(settings.home)
    by_hand.remove_source("mfr")
    by_hand.remove_source("npr")
    scheduler.tick()
    assert store.source_stats()["mfr"]["records"] == 2 and found(index) == 1
