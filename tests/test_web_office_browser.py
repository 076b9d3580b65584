"""The office page in a real browser (headless Chromium) against a real server, on a phone and a desk.

Plan 001 (Xã Ngọc Liên) as of Wednesday 15/04/2026. The default view of the busiest office fits in a few
phone screens; the tabs are links that work with JavaScript off; continuous items are folded; the report
form has no status chosen for an item never reported. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from conftest import ARTIFACTS, PLAN_001, seed_path
from dondoc.app import Dondoc
from dondoc.clock import FixedClock
from dondoc.settings import get_settings
from dondoc.storage import links
from dondoc.storage.db import unit_of_work
from dondoc.storage.models import Item, ItemOffice, Office, StatusUpdate
from test_web_browser import CHROMIUM, ZALO_UA, _watch

AS_OF = date(2026, 4, 15)
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
MAX_DEFAULT_HEIGHT = 4500  # about five phone screens

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")


@pytest.fixture
def server(sqlite_engine):
    from dondoc.web.server import WebServer

    app = Dondoc.build(get_settings(), clock=FixedClock(AS_OF))
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with unit_of_work(sqlite_engine) as session:
        counts = dict(session.execute(select(ItemOffice.office_id, func.count(func.distinct(ItemOffice.item_id)))
                                      .group_by(ItemOffice.office_id)).all())
        offices = list(session.scalars(select(Office)))
        busiest = max(offices, key=lambda o: counts.get(o.id, 0))
        kinh_te = next(o for o in offices if o.name == "Phòng Kinh tế")
        tokens = {o.name: links.ensure_link(session, links.OFFICE, o.unit_id, o.id).token for o in (busiest, kinh_te)}
        items = {i.number: i.id for i in session.scalars(select(Item))}
    with WebServer(app, host="127.0.0.1", port=0) as web:
        yield web, tokens, busiest.name, items



def _phone(browser, **options):
    return browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                               user_agent=ZALO_UA, locale="vi-VN", **options)


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def _tab_count(page, key: str) -> int:
    return int(page.locator(f'nav.filters a[href$="?loc={key}"] b').inner_text())


def test_the_busiest_office_fits_in_a_few_phone_screens_and_a_tab_is_a_tap_away(server, browser):
    web, tokens, busiest, items = server
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    phone = _phone(browser)
    page = phone.new_page()
    _watch(page, problems)
    url = f"{web.url}/o/{tokens[busiest]}"
    page.goto(url)
    assert page.locator("header.top").inner_text().endswith(f"{busiest} – Xã Ngọc Liên")
    default_height = _height(page)
    assert default_height <= MAX_DEFAULT_HEIGHT, default_height
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    assert page.locator("article.card").count() == _tab_count(page, "can-lam")
    page.screenshot(path=str(ARTIFACTS / "web-office-phone-default.png"), full_page=True)

    # a tap on a tab: the page of that tab, its items only, the tab marked as the current one
    page.locator('nav.filters a[href$="?loc=cho"]').tap()
    page.wait_for_url(f"{url}?loc=cho")
    assert page.locator('nav.filters a[aria-current="page"]').inner_text().split() == [str(_tab_count(page, "cho")), "Chờ"]
    assert page.locator("article.card").count() == _tab_count(page, "cho")
    assert page.locator("article.card .badge.grey").count() >= _tab_count(page, "cho")  # each has a "chờ" milestone
    page.screenshot(path=str(ARTIFACTS / "web-office-phone-tab-cho.png"), full_page=True)

    # every item: continuous ones are folded into one section that opens with a tap
    page.locator('nav.filters a[href$="?loc=tat-ca"]').tap()
    page.wait_for_url(f"{url}?loc=tat-ca")
    folded = page.locator("details.continuous")
    assert folded.get_attribute("open") is None
    continuous = _tab_count(page, "thuong-xuyen")
    assert folded.locator("article.card").count() == continuous
    assert not folded.locator("article.card").first.is_visible()
    every_height = _height(page)
    page.screenshot(path=str(ARTIFACTS / "web-office-phone-all.png"))
    folded.locator("summary").first.tap()
    assert folded.locator("article.card").first.is_visible()
    assert _height(page) > every_height

    # the search box: an item by its number
    page.locator("#office-search").fill("mục 37")
    page.locator("form.search button").tap()
    page.wait_for_url(re.compile(r".*\?loc=tat-ca&q=m%E1%BB%A5c\+37$"))
    assert page.locator("article.card").count() == 1
    assert page.locator("article.card .card-head a").inner_text() == "Mục 37"
    print(f"\n{busiest}: default view {default_height} px, every item {every_height} px (continuous folded)")
    assert problems == []
    phone.close()


def test_tabs_and_search_work_with_javascript_off(server, browser):
    web, tokens, _busiest, items = server
    phone = _phone(browser, java_script_enabled=False)
    page = phone.new_page()
    url = f"{web.url}/o/{tokens['Phòng Kinh tế']}"
    page.goto(url)
    page.locator('nav.filters a[href$="?loc=qua-han"]').click()
    page.wait_for_url(f"{url}?loc=qua-han")
    shown = page.locator("article.card")
    assert shown.count() == _tab_count(page, "qua-han") > 0
    assert all("red" in (shown.nth(i).get_attribute("class") or "") for i in range(shown.count()))
    page.locator("#office-search").fill("kinh phi")
    page.locator("#office-search").press("Enter")
    page.wait_for_url(f"{url}?loc=qua-han&q=kinh+phi")
    assert page.locator("article.card").count() == 1
    assert page.locator(f"#item-{items['43']}").count() == 1
    phone.close()


def test_the_report_form_asks_for_a_status_before_sending(server, browser, sqlite_engine):
    web, tokens, _busiest, items = server
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    phone = _phone(browser)
    page = phone.new_page()
    _watch(page, problems)
    url = f"{web.url}/o/{tokens['Phòng Kinh tế']}/items/{items['43']}"
    page.goto(url)
    assert page.locator("h1").inner_text().startswith("Mục 43")
    status = page.locator("select[name=status]")
    assert status.input_value() == ""
    page.locator("textarea[name=note]").fill("Đã họp tổ công tác")
    page.locator("button", has_text="Gửi báo cáo").click()
    assert page.url == url  # the browser keeps the form: a status must be chosen
    assert status.evaluate("el => !el.checkValidity()")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "web-office-item-phone-form.png"), full_page=True)
    with unit_of_work(sqlite_engine) as session:
        assert session.scalar(select(func.count(StatusUpdate.id))) == 0
    assert problems == []
    phone.close()


def test_screenshots_on_a_desk(server, browser):
    web, tokens, busiest, items = server
    ARTIFACTS.mkdir(exist_ok=True)
    desk = browser.new_context(viewport=DESK, locale="vi-VN")
    page = desk.new_page()
    problems: list[str] = []
    _watch(page, problems)
    page.goto(f"{web.url}/o/{tokens[busiest]}")
    boxes = page.locator("nav.filters a").evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")
    assert len(boxes) == 8 and len(set(boxes)) == 1  # the eight tabs on one line
    page.screenshot(path=str(ARTIFACTS / "web-office-desk-default.png"), full_page=True)
    page.goto(f"{web.url}/o/{tokens[busiest]}?loc=tat-ca")
    page.screenshot(path=str(ARTIFACTS / "web-office-desk-all.png"))
    page.goto(f"{web.url}/o/{tokens[busiest]}/items/{items['37']}")
    page.screenshot(path=str(ARTIFACTS / "web-office-item-desk.png"), full_page=True)
    phone = _phone(browser)
    small = phone.new_page()
    _watch(small, problems)
    small.goto(f"{web.url}/o/{tokens[busiest]}/items/{items['37']}")
    small.screenshot(path=str(ARTIFACTS / "web-office-item-phone-37.png"), full_page=True)
    assert problems == []
    phone.close()
    desk.close()
