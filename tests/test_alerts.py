"""The alerting rules of the deployment kit (`deploy/prometheus/helsekatalog-alerts.yml`): valid for
Prometheus, firing when they should (promtool's own rule tests, `tests/prometheus/alerts_test.yml`),
and naming only metrics the explorers expose."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from catalog.config import SourceConfig
from catalog.pipeline import harvest
from tests.factories import mfr_and_a_gone_source
from web import create_app

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "deploy" / "prometheus" / "helsekatalog-alerts.yml"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (apt-get install prometheus)")


@needs_promtool
def test_promtool_accepts_the_rules():
    checked = subprocess.run([PROMTOOL, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_the_rules_fire_for_stopped_failed_and_never_run_harvests_and_a_missing_scheduler():
    cases = ROOT / "tests" / "prometheus"
    tested = subprocess.run([PROMTOOL, "test", "rules", "alerts_test.yml"], cwd=cases, capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_rules_name_only_metrics_an_explorer_exposes(settings, store, server):
    mfr_and_a_gone_source(str(settings.home), server)
    settings.sources["paused"] = SourceConfig(name="paused", kind="dcat", url=server.url + "/x", enabled=False)
    settings.save_sources()
    harvest(settings, store, None)
    client = create_app(settings).test_client()
    assert client.get("/search?q=fødselsvekt").status_code == 200  # a page and a search counted
    text = client.get("/metrics").get_data(as_text=True)
    exposed = set()
    for family in text_string_to_metric_families(text):
        exposed.add(family.name)
        exposed.update(sample.name for sample in family.samples)
    rules = [line for line in RULES.read_text().splitlines() if not line.lstrip().startswith("#")]
    named = set(re.findall(r"\bcatalog_[a-z_]+", "\n".join(rules)))  # only expressions name them
    assert named and named <= exposed, named - exposed
    interval = {
        s.labels["source"]: s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name == "catalog_harvest_interval_seconds"
    }
    assert interval == {"mfr": 86400, "npr": 86400}  # a disabled source is not due, so not stale
