"""Screenshots of the explorer's main pages for the README, taken in headless Chromium.

    python docs/screenshots/take.py        (from the repository root; needs /usr/bin/chromium)

Harvests the simulated nation as `catalog demo` does, serves the app on loopback, fills the
basket from three sources as a researcher would, and saves one PNG per page here (one of them at
a phone's 390 px).
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from catalog.config import Settings  # noqa: E402
from catalog.demo import harvest_simulated  # noqa: E402
from simulator import Simulator  # noqa: E402
from tests.test_browser import chrome, css, wait  # noqa: E402
from web import create_app  # noqa: E402

HERE = Path(__file__).parent


def first(base: str, query: str, **filters: str) -> dict:
    """The first hit of a search through the API: what a researcher would click."""
    params = {"q": query, **filters}
    return requests.get(f"{base}/api/search", params=params, timeout=30).json()["hits"][0]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(Path(tmp) / "home")
        with Simulator(seed=0) as simulator:
            harvest_simulated(settings, simulator)
        server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        smoking = first(base, "røyker daglig", source="hunt")
        other_wave = requests.get(f"{base}/api/variables/{smoking['id']}", timeout=30).json()["equivalents"]
        birth = first(base, "fødselsvekt", source="mfr")
        pages = {
            "home": ("/", 1280),
            "search": ("/search?q=vekt", 1280),
            "search-phone": ("/search?q=vekt", 390),
            "search-codes": ("/search?q=C50", 1280),
            "variable": (f"/variables/{smoking['id']}", 1280),
            "compare": (f"/compare?ids={smoking['id']},{other_wave['same_source'][1]['id']}", 1280),
            "dataset": (f"/datasets/{birth['dataset_id']}", 1280),
            "source": ("/sources/hunt", 1280),
            "topic": ("/topics/pregnancy-birth", 1280),
            "basket": ("/basket/", 1280),
            "ehds": ("/ehds/", 1280),
            "minimum": ("/ehds/minimum/", 1280),
            "label": (f"/datasets/{birth['dataset_id']}/label", 1280),
            "uses": ("/uses", 1280),
            "search-en": (f"/search?q={quote('birth weight')}&lang=en", 1280),
        }
        driver = chrome(Path(tmp) / "profile")
        try:
            # as a researcher collects: the first row of a search (a row of identical variables
            # gives the copy still collected), then two variables' own pages
            income = first(base, "inntekt", source="microdata")
            for path in (
                "/search?q=fødselsvekt&source=mfr",
                f"/variables/{smoking['id']}",
                f"/variables/{income['id']}",
            ):
                driver.get(base + path)
                before = css(driver, "#basket-count").text
                css(driver, "form.basket-form button").click()
                wait(driver, lambda d, before=before: css(d, "#basket-count").text != before)
            for name, (path, width) in pages.items():
                driver.set_window_size(width, 900)
                driver.get(base + path)
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(width, 844 if width < 600 else min(max(height, 700), 2400))
                driver.save_screenshot(str(HERE / f"{name}.png"))
                print(f"{name}.png  {path}")
        finally:
            driver.quit()
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
