"""The leadership page and the standing office's page in a real browser (headless Chromium) against a real
server: leadership acknowledges and extends from the overdue table on a phone; the print view; the standing
office copies a link, scans its QR code. Screenshots at 390×844 and 1366×768 go to test-artifacts/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conftest import ARTIFACTS, PLAN_001, seed_path
from dondoc.app import Dondoc
from dondoc.clock import FixedClock
from dondoc.settings import get_settings
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import Acknowledgement, Extension, Item, Office
from test_web_browser import CHROMIUM, ZALO_UA, _watch
from test_web_office import TODAY

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")

PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
             user_agent=ZALO_UA, locale="vi-VN")
DESK = dict(viewport={"width": 1366, "height": 768}, locale="vi-VN")


@pytest.fixture
def server(sqlite_engine):
    from dondoc.web.server import WebServer

    app = Dondoc.build(get_settings(), clock=FixedClock(TODAY))
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with unit_of_work(sqlite_engine) as session:
        unit_id = session.scalar(select(Office.unit_id))
        tokens = {kind: links.ensure_link(session, kind, unit_id).token for kind in (links.LEADERSHIP, links.STANDING)}
        items = {i.number: i.id for i in session.scalars(select(Item))}
    with WebServer(app, host="127.0.0.1", port=0) as web:
        yield web, tokens, items



def _no_sideways_scroll(page) -> bool:
    """Nothing wider than the screen: on a phone an overflowing page widens the layout viewport itself, so
    the width is compared with the screen's, not only with the window's."""
    return page.evaluate("document.documentElement.scrollWidth <= Math.min(window.innerWidth, screen.width)")


def _in_view(page, selector: str) -> bool:
    return page.evaluate("s => { const r = document.querySelector(s).getBoundingClientRect();"
                         " return r.top >= 0 && r.bottom <= window.innerHeight; }", selector)


def test_acknowledge_and_extend_from_the_overdue_table_on_a_phone(server, browser, sqlite_engine):
    web, tokens, items = server
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    lead_url = f"{web.url}/l/{tokens[links.LEADERSHIP]}"
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    _watch(page, problems)
    page.goto(lead_url)
    assert _no_sideways_scroll(page)
    assert int(page.locator('[data-status="qua_han"] b').inner_text()) == 3
    page.screenshot(path=str(ARTIFACTS / "web-leadership-table-phone.png"), full_page=True)

    row = page.locator(f"#overdue tr:has(a[href$='/items/{items['43']}'])")
    row.locator("summary", has_text="Đã nắm / Gia hạn").click()
    assert _no_sideways_scroll(page)
    row.screenshot(path=str(ARTIFACTS / "web-leadership-row-forms-phone.png"))
    row.locator("form.ack input[name=by]").fill("Lê Thị Bình, Phó Chủ tịch UBND xã")
    row.locator("form.ack button", has_text="Đã nắm").click()
    page.wait_for_url(f"{lead_url}?ok=ack&item={items['43']}#overdue-heading")
    assert page.locator("#confirmation").inner_text().startswith("Mục 43: Đã ghi nhận: lãnh đạo đã nắm")
    assert _in_view(page, "#confirmation")  # the page comes back at the table, the confirmation above it
    row = page.locator(f"#overdue tr:has(a[href$='/items/{items['43']}'])")
    assert "đã nắm" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-leadership-table-ack-phone.png"))

    row = page.locator(f"#overdue tr:has(a[href$='/items/{items['37']}'])")
    row.locator("summary").click()
    row.locator("form.extend input[name=new_due]").fill("2026-06-30")
    row.locator("form.extend input[name=by]").fill("Nguyễn Văn An, Chủ tịch UBND xã")
    row.locator("form.extend input[name=reason]").fill("Chờ hướng dẫn của Sở")
    row.locator("form.extend button", has_text="Gia hạn").click()
    page.wait_for_url(f"{lead_url}?ok=extended&item={items['37']}#overdue-heading")
    assert page.locator("#confirmation").inner_text().startswith("Mục 37: Đã gia hạn.")
    assert page.locator(f"#overdue a[href$='/items/{items['37']}']").count() == 0
    assert int(page.locator('[data-status="qua_han"] b').inner_text()) == 2
    with read_session(sqlite_engine) as session:
        assert [a.acknowledged_by for a in session.scalars(select(Acknowledgement))] == ["Lê Thị Bình, Phó Chủ tịch UBND xã"]
        [extension] = session.scalars(select(Extension)).all()
    assert (extension.new_due.isoformat(), extension.reason) == ("2026-06-30", "Chờ hướng dẫn của Sở")
    assert problems == []
    phone.close()


def test_screens_of_the_leadership_print_and_standing_pages(server, browser):
    web, tokens, items = server
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    lead_url = f"{web.url}/l/{tokens[links.LEADERSHIP]}"
    standing_url = f"{web.url}/s/{tokens[links.STANDING]}"
    for name, options in (("phone", PHONE), ("desk", DESK)):
        context = browser.new_context(**options)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web.url)
        page = context.new_page()
        _watch(page, problems)
        page.goto(lead_url)
        assert _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"web-leadership-overview-{name}.png"), full_page=True)
        row = page.locator(f"#overdue tr:has(a[href$='/items/{items['43']}'])")
        row.locator("summary").click()
        row.screenshot(path=str(ARTIFACTS / f"web-leadership-row-forms-{name}.png"))

        page.goto(f"{lead_url}?in=1")
        assert not page.locator("header.top").is_visible() and page.locator("form").count() == 0
        page.screenshot(path=str(ARTIFACTS / f"web-leadership-print-view-{name}.png"), full_page=True)
        page.goto(lead_url)
        page.emulate_media(media="print")  # printing the page itself drops navigation and forms too
        assert not page.locator("header.top").is_visible() and not page.locator(".tools").is_visible()
        assert not page.locator("#overdue details").first.is_visible()
        if name == "desk":
            page.pdf(path=str(ARTIFACTS / "web-leadership-print.pdf"), prefer_css_page_size=True)
        page.emulate_media(media="screen")

        page.goto(standing_url)
        assert _no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"web-standing-{name}.png"), full_page=True)
        link = page.locator("#links .link-row").nth(1)  # the leadership page's link
        copy = link.locator("button.copy")
        assert copy.is_visible()  # the script shows it
        copy.click()
        expect(copy).to_have_text("Đã sao chép")  # the clipboard answers asynchronously
        url = link.locator("input.url").input_value()
        assert url.startswith("http://") and "/l/" in url
        assert page.evaluate("navigator.clipboard.readText()") == url
        link.locator("summary", has_text="Mã QR").click()
        box = link.locator("svg.qr-code").bounding_box()
        assert box and box["width"] >= 150 and abs(box["width"] - box["height"]) < 2
        link.screenshot(path=str(ARTIFACTS / f"web-standing-link-{name}.png"))
        context.close()

    # without scripts the URL stays there to select by hand, and no dead button shows
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(standing_url)
    link = page.locator("#links .link-row").first
    assert not link.locator("button.copy").is_visible() and link.locator("input.url").is_visible()
    assert link.locator("button", has_text="Gửi qua Zalo/email").is_visible()
    context.close()
    assert problems == []
