"""The leadership page on plan 001 (Xã Ngọc Liên), computed for Friday 10/04/2026."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from conftest import PLAN_002, seed_path
from dondoc.storage.db import read_session
from dondoc.storage.models import Acknowledgement, Extension, Item, Occurrence
from dondoc.storage.statusrun import run_status
from test_web_office import KINH_TE, TODAY, make_site


@pytest.fixture
def site(engine):
    return make_site(engine)


def lead_url(site, number: str | None = None, action: str = "") -> str:
    base = f"/l/{site.leadership}"
    return base if number is None else f"{base}/items/{site.items[number]}{action}"


def tiles(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-status="(\w+)"><b>(\d+)</b>', html)}


def post(site, number: str, action: str, **fields):
    page = lead_url(site, number)
    csrf = site.csrf(page)
    return site.client.post(lead_url(site, number, action), data={"csrf": csrf, **fields}, follow_redirects=False)


def test_overview_totals_match_the_status_run(site):
    html = site.client.get(lead_url(site)).text
    report = run_status(site.engine, TODAY, site.app.calendar, unit_ids=None)
    assert tiles(html) == report.totals
    assert tiles(html)["qua_han"] == 3
    assert "Tình hình thực hiện kế hoạch cải cách hành chính" in html
    assert "Xã Ngọc Liên" in html


def test_overview_has_tables_by_office_and_area_and_a_chart_without_scripts(site):
    html = site.client.get(lead_url(site)).text
    by_office = html[html.index('id="by-office"'):html.index('id="by-area"')]
    assert KINH_TE in by_office and "Công an xã" in by_office
    by_area = html[html.index('id="by-area"'):]
    codes = re.findall(r"<td>([IVX]+)\. [^<]+</td>", by_area)
    assert codes == ["I", "II", "III", "IV", "V", "VI"]  # the appendix's order
    chart = html[html.index('class="chart"'):html.index('id="overdue"')]
    assert chart.count('<svg class="chart-bar"') == by_office.count("<tr>") - 1  # one bar per office
    assert 'fill="#c62828"' in chart  # overdue segments in red
    assert "<script" not in html and "style=" not in html


def test_overdue_list_gives_days_overdue_and_the_reason_reported(site):
    assert site.report("43", status="vuong_mac", note="Chưa được bố trí kinh phí").status_code == 303
    html = site.client.get(lead_url(site)).text
    overdue = html[html.index('id="overdue"'):]
    overdue = overdue[:overdue.index("</table>")]
    row = overdue[overdue.index(f'/items/{site.items["43"]}"'):]
    row = row[:row.index("</tr>")]
    assert "10 ngày" in row and "31/03/2026" in row and KINH_TE in row
    assert "Chưa được bố trí kinh phí" in row and "(10/04/2026)" in row
    assert "cấp 2" in row  # 8 working days late: level 2 starts after 5
    assert overdue.index(f'/items/{site.items["37"]}"') < overdue.index(f'/items/{site.items["43"]}"')


def test_items_awaiting_a_trigger_are_listed(site):
    html = site.client.get(lead_url(site)).text
    awaiting = html[html.index('id="awaiting"'):]
    awaiting = awaiting[:awaiting.index("</ul>")]
    assert f'/items/{site.items["4"]}"' in awaiting
    assert "Sau khi có văn bản của Tỉnh" in awaiting


def test_totals_change_when_an_office_reports_done(site):
    before = tiles(site.client.get(lead_url(site)).text)
    assert site.report("43", status="hoan_thanh", product="Tờ trình số 8/TTr-KT").status_code == 303
    html = site.client.get(lead_url(site)).text
    after = tiles(html)
    assert after["qua_han"] == before["qua_han"] - 1
    assert after["hoan_thanh_tre_han"] == before["hoan_thanh_tre_han"] + 1
    assert "Tờ trình số 8/TTr-KT" in html[html.index('id="done"'):]


def test_item_page_shows_the_escalation_and_acknowledging_stops_it(site):
    page = site.client.get(lead_url(site, "43")).text
    table = page[page.index('id="escalation"'):page.index("</table>", page.index('id="escalation"'))]
    assert "cấp 2" in table and "chưa xác nhận" in table and "10 ngày" in table
    answer = post(site, "43", "/ack", by="Lê Thị Bình, Phó Chủ tịch UBND xã", note="Giao Phòng Kinh tế báo cáo")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{lead_url(site, '43')}?ok=ack"
    page = site.client.get(answer.headers["location"]).text
    assert "Đã ghi nhận: lãnh đạo đã nắm" in page
    assert "<b>đã nắm</b>" in page and 'id="ack-form"' not in page
    assert "Lê Thị Bình, Phó Chủ tịch UBND xã" in page
    with read_session(site.engine) as session:
        [ack] = session.scalars(select(Acknowledgement)).all()
    assert (ack.deadline, ack.acknowledged_by, ack.note) == (
        date(2026, 3, 31), "Lê Thị Bình, Phó Chủ tịch UBND xã", "Giao Phòng Kinh tế báo cáo")
    overview = site.client.get(lead_url(site)).text
    row = overview[overview.index(f'/items/{site.items["43"]}"'):]
    assert "<b>đã nắm</b>" in row[:row.index("</tr>")]


@pytest.mark.parametrize("number, fields, message", [
    ("43", {"by": "  "}, "Hãy ghi họ tên, chức vụ người xác nhận"),
    ("5", {"by": "Nguyễn Văn An"}, "không có hạn nào đang quá hạn"),
])
def test_acknowledging_needs_a_name_and_something_overdue(site, number, fields, message):
    answer = post(site, number, "/ack", **fields)
    assert answer.status_code == 422
    assert message in answer.text
    with read_session(site.engine) as session:
        assert session.scalars(select(Acknowledgement)).all() == []


def test_an_extension_moves_the_due_date_and_keeps_the_original(site):
    answer = post(site, "43", "/extend", due="2026-03-31", new_due="2026-05-29",
                  by="Nguyễn Văn An, Chủ tịch UBND xã", reason="Chờ nguồn kinh phí của tỉnh")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{lead_url(site, '43')}?ok=extended"
    with read_session(site.engine) as session:
        occ = session.scalar(select(Occurrence).where(Occurrence.item_id == site.items["43"]))
        [ext] = session.scalars(select(Extension)).all()
    assert (occ.nominal_due, occ.effective_due, occ.extended_due) == (date(2026, 3, 31), date(2026, 3, 31), date(2026, 5, 29))
    assert (ext.previous_due, ext.new_due, ext.granted_by) == (date(2026, 3, 31), date(2026, 5, 29), "Nguyễn Văn An, Chủ tịch UBND xã")
    page = site.client.get(answer.headers["location"]).text
    assert "Đã gia hạn" in page
    assert "hạn mới <b>29/05/2026</b>" in page and "hạn gốc <s>31/03/2026</s>" in page
    assert "Chờ nguồn kinh phí của tỉnh" in page
    assert '<span class="badge blue">trong hạn</span>' in page
    overview = site.client.get(lead_url(site)).text
    overdue = overview[overview.index("<h2>Quá hạn"):overview.index('id="by-office"')]
    assert f'/items/{site.items["43"]}"' not in overdue
    assert tiles(overview)["qua_han"] == 2
    office_page = site.client.get(site.office_url(number="43")).text
    assert "hạn gốc <s>31/03/2026</s>" in office_page


@pytest.mark.parametrize("fields, message", [
    ({"new_due": "2026-03-01", "by": "Nguyễn Văn An"}, "phải sau hạn hiện tại"),
    ({"new_due": "31/05/2026", "by": "Nguyễn Văn An"}, "Hãy chọn hạn mới"),
    ({"new_due": "2026-05-29", "by": ""}, "Hãy ghi họ tên, chức vụ người cho gia hạn"),
    ({"new_due": "2026-05-29", "by": "Nguyễn Văn An", "due": "2027-01-01"}, "không có hạn ngày 2027-01-01"),
])
def test_an_extension_is_refused_with_the_reason_and_nothing_changes(site, fields, message):
    answer = post(site, "43", "/extend", **fields)
    assert answer.status_code == 422
    assert message in answer.text
    with read_session(site.engine) as session:
        assert session.scalars(select(Extension)).all() == []
        assert session.scalar(select(Occurrence.extended_due).where(Occurrence.item_id == site.items["43"])) is None


def test_an_item_of_another_unit_is_not_found(site):
    site.app.import_file(seed_path(PLAN_002), unit_name="Xã Trường Xuân")
    with read_session(site.engine) as session:
        foreign = session.scalar(select(Item.id).where(Item.id.not_in(list(site.items.values()))))
    assert site.client.get(f"/l/{site.leadership}/items/{foreign}").status_code == 404
    csrf = site.csrf(lead_url(site, "43"))
    answer = site.client.post(f"/l/{site.leadership}/items/{foreign}/ack", data={"csrf": csrf, "by": "A"})
    assert answer.status_code == 404
    html = site.client.get(lead_url(site)).text
    assert "Trường Xuân" not in html


def test_acknowledging_and_extending_queue_a_resync_of_the_item_schedule(site, monkeypatch):
    import dondoc.web.leadership as leadership

    queued = []
    monkeypatch.setattr(leadership, "resync_after", lambda tasks, request, item_ids: queued.append(item_ids))
    assert post(site, "43", "/extend", new_due="2026-01-01", by="A").status_code == 422
    assert queued == []
    assert post(site, "43", "/ack", by="Lê Thị Bình").status_code == 303
    assert post(site, "43", "/extend", new_due="2026-05-29", by="Nguyễn Văn An").status_code == 303
    assert queued == [[site.items["43"]], [site.items["43"]]]
