"""End to end in a real headless Chromium (Debian's, through selenium): what a researcher does,
that hostile harvested text never runs, and axe-core's accessibility rules.

The app is served on loopback by a real WSGI server over the catalogue of tests/web_catalogue.py.
axe-core is vendored (tests/vendor/axe.min.js, MPL-2.0) and injected: nothing is downloaded.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import BASE
from tests.web_catalogue import EVIL, NPR, vkey
from web.basket import token_for

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


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def nation_url(nation_settings) -> Iterator[str]:
    """The explorer over the simulated nation, as `catalog demo` serves it."""
    from web import create_app

    server = serve(create_app(nation_settings))
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
    prefs: dict[str, object] = {}  # chromium's own Accept-Language (en-US): the pages are Norwegian all the same
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
    """Until the condition holds; elements replaced by a navigation meanwhile are looked up again
    (read while a form's post reloads the page, chromium may also say "Node with given id does
    not belong to the document", an unnamed WebDriverException: looked up again too)."""
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        TimeoutException,
        WebDriverException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    def holds(d):
        try:
            return condition(d)
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return False
            raise

    try:
        return WebDriverWait(
            driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
        ).until(holds)
    except TimeoutException as exc:
        raise TimeoutException(f"waited {timeout} s in vain on the page the browser had: {seen(driver)}") from exc


def css(driver, selector: str):
    """The element `selector` finds; when there is none, the failure names the page the browser
    had (its address, title and the start of its text): a CI run once found no search hit on a
    loaded machine and said no more."""
    from selenium.common.exceptions import NoSuchElementException
    from selenium.webdriver.common.by import By

    try:
        return driver.find_element(By.CSS_SELECTOR, selector)
    except NoSuchElementException as exc:  # still one, so that `wait` looks again
        raise NoSuchElementException(f"no {selector!r} on the page the browser had: {seen(driver)}") from exc


def seen(driver) -> str:
    """What a failing step saw: the page's address, title and the start of its text."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    try:
        text = driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException as exc:
        text = f"(its text could not be read: {exc.__class__.__name__})"
    return f"{driver.current_url} ({driver.title!r})\n{text[:1500]}"


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


def test_a_keyboard_user_moves_through_the_sort_orders_and_chooses_one_with_enter(b, base_url):
    """The sort menu sorted on every change, so ArrowDown on it reloaded the page with the next
    order and focus went back to the top: no keyboard user could reach the third (WCAG 3.2.2)."""
    from selenium.webdriver.common.keys import Keys

    b.get(base_url + "/search?source=hunt")
    css(b, "body").send_keys(Keys.TAB)
    b.switch_to.active_element.send_keys(Keys.TAB)  # the second skip link, to the results
    b.switch_to.active_element.send_keys(Keys.ENTER)
    wait(b, lambda d: d.switch_to.active_element.get_attribute("id") == "results")
    b.switch_to.active_element.send_keys(Keys.TAB)
    assert b.switch_to.active_element.get_attribute("id") == "sort"
    url = b.current_url
    b.execute_script("window.stillHere = true")  # gone if the page reloads
    b.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert b.execute_script("return window.stillHere === true") and b.current_url == url
    assert css(b, "#sort").get_attribute("value") == "name"
    assert css(b, ".sort button").is_displayed()  # the way on for one who tabs away instead
    b.switch_to.active_element.send_keys(Keys.ENTER)
    wait(b, lambda d: "sort=name" in d.current_url)
    assert names(b)[:2] == ["ROYK01", "ROYK10"]


def test_the_datasets_tab_offers_its_download_where_the_variables_tab_does_and_the_file_is_the_search(b, base_url):
    """A researcher searching a code moves to the datasets and downloads them: the link is in the
    variables' place (under the heading, above the first hit, on the first screen), and the file,
    fetched over HTTP as the link gives it, lists the dataset with the code found and the search."""
    b.get(base_url + "/search?q=C50")
    on_variables = css(b, "p.export")
    offset = on_variables.location["y"] - css(b, "#results-heading").location["y"]
    css(b, "nav.types a[href*='type=dataset']").click()
    wait(b, lambda d: "type=dataset" in d.current_url)
    export = css(b, "p.export")
    assert export.is_displayed() and export.text.startswith("Last ned disse datasettene: CSV · Excel")
    assert export.location["y"] - css(b, "#results-heading").location["y"] == offset
    assert export.location["y"] < css(b, ".hit").location["y"] < b.get_window_size()["height"]
    href = css(b, "p.export a").get_attribute("href")
    assert href == base_url + "/search/export.csv?q=C50&type=dataset"
    got = b.execute_async_script(
        "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(done);", href
    )
    [row] = list(csv.DictReader(io.StringIO(got.lstrip("\ufeff"))))
    assert (row["Datasett"], row["Koder funnet i variablene"], row["Koder i søket"]) == (
        "Norsk pasientregister – episoder",
        "C50=Ondartet svulst i brystkjertel",
        "C50",
    )
    assert row["Lenke til søket"].endswith("/search?q=C50&type=dataset")


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
    assert [h.text for h in csss(b, "h3.source")] == ["Medisinsk fødselsregister", "Norsk pasientregister"]
    exported = b.execute_async_script(
        "const done = arguments[0]; fetch('/basket/export.csv').then(r => r.text()).then(done);"
    )
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert sorted(r["Kortnavn"] for r in rows) == ["FODSELSVEKT", "VEKT"]
    assert css(b, 'a[href="/basket/export.ttl"]').is_displayed()


def test_the_basket_page_and_the_page_before_it_say_the_basket_as_it_is_after_a_removal(b, base_url):
    """Removed on the basket's page, a variable stayed in its share link and its summary until a
    reload; and the back button then showed the search page's basket as it was."""
    b.get(base_url + "/search?q=fødselsvekt")
    for button in csss(b, ".hit form.basket-form button"):
        button.click()
    wait(b, lambda d: css(d, "#basket-count").text == "2")
    b.get(base_url + "/basket/")
    link = css(b, "#share-link").get_attribute("value")
    css(b, ".route form.basket-form button").click()
    wait(b, lambda d: css(d, "#basket-count").text == "1")
    wait(b, lambda d: css(d, "#share-link").get_attribute("value") != link)
    assert "1 variabel fra" in css(b, "p.lead").text
    b.back()  # the basket's page before the removal
    wait(b, lambda d: "/basket/" in d.current_url and css(d, "#basket-count").text == "1")
    b.back()
    wait(b, lambda d: "/search" in d.current_url and css(d, "#basket-count").text == "1")
    assert sorted(a.text for a in csss(b, ".hit .action")) == ["Fjern fra kurven", "Legg i kurven"]


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
    f"/compare?ids={EVIL_VAR},{VEKT}",
    f"/basket/{token_for([EVIL_VAR, VEKT])}",
    "/",
    "/topics/body",
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
    b.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")  # what publishers unfold
    for link in [a for a in csss(b, "main a") if a.is_displayed()][:40]:
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
        "/topics/pregnancy-birth",
        f"/compare?ids={VEKT},{vkey(NPR + '/variabel/FODSELSVEKT')}",
        f"/basket/{token_for([VEKT])}",
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


def test_a_search_pages_second_skip_link_takes_the_keyboard_to_the_results(b, base_url):
    """After each filter a keyboard user started again at the top: 46 Tabs to the first result
    (a researcher's drill)."""
    from selenium.webdriver.common.keys import Keys

    b.get(base_url + "/search?q=vekt&source=mfr")
    css(b, "body").send_keys(Keys.TAB)
    b.switch_to.active_element.send_keys(Keys.TAB)
    skip = b.switch_to.active_element
    assert skip.get_attribute("class") == "skip" and skip.get_attribute("href").endswith("#results")
    skip.send_keys(Keys.ENTER)
    wait(b, lambda d: d.switch_to.active_element.get_attribute("id") == "results")
    b.switch_to.active_element.send_keys(Keys.TAB)
    assert b.switch_to.active_element.tag_name in ("a", "select", "button")


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
        "/topics/",
        "/topics/pregnancy-birth",
        "/topics/lifestyle",
        "/search?q=" + "+".join(f"ord{i}x" for i in range(300)),  # too long to run: the page keeps the words
        f"/compare?ids={VEKT},{vkey(NPR + '/variabel/FODSELSVEKT')}",
        f"/basket/{token_for([VEKT, vkey(NPR + '/variabel/HOVEDDIAGNOSE')])}",
        "/?lang=nn",
    ],
)
def test_axe_finds_no_serious_accessibility_violations(b, base_url, path):
    b.get(f"{base_url}/variables/{VEKT}")
    css(b, "form.basket-form button").click()
    wait(b, lambda d: css(d, "#basket-count").text == "1")
    b.get(base_url + path)
    assert axe_violations(b) == []


# --- researchers' tasks on the simulated nation ------------------------------------------------


@pytest.fixture
def r(browser, nation_url):
    """A researcher's browser on the simulated nation: empty basket, bokmål, a desktop window."""
    browser.set_window_size(1280, 1000)
    browser.get(nation_url + "/")
    browser.delete_all_cookies()
    browser.get(nation_url + "/")
    browser.get_log("browser")
    yield browser
    browser.set_window_size(1280, 1000)


def search_for(driver, words: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = css(driver, "#q")
    box.clear()
    box.send_keys(words, Keys.ENTER)
    wait(driver, lambda d: "/search?" in d.current_url and css(d, "#results-heading").is_displayed())


def choose_filter(driver, facet: str, label: str) -> None:
    """Click a facet value as a researcher does, opening the folded filters first on a phone."""
    details = css(driver, "details.filters")
    if details.get_attribute("open") is None:
        css(driver, "details.filters > summary").click()
    before = driver.current_url
    [link] = [a for a in csss(driver, f"#facet-{facet} ~ ul a") if a.text == label]
    link.click()
    wait(driver, lambda d: d.current_url != before)


def add_first_hit(driver) -> str:
    """Put the first hit in the basket with its button; the hit's label."""
    count = int(css(driver, "#basket-count").text)
    label = css(driver, ".hit a.label").text
    css(driver, ".hit form.basket-form button").click()
    wait(driver, lambda d: int(css(d, "#basket-count").text) == count + 1)
    return label


def test_a_researcher_compares_two_waves_of_a_survey_question(r, nation_url):
    search_for(r, "røyker daglig")
    choose_filter(r, "source", "Helseundersøkelsen i Trøndelag (HUNT)")
    css(r, ".hit a.label").click()
    wait(r, lambda d: "/variables/" in d.current_url)
    assert css(r, "h1").text.startswith("Røyker daglig")
    grid = css(r, "table.grid")
    assert "Helseundersøkelsen i Trøndelag (HUNT)" in grid.text and "Tromsøundersøkelsen" in grid.text
    assert len(csss(r, "table.grid .wave.asked")) >= 8
    waves = csss(r, "#h-same ~ form table.equivalents")[0]
    assert "Andre bølger og datasett i Helseundersøkelsen i Trøndelag (HUNT)" in waves.text
    first, second = [row.text for row in waves.find_elements("css selector", "tbody tr")][:2]
    waves.find_element("css selector", "tbody tr a.compare-one").click()
    wait(r, lambda d: "/compare?ids=" in d.current_url)
    heads = [th.text for th in csss(r, "table.compare thead th[scope=col]")]
    assert len(heads) == 3 and heads[2] == "Lik?"
    verdicts = {
        row.find_element("css selector", "th").text: row.get_attribute("class")
        for row in csss(r, "table.compare tbody tr[class]")
    }
    assert verdicts["Spørsmål"] == "same" and verdicts["Kodeliste"] == "same" and verdicts["Kortnavn"] == "same"
    assert verdicts["Periode"] == "differs" and verdicts["Datasett"] == "differs"
    assert first and second  # there were other waves to choose from


def test_a_researcher_compares_chosen_waves_without_javascript(nation_url, tmp_path):
    driver = chrome(tmp_path / "nojs", javascript=False)
    try:
        driver.get(nation_url + "/search?q=røyker+daglig&source=tromso")
        css(driver, ".hit a.label").click()
        boxes = csss(driver, "form.compare input[type=checkbox]")
        for box in boxes[:3]:
            if not box.is_selected():
                box.click()
        css(driver, "form.compare button[type=submit]").click()
        wait(driver, lambda d: "/compare?" in d.current_url)
        assert len(csss(driver, "table.compare thead th[scope=col]")) == 1 + 3 + 1
    finally:
        driver.quit()


def test_a_researcher_fills_a_basket_from_three_sources_and_follows_its_next_steps(r, nation_url):
    chosen = []
    for words, facet, source in (
        ("fødselsvekt", "source", "Medisinsk fødselsregister"),
        ("røyker daglig", "source", "Helseundersøkelsen i Trøndelag (HUNT)"),
        ("inntekt", "source", "microdata.no – metadata"),
    ):
        css(r, "a.brand").click()  # a new search from the front page, without the last one's filters
        search_for(r, words)
        choose_filter(r, facet, source)
        chosen.append(add_first_hit(r))
    css(r, 'a[href="/basket/"]').click()
    wait(r, lambda d: d.current_url.endswith("/basket/"))
    assert "3 variabler fra 3 datasett." in css(r, "p.lead").text
    routes = [h.text for h in csss(r, "section.route > h2")]
    assert routes == [
        "Helsedataservice – felles søknad på helsedata.no",
        "HUNT forskningssenter – søknad i HUNT databank",
        "SSB og microdata.no",
    ]
    for section, url in zip(
        csss(r, "section.route"),
        [
            "https://helsedata.no/no/soknadshjelp-personidentifiserbare/soknad/",
            "https://www.ntnu.no/hunt/datatilgang",
            "https://www.microdata.no/bli-bruker/",
        ],
        strict=True,
    ):
        assert "Dette gjør du videre" in section.text and len(section.find_elements("css selector", "ol.steps li")) >= 2
        assert section.find_element("css selector", "a.button").get_attribute("href") == url
    # the summary's links lead to each route's steps
    css(r, 'p.lead a[href="#route-hunt"]').click()
    wait(r, lambda d: d.current_url.endswith("#route-hunt"))
    # the HUNT application's variable list holds only the HUNT variable
    sheet = r.execute_async_script(
        "const done = arguments[0];fetch('/basket/export.csv?route=hunt').then(x => x.text()).then(done);"
    )
    rows = list(csv.DictReader(io.StringIO(sheet.lstrip("\ufeff"))))
    assert [row["Etikett"] for row in rows] == [chosen[1]] and rows[0]["Hvor du søker"].startswith("HUNT")
    # the share link holds the selection: a colleague without the basket sees the same variables
    link = css(r, "#share-link").get_attribute("value")
    r.delete_all_cookies()
    r.get(link)
    assert css(r, "h1").text == "Delt utvalg av variabler" and css(r, "#basket-count").text == "0"
    assert sorted(a.text for a in csss(r, "table.variables td a")) == sorted(chosen)
    request = r.execute_async_script(
        "const done = arguments[0];"
        "fetch(location.href, {headers: {Accept: 'text/turtle'}}).then(x => x.text()).then(done);"
    )
    assert "dcat:Catalog" in request and link.rsplit("/", 1)[1] in request
    css(r, "section.share form button").click()
    wait(r, lambda d: css(d, "#basket-count").text == "3")


@pytest.mark.parametrize(
    ("words", "source", "code"),
    [("C50", None, "C50"), ("A10BA02", "Reseptregisteret (NorPD)", "A10BA02"), ("metformin", None, "A10BA02")],
)
def test_a_researcher_finds_the_variables_holding_a_code(r, nation_url, words, source, code):
    search_for(r, words)
    hits = csss(r, ".hit")
    matched = [h.find_element("css selector", ".matched").text for h in hits]
    assert hits and all(code in m for m in matched), matched  # each hit names the code it holds
    if source:
        assert all(source in h.text for h in hits)


def test_a_code_some_lists_hold_offers_the_code_it_falls_under_where_more_variables_hold_that(r, nation_url):
    """ "C50.9" (breast, unspecified) finds the Cancer Registry's ICD-O-3 topography, which holds it;
    the patient and cause of death registries record the ICD-10 category C50, one click away."""
    search_for(r, "C50.9")
    found = int(css(r, "#results-heading").text.split()[0])  # "6 variabler for «C50.9» ..."
    assert found and all("C50.9" in h.find_element("css selector", ".matched").text for h in csss(r, ".hit"))
    [notice] = [p for p in csss(r, "p.notice") if "hører inn under C50" in p.text]
    assert notice.text.startswith("C50.9 hører inn under C50, som flere variabler har.")
    link = notice.find_element("css selector", "a")
    offered = int(link.text.rsplit(": ", 1)[1].split()[0])
    assert link.text.startswith("Søk etter C50: ") and offered > found
    link.click()
    wait(r, lambda d: "q=C50&" in d.current_url + "&" and "C50.9" not in d.current_url)
    assert css(r, "#q").get_attribute("value") == "C50"
    assert css(r, "#results-heading").text.startswith(f"{offered} variabler")
    assert not [p for p in csss(r, "p.notice") if "hører inn under" in p.text]  # C50 falls under nothing
    # and the API offers the same, with what the search it names finds
    api = json.load(urllib.request.urlopen(nation_url + "/api/search?q=C50.9"))
    wider = api["wider_code"]
    assert (wider["code"], wider["broader"]) == ("C50.9", "C50") and api["total"] < wider["total"]
    assert wider["total"] == json.load(urllib.request.urlopen(nation_url + "/api/search?q=C50"))["total"]
    assert json.load(urllib.request.urlopen(nation_url + "/api/search?q=C50"))["wider_code"] is None
    # a word that only looks like a code (a survey wave) falls under nothing
    hunt4 = json.load(urllib.request.urlopen(nation_url + "/api/search?q=HUNT4"))
    assert hunt4["total"] > 0 and hunt4["wider_code"] is None


def test_a_code_list_found_by_its_code_lists_the_variables_using_it(r, nation_url):
    search_for(r, "C50")
    [tab] = [a for a in csss(r, "nav.types a") if a.text.startswith("Kodelister")]
    assert int(tab.find_element("css selector", ".count").text) > 0
    tab.click()
    wait(r, lambda d: "type=codelist" in d.current_url)
    assert "kodelister for «C50»" in css(r, "#results-heading").text
    first = css(r, ".hit")
    assert "C50 Ondartet svulst i bryst" in first.find_element("css selector", ".matched").text
    first.find_element("css selector", "a.label").click()
    wait(r, lambda d: "/codelists/" in d.current_url)
    assert css(r, "#h-using").text.startswith("Variabler som bruker kodelisten")
    using = csss(r, "ul.using li a")
    assert using and "C50" in css(r, "table.codes").text
    using[0].click()
    wait(r, lambda d: "/variables/" in d.current_url)


def test_identical_variables_are_one_row_that_unfolds_to_each_dataset(r, nation_url):
    import re

    search_for(r, "fødselsvekt")
    choose_filter(r, "source", "Medisinsk fødselsregister")
    [row] = [h for h in csss(r, ".hit") if h.find_element("css selector", "code.name").text == "VEKT"]
    found = re.search(r"(\d+) datasett eller bølger", row.text)
    assert found and int(found[1]) >= 2, row.text
    copies = int(found[1])
    row.find_element("css selector", "details.members > summary").click()
    members = row.find_elements("css selector", "details.members li a")
    assert len(members) == copies and len({m.text for m in members}) == copies  # one per dataset
    # each dataset and wave on its own row: the same variable, once per dataset
    choose_filter(r, "rows", "Hvert datasett og hver bølge på egen rad")
    assert "grouped=0" in r.current_url
    assert [h.text for h in csss(r, ".hit code.name")].count("VEKT") == copies
    choose_filter(r, "rows", "Én rad per variabel")
    [row] = [h for h in csss(r, ".hit") if h.find_element("css selector", "code.name").text == "VEKT"]
    row.find_element("css selector", "details.members > summary").click()
    row.find_element("css selector", "p.member-links a[href^='/compare']").click()
    wait(r, lambda d: "/compare?ids=" in d.current_url)
    assert len(csss(r, "table.compare thead th[scope=col]")) == min(copies, 8) + 1  # and "same?"


LANGUAGE_WORDS = {
    "nb": ("Søk etter variabler", "Filtre", "Legg i kurven"),
    "nn": ("Søk etter variablar", "Filter", "Legg i korga"),
    "en": ("Search for variables", "Filters", "Add to basket"),
}


def fits(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_header_is_one_line_on_a_laptop_in_every_language(r, nation_url, lang):
    """At 1280 px the language links wrapped onto a second line under the menu, on every page."""
    r.set_window_size(1280, 900)
    r.get(f"{nation_url}/search?q=vekt&lang={lang}")
    rows = r.execute_script(
        "return [...document.querySelectorAll('header.top > *')].filter(e => e.offsetParent)"
        ".map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert max(rows) - min(rows) < 12, rows
    assert css(r, ".brand").is_displayed() and css(r, "nav.languages").is_displayed()


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_a_researcher_uses_the_site_on_a_phone_in_every_language(r, nation_url, lang):
    r.set_window_size(390, 844)
    r.get(f"{nation_url}/?lang={lang}")
    search, filters, add = LANGUAGE_WORDS[lang]
    assert r.execute_script("return document.documentElement.lang") == lang
    assert css(r, "label[for=q]").text == search and fits(r)
    search_for(r, "vekt")
    assert css(r, "details.filters").get_attribute("open") is None  # folded: results come first
    assert css(r, "details.filters > summary").text.startswith(filters)
    top = r.execute_script("return document.querySelector('.hit').getBoundingClientRect().top")
    assert top < 450, top
    assert fits(r) and css(r, ".hit .action").text == add
    choose_filter(r, "datatype", {"nb": "Desimaltall", "nn": "Desimaltal", "en": "Decimal number"}[lang])
    assert "datatype=decimal" in r.current_url
    css(r, ".hit a.label").click()
    wait(r, lambda d: "/variables/" in d.current_url)
    assert fits(r)
    css(r, "form.basket-form button").click()
    wait(r, lambda d: css(d, "#basket-count").text == "1")
    for path in ("/basket/", "/sources/hunt", "/topics/", "/sources/", "/search?q=C50&type=codelist", "/uses"):
        r.get(nation_url + path)
        assert r.execute_script("return document.documentElement.lang") == lang
        assert fits(r), path
    assert axe_violations(r) == []


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_access_bodys_readiness_pages_fit_a_phone(r, nation_url, lang):
    """/ehds/ and a publisher's fix list put their tables straight in the page: on a phone the page
    was 794 and 915 px wide and scrolled sideways as a whole, where the other EHDS pages scroll
    only the table."""
    r.set_window_size(390, 844)
    r.get(f"{nation_url}/ehds/?lang={lang}")
    assert fits(r) and axe_violations(r) == []
    fix_lists = {a.get_attribute("href") for a in csss(r, "a[href*='/ehds/publishers/']")}
    assert fix_lists
    for url in sorted(fix_lists):
        r.get(url)
        assert r.execute_script("return document.documentElement.lang") == lang
        assert fits(r), url


@pytest.mark.parametrize(
    "path",
    [
        f"/variables/{vkey(NPR + '/variabel/HOVEDDIAGNOSE')}",
        f"/datasets/{vkey(NPR + '/dataset/episoder')}",
        "/sources/gone",
    ],
)
def test_axe_finds_no_serious_violations_in_what_publishers_unfold(b, base_url, path):
    b.get(base_url + path)
    b.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert axe_violations(b) == []


def test_eight_variables_compared_keep_their_scroll_bar_and_row_names_in_sight(r, nation_url):
    """A basket's eight variables made a table 1569 px wide in a 1221 px box: the last two columns
    off-screen, the scroll bar only under a table a screen and a half tall (MFR's ICD-10 list),
    the row names gone once scrolled (the epidemiologist's drill)."""

    def found(words: str, limit: int) -> list[str]:
        answer = json.load(urllib.request.urlopen(f"{nation_url}/api/search?q={words}&source=mfr&limit={limit}"))
        return [h["id"] for h in answer["hits"]]

    ids = found("mors", 7) + found("DIAG_BARN", 1)
    r.get(f"{nation_url}/compare?ids={','.join(ids)}")
    box = css(r, "main .table-scroll")
    assert len(csss(r, "table.compare thead th[scope=col]")) == 8 + 1 and fits(r)
    assert r.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", box)  # the case
    assert r.execute_script("return arguments[0].getBoundingClientRect().height <= window.innerHeight", box)
    assert "koder" in css(r, "table.compare details.codes summary").text  # the ICD-10 list, folded
    r.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth; arguments[0].scrollTop = 200", box)
    edge = (
        "return arguments[0].getBoundingClientRect()[arguments[2]] - arguments[1].getBoundingClientRect()[arguments[2]]"
    )
    assert abs(r.execute_script(edge, css(r, "table.compare tbody th[scope=row]"), box, "left")) < 2
    assert abs(r.execute_script(edge, css(r, "table.compare thead th[scope=col]"), box, "top")) < 2
    assert axe_violations(r) == []


def test_the_baskets_tables_line_up_their_columns(b, base_url):
    """Each dataset's table took its own column widths, so the remove buttons did not line up."""
    for key in (VEKT, vkey(NPR + "/variabel/FODSELSVEKT"), vkey("https://data.example.org/hunt/variabel/ROYK01")):
        b.get(f"{base_url}/variables/{key}")
        count = int(css(b, "#basket-count").text)
        css(b, "form.basket-form button").click()
        wait(b, lambda d, n=count: css(d, "#basket-count").text == str(n + 1))
    b.get(base_url + "/basket/")
    buttons = csss(b, "table.variables form.basket-form button")
    assert len(buttons) == 3 and len({round(x.location["x"]) for x in buttons}) == 1
    periods = [row.find_elements("css selector", "td")[3] for row in csss(b, "table.variables tbody tr")]
    assert len({round(td.location["x"]) for td in periods}) == 1


def test_the_baskets_labels_keep_a_readable_column_on_a_phone(b, base_url):
    """On a phone the basket's fixed columns (name, type, period and the button) took all of the
    table's least width and left the label a column a letter wide: "Smoking at end of pregnancy"
    stood one letter a line, under a heading "Label" written over "Type" (the researcher's drill
    at 375 px). The table scrolls sideways in its box instead, every column readable."""
    b.set_window_size(375, 800)
    try:
        b.get(f"{base_url}/variables/{VEKT}")
        css(b, "form.basket-form button").click()
        wait(b, lambda d: css(d, "#basket-count").text == "1")
        b.get(base_url + "/basket/")
        edges = b.execute_script(
            "return [...document.querySelectorAll('table.basket-variables thead th')]"
            ".map(th => [th.getBoundingClientRect().left, th.getBoundingClientRect().right])"
        )
        assert len(edges) == 5, edges
        assert all(edges[i][1] <= edges[i + 1][0] + 1 for i in range(4)), edges  # no heading over the next
        label = edges[1][1] - edges[1][0]
        assert label >= 150, f"the label column is {label} px wide"
        assert fits(b)  # the page itself does not scroll sideways
    finally:
        b.set_window_size(1280, 1000)


def test_a_folded_sections_summary_shows_the_keyboard_focus_as_links_and_buttons_do(b, base_url):
    """The focus style named links, buttons, fields and menus but not a <summary>: on a phone the
    "Filters" button, reached by Tab, had only the browser's thin ring where every other control
    has the yellow outline (the researcher's keyboard drill)."""
    from selenium.webdriver.common.keys import Keys

    b.set_window_size(375, 800)
    try:
        b.get(base_url + "/search?q=vekt")
        box = css(b, "#q")
        box.send_keys(Keys.TAB)
        for _ in range(10):
            if b.switch_to.active_element.tag_name == "summary":
                break
            b.switch_to.active_element.send_keys(Keys.TAB)
        summary = b.switch_to.active_element
        assert summary.tag_name == "summary" and summary.text.startswith("Filtre")
        looks = "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth, s.outlineColor]"
        seen = b.execute_script(looks, summary)
        b.execute_script("arguments[0].focus()", box)
        box.send_keys(Keys.SHIFT, Keys.TAB)  # back to the last language link, by the keyboard
        assert b.switch_to.active_element.tag_name == "a"
        assert seen == b.execute_script(looks, b.switch_to.active_element) and seen[0] == "solid"
    finally:
        b.set_window_size(1280, 1000)


def test_a_comparison_on_a_phone_leaves_the_variables_most_of_its_box(b, base_url):
    """The row names did not wrap: on a phone "Code list (some in Norwegian)" made the held column
    two thirds of the box, and the first variable's values showed a word's width beside it (the
    researcher's drill at 375 px). Now its whole column is in view beside them."""
    ids = ",".join((VEKT, vkey(NPR + "/variabel/FODSELSVEKT"), vkey(NPR + "/variabel/HOVEDDIAGNOSE")))
    b.set_window_size(375, 800)
    try:
        b.get(f"{base_url}/compare?ids={ids}&lang=en")
        box = css(b, ".compare-scroll").rect["width"]
        held = max(th.rect["width"] for th in csss(b, "table.compare tbody th[scope=row]"))
        first = css(b, "table.compare tbody td").rect["width"]
        assert "(some in Norwegian)" in css(b, "table.compare tbody").text
        assert held + first <= box, f"the row names take {held} px of {box}, the first variable needs {first}"
        assert fits(b)
    finally:
        b.set_window_size(1280, 1000)


def tab_to(driver, found, most: int = 60):
    """Tab on from the focused element until `found(element)` holds for the focused one."""
    from selenium.webdriver.common.keys import Keys

    for _ in range(most):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if found(driver.switch_to.active_element):
            return driver.switch_to.active_element
    raise AssertionError(f"{most} Tabs did not reach it on {seen(driver)}")


def focused_id(driver) -> str:
    return driver.execute_script("const e = document.activeElement; return e ? e.id : ''")


def test_a_keyboard_user_on_a_phone_lands_on_the_results_count_after_each_filter(r, nation_url):
    """After a filter the new page put the focus back at its top, the filters folded shut again:
    the first hit was 21 Tabs away, 2 by "Skip to the results" (the researcher's keyboard drill at
    375 px). Now the results' heading has the focus, a screen reader says how many there are, and
    the next Tabs are the sort menu and the hits; "Show more" leaves the focus on the first value it
    showed; the front page's search keeps the focus where a new page has it."""
    from selenium.webdriver.common.keys import Keys

    r.set_window_size(375, 800)
    search_for(r, "vekt")
    assert focused_id(r) != "results-heading"  # a search from the box: nothing moved
    css(r, "details.filters > summary").send_keys(Keys.ENTER)
    link = tab_to(r, lambda e: e.get_attribute("href") and "datatype=decimal" in e.get_attribute("href"))
    before = r.current_url
    link.send_keys(Keys.ENTER)
    wait(r, lambda d: d.current_url != before and focused_id(d) == "results-heading")
    heading = r.switch_to.active_element
    assert "datatype=decimal" in r.current_url and heading.text.endswith("variabler for «vekt»")
    top = r.execute_script("return arguments[0].getBoundingClientRect().top", heading)
    assert 0 <= top < 800, top
    heading.send_keys(Keys.SHIFT)  # headless, a new page's window has the focus from a key on
    assert r.execute_script("return getComputedStyle(arguments[0]).outlineStyle", heading) == "solid"
    assert tab_to(r, lambda e: True, 1).get_attribute("id") == "sort"
    assert tab_to(r, lambda e: "label" in (e.get_attribute("class") or ""), 4)  # the first hit's link

    # a chip removes its filter: the count again
    chip = css(r, "a.chip:not(.clear)")
    r.execute_script("arguments[0].focus()", chip)
    chip.send_keys(Keys.ENTER)
    wait(r, lambda d: "datatype" not in d.current_url and focused_id(d) == "results-heading")

    # "Show more" of a filter: its first new value has the focus, the filters open
    r.get(nation_url + "/search?q=")
    more = css(r, "#facet-source ~ a.more")
    shown = len(csss(r, "#facet-source ~ ul a"))
    css(r, "details.filters > summary").send_keys(Keys.ENTER)
    r.execute_script("arguments[0].focus()", more)
    more.send_keys(Keys.ENTER)
    wait(r, lambda d: "more=source" in d.current_url and d.switch_to.active_element.tag_name == "a")
    assert r.switch_to.active_element == csss(r, "#facet-source ~ ul a")[shown]
    assert css(r, "details.filters").get_attribute("open") is not None

    # a reload of that page, or the next page come to by a link elsewhere, keeps the focus as it was
    r.refresh()
    wait(r, lambda d: css(d, "#results-heading").is_displayed())
    assert focused_id(r) == ""
    r.get(nation_url + "/")
    search_for(r, "vekt")
    assert focused_id(r) == ""


SMALL_TARGETS = """
const els = [...document.querySelectorAll('a[href], button, summary, select, input:not([type=hidden])')]
  .filter(e => (e.offsetParent !== null || e.tagName === 'SUMMARY') && !(e.closest('details:not([open])') && !(e.tagName === 'SUMMARY' && e.parentElement.closest('details:not([open])') === e.parentElement)));
const boxes = els.map(e => {const rs = [...e.getClientRects()]; return {e, rs}}).filter(b => b.rs.length);
function small(r) { return r.width < 23.95 || r.height < 23.95; }
function circleHits(cx, cy, r) { // distance from point to rect
  const dx = Math.max(r.left - cx, 0, cx - r.right), dy = Math.max(r.top - cy, 0, cy - r.bottom);
  return dx*dx + dy*dy < 144 - 0.01; }
const out = [];
for (const b of boxes) {
  // inline exception: a link in running text (a sentence with other text than links)
  const r = b.e.getBoundingClientRect();
  if (!small(r)) continue;
  const cx = (r.left + r.right)/2, cy = (r.top + r.bottom)/2;
  let bad = null;
  for (const o of boxes) {
    if (o.e === b.e) continue;
    const orr = o.e.getBoundingClientRect();
    if (circleHits(cx, cy, orr)) { bad = o.e; break; }
    if (small(orr)) { const ox=(orr.left+orr.right)/2, oy=(orr.top+orr.bottom)/2; if ((ox-cx)**2+(oy-cy)**2 < 576-0.01) { bad = o.e; break; } }
  }
  if (bad) {
    out.push(`${(b.e.textContent || '').trim().slice(0, 30)} (${Math.round(r.width)}x${Math.round(r.height)}) near ${(bad.textContent || '').trim().slice(0, 30)}`);
  }
}
return out;"""
"""The page's targets smaller than 24x24 CSS px whose 24 px circle meets another target or its
circle (WCAG 2.2's 2.5.8, Target Size (Minimum)), each said with the target it is too near."""


def test_a_phones_link_lists_are_big_enough_to_tap(r, nation_url):
    """The footer's links were 19 px tall, their lines touching on a phone; so were the EHDS
    page's links to its feeds and a variable's topics, and the search's "CSV" was 16 px under the
    sort menu (the researcher's drill at 375 px; WCAG 2.2 asks 24x24 CSS px or that much room)."""
    found = json.load(urllib.request.urlopen(f"{nation_url}/api/search?q=vekt&limit=1"))
    r.set_window_size(375, 800)
    for path in ("/", "/search?q=vekt", "/ehds/", f"/variables/{found['hits'][0]['id']}", "/?lang=en"):
        r.get(nation_url + path)
        assert r.execute_script(SMALL_TARGETS) == [], path


def test_a_chart_fits_a_phone_and_is_as_it_was_on_a_laptop(r, nation_url):
    """The sources' quality chart was 730 px wide at least and scrolled in its box on a 375 px
    phone, every bar cut at the same edge with its value out of sight (the researcher's drill)."""
    r.set_window_size(375, 800)
    r.get(nation_url + "/sources/")
    [shown] = [svg for svg in csss(r, "figure.chart svg") if svg.is_displayed()]
    figure = css(r, "figure.chart")
    assert "narrow" in shown.get_attribute("class") and fits(r)
    assert r.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", figure)
    right = r.execute_script(
        "return Math.max(...[...arguments[0].querySelectorAll('text')].map(t => t.getBoundingClientRect().right))",
        shown,
    )
    assert right <= figure.rect["x"] + figure.rect["width"] + 1  # every value in sight
    r.set_window_size(1280, 900)
    r.get(nation_url + "/sources/")
    [shown] = [svg for svg in csss(r, "figure.chart svg") if svg.is_displayed()]
    assert "wide" in shown.get_attribute("class")
