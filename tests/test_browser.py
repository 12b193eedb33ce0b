"""End to end in a real headless Chromium (Debian's, through selenium): what a researcher does,
that hostile harvested text never runs, and axe-core's accessibility rules.

The app is served on loopback by a real WSGI server over the catalogue of tests/web_catalogue.py.
axe-core is vendored (tests/vendor/axe.min.js, MPL-2.0) and injected: nothing is downloaded.
"""

from __future__ import annotations

import csv
import io
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import BASE
from tests.web_catalogue import EVIL, NPR, vkey

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason=f"needs Debian's chromium at {CHROMIUM} and {CHROMEDRIVER}",
    ),
]

VEKT = vkey(f"{BASE}/variabel/VEKT")
EVIL_VAR = vkey(f"{EVIL}/variabel/V1")


@pytest.fixture(scope="module")
def base_url(web_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, web_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def chrome(profile: Path, javascript: bool = True):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    prefs: dict[str, object] = {"intl.accept_languages": "nb-NO,nb"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = chrome(profile)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def b(browser, base_url):
    """A browser with an empty basket and the default language, on the front page."""
    browser.get(base_url + "/")
    browser.delete_all_cookies()
    browser.get(base_url + "/")
    browser.get_log("browser")  # drop earlier messages
    return browser


def wait(driver, condition, timeout: float = 10):
    """Until the condition holds; elements replaced by a navigation meanwhile are looked up again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    ).until(condition)


def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def csss(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def names(driver) -> list[str]:
    return [e.text for e in csss(driver, ".hit code.name")]


def test_a_researcher_searches_filters_opens_a_variable_and_goes_back(b, base_url):
    from selenium.webdriver.common.keys import Keys

    box = css(b, "#q")
    box.send_keys("fødselsvekt", Keys.ENTER)
    wait(b, lambda d: "q=f%C3%B8dselsvekt" in d.current_url)
    assert sorted(names(b)) == ["FODSELSVEKT", "VEKT"]
    assert css(b, ".hit mark").text == "Fødselsvekt"
    css(b, 'a[href*="source=npr"]').click()
    wait(b, lambda d: "source=npr" in d.current_url)
    assert names(b) == ["FODSELSVEKT"] and "Norsk pasientregister" in css(b, ".chips").text
    css(b, ".hit a.label").click()
    wait(b, lambda d: "/variables/" in d.current_url)
    assert css(b, "h1").text == "Fødselsvekt FODSELSVEKT"
    b.back()
    wait(b, lambda d: "source=npr" in d.current_url)
    b.back()
    wait(b, lambda d: "source=npr" not in d.current_url)
    assert sorted(names(b)) == ["FODSELSVEKT", "VEKT"]


def test_a_filter_chip_removes_its_filter(b, base_url):
    b.get(base_url + "/search?source=hunt&datatype=boolean")
    assert "45 variabler" in css(b, "#results-heading").text
    [hunt_chip] = [c for c in csss(b, "a.chip") if c.text.startswith("Kilde")]
    hunt_chip.click()
    wait(b, lambda d: "source=hunt" not in d.current_url)
    assert "datatype=boolean" in b.current_url and "45 variabler" in css(b, "#results-heading").text


def test_the_search_box_suggests_labels_as_one_types(b):
    css(b, "#q").send_keys("røyking")
    wait(b, lambda d: len(csss(d, "#q-suggestions option")) > 0)
    values = [o.get_attribute("value") for o in csss(b, "#q-suggestions option")]
    assert values and all(v.startswith("Røyking spørsmål") for v in values)


def test_sorting_applies_on_change_with_javascript(b, base_url):
    from selenium.webdriver.support.ui import Select

    b.get(base_url + "/search?source=hunt")
    Select(css(b, "#sort")).select_by_value("name")
    wait(b, lambda d: "sort=name" in d.current_url)
    assert names(b)[:2] == ["ROYK01", "ROYK10"] and not css(b, ".sort button").is_displayed()


def test_the_basket_fills_in_place_survives_a_reload_and_exports(b, base_url):
    b.get(base_url + "/search?q=fødselsvekt")
    url = b.current_url
    buttons = csss(b, ".hit form.basket-form button")
    for button in buttons:
        button.click()
    wait(b, lambda d: css(d, "#basket-count").text == "2")
    assert b.current_url == url and csss(b, ".hit .action")[0].text == "Fjern fra kurven"
    b.refresh()
    assert css(b, "#basket-count").text == "2"
    b.get(base_url + "/basket/")
    assert [h.text for h in csss(b, ".basket-source h2")] == ["Medisinsk fødselsregister", "Norsk pasientregister"]
    exported = b.execute_async_script(
        "const done = arguments[0]; fetch('/basket/export.csv').then(r => r.text()).then(done);"
    )
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert sorted(r["name"] for r in rows) == ["FODSELSVEKT", "VEKT"]
    assert css(b, 'a[href="/basket/export.ttl"]').is_displayed()


def test_the_basket_works_without_javascript(base_url, tmp_path):
    driver = chrome(tmp_path / "nojs", javascript=False)
    try:
        driver.get(f"{base_url}/variables/{VEKT}")
        css(driver, "form.basket-form button").click()
        wait(driver, lambda d: css(d, "#basket-count").text == "1")
        assert driver.current_url == f"{base_url}/variables/{VEKT}"
        driver.get(base_url + "/basket/")
        assert "VEKT" in css(driver, "table.variables").text
    finally:
        driver.quit()


XSS_PAGES = [
    "/search?q=skjema",
    "/search?q=kroppsmål&type=dataset",
    f"/variables/{EVIL_VAR}",
    f"/datasets/{vkey(EVIL + '/dataset/x')}",
    "/sources/",
    "/sources/evil",
    "/basket/",
    f"/api/variables/{EVIL_VAR}",
    "/ehds/",
    "/uses",
    "/uses/permit:HDS-2025-666",
    "/ehds/minimum/",
    "/ehds/minimum/sources/evil",
    "/confirmations/",
]


@pytest.mark.parametrize("path", XSS_PAGES)
def test_hostile_harvested_text_never_runs(b, base_url, path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.action_chains import ActionChains

    b.get(f"{base_url}/variables/{EVIL_VAR}")
    css(b, "form.basket-form button").click()
    wait(b, lambda d: css(d, "#basket-count").text == "1")
    b.get(base_url + path)
    for link in csss(b, "main a")[:40]:
        ActionChains(b).move_to_element(link).perform()  # would fire injected onmouseover handlers
    assert b.execute_script("return typeof window.__xss") == "undefined"
    with pytest.raises(NoAlertPresentException):
        b.switch_to.alert.text  # noqa: B018
    assert not [a for a in csss(b, "a") if (a.get_attribute("href") or "").lower().startswith("javascript:")]


def test_no_page_breaks_the_content_security_policy(b, base_url):
    for path in [
        "/",
        "/search?q=vekt",
        f"/variables/{vkey(NPR + '/variabel/HOVEDDIAGNOSE')}",
        f"/datasets/{vkey(NPR + '/dataset/episoder')}",
        f"/datasets/{vkey(NPR + '/dataset/episoder')}/label",
        "/sources/npr",
        "/uses",
        "/confirmations/",
        "/basket/",
    ]:
        b.get(base_url + path)
    problems = [
        m["message"]
        for m in b.get_log("browser")
        if "Content Security Policy" in m["message"] or m["level"] == "SEVERE"
    ]
    assert problems == []


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_main(b):
    from selenium.webdriver.common.keys import Keys

    css(b, "body").send_keys(Keys.TAB)
    assert b.switch_to.active_element.get_attribute("class") == "skip"
    b.switch_to.active_element.send_keys(Keys.ENTER)
    wait(b, lambda d: d.switch_to.active_element.get_attribute("id") == "main")


def axe_violations(driver) -> list[str]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[0];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));"
    )
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=vekt&source=mfr&source=npr",
        "/search?source=hunt&page=2",
        "/search?q=fødsel&type=dataset",
        f"/variables/{vkey(NPR + '/variabel/HOVEDDIAGNOSE')}",
        f"/datasets/{vkey(NPR + '/dataset/episoder')}",
        "/sources/",
        "/sources/gone",
        "/sources/npr",
        "/ehds/",
        f"/ehds/publishers/{vkey(NPR + '/org')}",
        "/ehds/minimum/",
        "/ehds/minimum/sources/npr",
        f"/datasets/{vkey(NPR + '/dataset/episoder')}/label",
        "/uses",
        "/uses?organisation=Folkehelseinstituttet",
        "/uses/permit:HDS-2025-001",
        "/confirmations/",
        "/basket/",
        "/search?q=vekt&lang=en",
        "/nope",
    ],
)
def test_axe_finds_no_serious_accessibility_violations(b, base_url, path):
    b.get(f"{base_url}/variables/{VEKT}")
    css(b, "form.basket-form button").click()
    wait(b, lambda d: css(d, "#basket-count").text == "1")
    b.get(base_url + path)
    assert axe_violations(b) == []
