"""Screenshots of the explorer's main pages for the README, taken in headless Chromium.

    python docs/screenshots/take.py        (from the repository root; needs /usr/bin/chromium)

Serves the app on loopback over the web tests' sample catalogue (tests/web_catalogue.py, without
its hostile source), adds two variables to the basket, and saves one PNG per page here.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from tests.conftest import StaticServer  # noqa: E402
from tests.factories import BASE  # noqa: E402
from tests.test_browser import chrome, css, wait  # noqa: E402
from tests.web_catalogue import NPR, build, vkey  # noqa: E402
from web import create_app  # noqa: E402

HERE = Path(__file__).parent
PAGES = {
    "search": "/search?q=fødselsvekt",
    "search-facets": "/search?source=hunt&source=mfr&sort=name",
    "variable": f"/variables/{vkey(NPR + '/variabel/HOVEDDIAGNOSE')}",
    "dataset": f"/datasets/{vkey(NPR + '/dataset/episoder')}",
    "sources": "/sources/",
    "source": "/sources/gone",
    "basket": "/basket/",
    "ehds": "/ehds/",
    "minimum": "/ehds/minimum/",
    "label": f"/datasets/{vkey(NPR + '/dataset/episoder')}/label",
    "uses": "/uses",
    "search-en": "/search?q=birth weight&lang=en",
}


def main() -> int:
    feeds = StaticServer()
    with tempfile.TemporaryDirectory() as tmp:
        settings = build(Path(tmp) / "home", feeds, hostile=False)
        server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        driver = chrome(Path(tmp) / "profile")
        try:
            driver.set_window_size(1280, 900)
            for key in (vkey(f"{BASE}/variabel/VEKT"), vkey(NPR + "/variabel/HOVEDDIAGNOSE")):
                driver.get(f"{base}/variables/{key}")
                before = css(driver, "#basket-count").text
                css(driver, "form.basket-form button").click()
                wait(driver, lambda d, before=before: css(d, "#basket-count").text != before)
            for name, path in PAGES.items():
                driver.get(base + path)
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(1280, min(max(height, 700), 1800))
                driver.save_screenshot(str(HERE / f"{name}.png"))
                print(f"{name}.png  {path}")
        finally:
            driver.quit()
            server.shutdown()
            feeds.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
