"""The office and leadership pages in a real browser (headless Chromium) against a real server.

An office reports an item done from a phone (as inside Zalo's in-app browser); the
leadership page shows the totals change; leadership acknowledges an escalation and
grants an extension. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conftest import ARTIFACTS, CHROMIUM, PLAN_001, seed_path
from dondoc.app import Dondoc
from dondoc.clock import FixedClock
from dondoc.settings import get_settings
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import Acknowledgement, Item, Occurrence, Office, StatusUpdate
from test_web_office import KINH_TE, PDF, TODAY

ZALO_UA = ("Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Mobile Safari/537.36 Zalo android/12100768 ZaloTheme/light ZaloLanguage/vi")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")


@pytest.fixture
def server(sqlite_engine):
    from dondoc.web.server import WebServer

    app = Dondoc.build(get_settings(), clock=FixedClock(TODAY))
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with unit_of_work(sqlite_engine) as session:
        office = session.scalar(select(Office).where(Office.name == KINH_TE))
        tokens = {
            "office": links.ensure_link(session, links.OFFICE, office.unit_id, office.id).token,
            "leadership": links.ensure_link(session, links.LEADERSHIP, office.unit_id).token,
        }
        items = {i.number: i.id for i in session.scalars(select(Item))}
    with WebServer(app, host="127.0.0.1", port=0) as web:
        yield web, tokens, items



def _watch(page, problems: list[str]) -> None:
    """Collect script errors, blocked content (CSP reports go to the console) and failed loads.
    The browser's own /favicon.ico probe is left out: the pages name no icon."""
    def console(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(msg.text)

    def response(answer):
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("response", response)


def test_report_done_then_acknowledge_and_extend(server, browser, sqlite_engine, tmp_path):
    web, tokens, items = server
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    office_url = f"{web.url}/o/{tokens['office']}"
    lead_url = f"{web.url}/l/{tokens['leadership']}"

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    lead = desk.new_page()
    _watch(lead, problems)
    lead.goto(lead_url)
    done_before = int(lead.locator('[data-status="hoan_thanh_dung_han"] b').inner_text())
    overdue_before = int(lead.locator('[data-status="qua_han"] b').inner_text())

    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, user_agent=ZALO_UA, locale="vi-VN")
    page = phone.new_page()
    _watch(page, problems)
    page.goto(f"{office_url}?loc=tat-ca")
    assert page.locator("h1").inner_text() == "Nhiệm vụ của Phòng Kinh tế"
    card = page.locator(f"#item-{items['5']}")
    assert "blue" in card.get_attribute("class").split()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.screenshot(path=str(ARTIFACTS / "web-office-phone.png"))

    card.locator("summary", has_text="Báo cáo tiến độ").click()
    card.locator("select[name=status]").select_option("hoan_thanh")
    card.locator("input[name=product]").fill("Kế hoạch số 12/KH-UBND")
    card.locator("textarea[name=note]").fill("Đã ban hành, gửi kèm bản chụp")
    evidence = tmp_path / "ke-hoach-12.pdf"
    evidence.write_bytes(PDF)
    card.locator("input[type=file]").set_input_files(str(evidence))
    card.locator("button", has_text="Gửi báo cáo").click()
    page.wait_for_url(f"{office_url}?loc=tat-ca&ok=saved&item={items['5']}#item-{items['5']}")
    card = page.locator(f"#item-{items['5']}")
    assert "Đã ghi nhận báo cáo" in card.locator(".notice").inner_text()
    assert "green" in card.get_attribute("class").split()
    assert card.locator(".badge").first.inner_text() == "hoàn thành đúng hạn"
    page.screenshot(path=str(ARTIFACTS / "web-office-phone-done.png"))
    with read_session(sqlite_engine) as session:
        [update] = session.scalars(select(StatusUpdate)).all()
    assert (update.status, update.product, update.source) == ("hoan_thanh", "Kế hoạch số 12/KH-UBND", "web")

    lead.reload()
    assert int(lead.locator('[data-status="hoan_thanh_dung_han"] b').inner_text()) == done_before + 1
    assert lead.locator("svg.chart-bar").count() >= 6
    lead.screenshot(path=str(ARTIFACTS / "web-leadership.png"), full_page=True)

    lead.locator(f'#overdue a[href$="/items/{items["43"]}"]').click()
    lead.wait_for_url(f"{lead_url}/items/{items['43']}")
    assert "cấp 2" in lead.locator("#escalation").inner_text()
    lead.locator("#ack-by").fill("Lê Thị Bình, Phó Chủ tịch UBND xã")
    lead.locator("#ack-form button").click()
    lead.wait_for_url(f"{lead_url}/items/{items['43']}?ok=ack")
    assert "đã nắm" in lead.locator("#escalation").inner_text()
    lead.screenshot(path=str(ARTIFACTS / "web-leadership-ack.png"), full_page=True)

    lead.locator("#ext-new").fill("2026-05-29")
    lead.locator("#ext-by").fill("Nguyễn Văn An, Chủ tịch UBND xã")
    lead.locator("#ext-reason").fill("Chờ nguồn kinh phí của tỉnh")
    lead.locator("#extend-form button").click()
    lead.wait_for_url(f"{lead_url}/items/{items['43']}?ok=extended")
    milestones = lead.locator("ul.milestones").inner_text()
    assert "hạn mới 29/05/2026" in milestones and "hạn gốc 31/03/2026" in milestones
    lead.screenshot(path=str(ARTIFACTS / "web-leadership-extended.png"), full_page=True)
    with read_session(sqlite_engine) as session:
        assert len(session.scalars(select(Acknowledgement)).all()) == 1
        occ = session.scalar(select(Occurrence).where(Occurrence.item_id == items["43"]))
    assert (occ.effective_due.isoformat(), occ.extended_due.isoformat()) == ("2026-03-31", "2026-05-29")

    lead.goto(lead_url)
    assert int(lead.locator('[data-status="qua_han"] b').inner_text()) == overdue_before - 1

    # leaders open their page from Zalo too: on a phone nothing but the wide tables scrolls sideways
    page.goto(lead_url)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "web-leadership-phone.png"))
    page.goto(f"{office_url}/items/{items['5']}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert "Kế hoạch số 12/KH-UBND" in page.locator("ol.history").inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-office-item-phone.png"), full_page=True)
    assert problems == []  # nothing blocked by the content security policy, no script errors
    phone.close()
    desk.close()
