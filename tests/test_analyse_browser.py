"""The distribution, synthetic-sample and marketplace pages in headless Chromium: accessible (axe-core),
within the Content-Security-Policy, and the sample button downloads a file named synthetic."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from catalog.model import key_for
from tests.test_analyse_web import site  # noqa: F401 - the registry with counts (module fixture)
from tests.test_browser import CHROMEDRIVER, CHROMIUM, axe_violations, chrome, css
from tests.test_marketplace import site as market  # noqa: F401 - the platforms and products

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason=f"needs Debian's chromium at {CHROMIUM} and {CHROMEDRIVER}",
    ),
]


def served(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def counts_url(site) -> Iterator[str]:  # noqa: F811
    yield from served(site[0])


@pytest.fixture(scope="module")
def market_url(market) -> Iterator[str]:  # noqa: F811
    yield from served(market[0])


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory, downloads):
    driver = chrome(tmp_path_factory.mktemp("chromium-analyse"))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield driver
    driver.quit()


def problems(driver) -> list[str]:
    """Console errors and CSP reports (the browser's own favicon request aside)."""
    return [
        m["message"]
        for m in driver.get_log("browser")
        if ("Content Security Policy" in m["message"] or m["level"] == "SEVERE") and "favicon.ico" not in m["message"]
    ]


def pages(site, market) -> list[str]:  # noqa: F811
    dataset = site[1]
    kjonn = next(v for v in dataset.variables if v.name == "KJONN")
    return [f"/variables/{key_for(kjonn.uri)}", f"/datasets/{key_for(dataset.uri)}"]


def test_the_counts_and_sample_pages_are_accessible_and_keep_to_the_csp(browser, counts_url, site):  # noqa: F811
    for path in pages(site, None):
        browser.get(counts_url + path)
        assert axe_violations(browser) == [], path
        assert problems(browser) == [], path
    assert css(browser, "#h-synthetic").is_displayed()


@pytest.mark.parametrize("path", ["/marketplace", "/marketplace?kind=product&price_model=commercial"])
def test_the_marketplace_is_accessible_and_keeps_to_the_csp(browser, market_url, path):
    browser.get(market_url + path)
    assert axe_violations(browser) == []
    assert problems(browser) == []


def test_the_sample_button_downloads_a_file_named_synthetic(browser, counts_url, site, downloads):  # noqa: F811
    browser.get(f"{counts_url}/datasets/{key_for(site[1].uri)}")
    rows = css(browser, "#sample-rows")
    rows.clear()
    rows.send_keys("25")
    css(browser, "form.sample button[type=submit]").click()
    # Chromium reserves the file's name with an empty file while it writes a .crdownload beside it,
    # then renames that over it: the download is done when the file has content and no .crdownload is left.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        not any(f.stat().st_size for f in downloads.glob("*.csv")) or list(downloads.glob("*.crdownload"))
    ):
        time.sleep(0.1)
    [file] = list(downloads.glob("*.csv"))
    assert file.name == "SYNTETISK-kreft-insidens-synthetic.csv"
    assert len(file.read_text(encoding="utf-8").splitlines()) == 26
