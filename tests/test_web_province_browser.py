"""A province's leadership and standing pages in a real browser (headless Chromium) against a real server:
the communes' table fits a phone without sideways scrolling, a commune's name opens its own page.
Screenshots at 390×844 and 1366×768 go to test-artifacts/.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import ARTIFACTS
from dondoc.app import Dondoc
from dondoc.clock import FixedClock
from dondoc.settings import get_settings
from test_web_browser import CHROMIUM, _watch
from test_web_leadership_browser import DESK, PHONE, _no_sideways_scroll

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")

PROVINCE = "Tỉnh Thanh Hóa"


@pytest.fixture
def server(sqlite_engine):
    from dondoc.web.server import WebServer

    app = Dondoc.build(get_settings(), clock=FixedClock(datetime(2026, 6, 30, 9, 0)))
    app.build_demo(communes=6, seed=11, as_of=date(2026, 6, 30), province=PROVINCE)
    [rows] = [u.rows for u in app.links(PROVINCE)]
    paths = {r["kind"]: r["url"][len(app.public_url.rstrip("/")):] for r in rows}
    with WebServer(app, host="127.0.0.1", port=0) as web:
        yield web, paths


def test_screens_of_the_province_pages(server, browser):
    web, paths = server
    ARTIFACTS.mkdir(exist_ok=True)
    for name, options in (("phone", PHONE), ("desktop", DESK)):
        problems: list[str] = []
        page = browser.new_context(**options).new_page()
        _watch(page, problems)
        page.goto(web.url + paths["leadership"])
        assert page.locator("#communes tbody tr").count() == 6
        assert _no_sideways_scroll(page), name
        page.screenshot(path=str(ARTIFACTS / f"web-province-leadership-{name}.png"), full_page=True)
        page.goto(web.url + paths["standing"])
        assert _no_sideways_scroll(page), name
        page.locator("#communes-section").screenshot(path=str(ARTIFACTS / f"web-province-standing-{name}.png"))
        page.goto(web.url + paths["leadership"])
        first = page.locator("#communes tbody tr").first
        commune = first.get_attribute("data-unit")
        first.locator("a").click()
        page.wait_for_load_state()
        assert page.locator("header.top").inner_text().endswith(commune)
        assert page.locator("#by-office").count() == 1 and page.locator("#communes").count() == 0
        assert not problems, problems
