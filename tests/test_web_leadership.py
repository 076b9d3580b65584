"""The leadership page on plan 001 (Xã Ngọc Liên), computed for Friday 10/04/2026."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from conftest import PLAN_002, seed_path
from dondoc.storage.db import read_session
from dondoc.domain.status import ATTENTION_ORDER, Shown
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


def test_overview_tiles_count_items_under_their_most_urgent_due_date(site):
    html = site.client.get(lead_url(site)).text
    report = run_status(site.engine, TODAY, site.app.calendar, unit_ids=None)
    most_urgent: dict[int, Shown] = {}
    for row in report.rows:
        if row.item_id not in most_urgent or ATTENTION_ORDER[row.shown] < ATTENTION_ORDER[most_urgent[row.item_id]]:
            most_urgent[row.item_id] = row.shown
    expected = {s.value: sum(1 for v in most_urgent.values() if v is s) for s in Shown}
    assert tiles(html) == expected
    assert sum(expected.values()) == len(most_urgent) == 62  # every item of plan 001, once
    assert tiles(html)["qua_han"] == 3
    assert "(62 nhiệm vụ)" in html
    # due dates are counted too, and then called "mốc"
    note = html[html.index('id="count-note"'):html.index("</p>", html.index('id="count-note"'))]
    assert f"{len(report.rows)} mốc" in note and f"{report.totals['qua_han']} mốc quá hạn" in note
    assert "nhiệm vụ quá hạn" in html[html.index('id="totals"'):]
    assert 'id="overdue-heading">Quá hạn (3 nhiệm vụ)</h2>' in html  # three items, one overdue due date each
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
    overdue = overview[overview.index('id="overdue-heading"'):overview.index('id="by-office"')]
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


def overdue_row(html: str, site, number: str) -> str:
    table = html[html.index('id="overdue"'):]
    table = table[:table.index("</table>")]
    row = table[table.index(f'/items/{site.items[number]}"'):]
    return row[:row.index("</tr>")]


def post_from_table(site, number: str, action: str, **fields):
    csrf = site.csrf(lead_url(site))
    return site.client.post(lead_url(site, number, action), data={"csrf": csrf, "back": "list", **fields},
                            follow_redirects=False)


def test_each_overdue_row_has_acknowledge_and_extend_forms(site):
    html = site.client.get(lead_url(site)).text
    row = overdue_row(html, site, "43")
    assert f'action="/l/{site.leadership}/items/{site.items["43"]}/ack"' in row
    assert f'action="/l/{site.leadership}/items/{site.items["43"]}/extend"' in row
    assert row.count('name="csrf"') == 2 and row.count('name="back" value="list"') == 2
    assert 'name="due" value="2026-03-31"' in row and 'type="date"' in row and 'name="reason"' in row
    assert ">Đã nắm</button>" in row and ">Gia hạn</button>" in row


def test_acknowledging_from_the_table_returns_to_the_table_with_a_confirmation(site):
    answer = post_from_table(site, "43", "/ack", by="Lê Thị Bình, Phó Chủ tịch UBND xã")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{lead_url(site)}?ok=ack&item={site.items['43']}#overdue-heading"
    html = site.client.get(answer.headers["location"]).text
    confirmation = html[html.index('id="confirmation"'):]
    assert confirmation[:confirmation.index("</p>")].startswith('id="confirmation">Mục 43: Đã ghi nhận: lãnh đạo đã nắm')
    row = overdue_row(html, site, "43")
    assert "<b>đã nắm</b>" in row and "/ack" not in row and "/extend" in row  # still extendable
    with read_session(site.engine) as session:
        [ack] = session.scalars(select(Acknowledgement)).all()
    assert (ack.deadline, ack.acknowledged_by) == (date(2026, 3, 31), "Lê Thị Bình, Phó Chủ tịch UBND xã")


def test_extending_from_the_table_moves_the_due_date_and_the_row_leaves_the_overdue_table(site):
    answer = post_from_table(site, "43", "/extend", due="2026-03-31", new_due="2026-05-29",
                             by="Nguyễn Văn An, Chủ tịch UBND xã", reason="Chờ kinh phí")
    assert answer.status_code == 303
    html = site.client.get(answer.headers["location"]).text
    assert "Mục 43: Đã gia hạn." in html
    assert f'/items/{site.items["43"]}"' not in html[html.index('id="overdue"'):html.index('id="by-office"')]
    with read_session(site.engine) as session:
        [ext] = session.scalars(select(Extension)).all()
    assert (ext.previous_due, ext.new_due, ext.reason) == (date(2026, 3, 31), date(2026, 5, 29), "Chờ kinh phí")


@pytest.mark.parametrize("action, fields, message", [
    ("/ack", {"by": " "}, "Hãy ghi họ tên, chức vụ người xác nhận"),
    ("/extend", {"due": "2026-03-31", "new_due": "2026-03-01", "by": "Nguyễn Văn An", "reason": "Chờ"},
     "phải sau hạn hiện tại"),
    ("/extend", {"due": "2026-03-31", "new_due": "", "by": "Nguyễn Văn An"}, "Hãy chọn hạn mới"),
])
def test_a_refusal_from_the_table_is_shown_on_the_table_with_what_was_typed(site, action, fields, message):
    answer = post_from_table(site, "43", action, **fields)
    assert answer.status_code == 422
    html = answer.text
    errors = html[html.index('id="row-errors"'):]
    assert "Mục 43" in errors[:200] and message in errors
    row = overdue_row(html, site, "43")
    assert "<details open>" in row  # the row's forms stay open, with what was typed
    if fields.get("new_due"):
        assert f'value="{fields["new_due"]}"' in row
    with read_session(site.engine) as session:
        assert session.scalars(select(Acknowledgement)).all() == []
        assert session.scalars(select(Extension)).all() == []


def test_the_item_page_names_the_item_and_its_plan_not_its_code(site):
    html = site.client.get(lead_url(site, "43")).text
    assert "<h1>Mục 43 " in html and "xa-ngoc-lien" not in html
    assert "Kế hoạch cải cách hành chính" in html


def test_the_overview_shows_no_plan_code(site):
    site.report("43", status="hoan_thanh", product="Tờ trình số 8/TTr-KT")
    for html in (site.client.get(lead_url(site)).text, site.client.get(f"{lead_url(site)}?in=1").text,
                 site.client.get(f"{lead_url(site)}?ok=ack&item={site.items['37']}").text):
        assert "xa-ngoc-lien" not in html and "#37" not in html
        assert "Mục 37" in html


def test_the_print_view_has_the_tables_and_no_forms_nor_navigation(site):
    html = site.client.get(f"{lead_url(site)}?in=1").text
    assert "<form" not in html and "<details" not in html and "<input" not in html
    assert 'class="leadership print-view"' in html
    assert 'id="overdue"' in html and 'id="by-office"' in html and 'id="by-area"' in html
    assert "/static/leadership.css" in html
    css = site.client.get("/static/leadership.css").text
    assert "@media print" in css and "size: A4 landscape" in css
    overview = site.client.get(lead_url(site)).text
    assert f'href="{lead_url(site)}?in=1"' in overview and f'href="{lead_url(site)}/bao-cao.xlsx"' in overview


def test_the_excel_export_has_the_overdue_the_due_soon_and_the_counts_per_office(site):
    import io

    from openpyxl import load_workbook

    site.report("43", status="vuong_mac", note="Chưa được bố trí kinh phí")
    answer = site.client.get(f"{lead_url(site)}/bao-cao.xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'attachment; filename="tinh-hinh-cchc-2026-04-10.xlsx"' == answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Quá hạn", "Sắp đến hạn", "Theo cơ quan", "Theo lĩnh vực"]
    overdue = book["Quá hạn"]
    assert overdue["A1"].value == "NHIỆM VỤ QUÁ HẠN"
    assert overdue["A2"].value.startswith("Xã Ngọc Liên · tính đến ngày 10/04/2026")
    assert [c.value for c in overdue[3]][:3] == ["STT", "Nhiệm vụ", "Nội dung"]
    rows = [[c.value for c in r] for r in overdue.iter_rows(min_row=4)]
    assert len(rows) == 3 and [r[0] for r in rows] == [1, 2, 3]
    row43 = next(r for r in rows if r[1] == "Mục 43")
    assert row43[4] == KINH_TE and row43[5] == "31/03/2026" and row43[7] == 10
    assert row43[8].startswith("Chưa được bố trí kinh phí") and row43[9] == "cấp 2"
    assert overdue.page_setup.orientation == "landscape" and int(overdue.page_setup.paperSize) == 9  # A4
    assert overdue.page_setup.fitToWidth == 1 and overdue.sheet_properties.pageSetUpPr.fitToPage
    by_office = book["Theo cơ quan"]
    header = [c.value for c in by_office[3]]
    assert header[:3] == ["Cơ quan chủ trì", "Tổng số nhiệm vụ", "Quá hạn"]
    offices = {r[0]: r for r in ([c.value for c in r] for r in by_office.iter_rows(min_row=4))}
    assert offices["Cả đơn vị"][1] == 62 and offices["Cả đơn vị"][2] == 3
    assert offices[KINH_TE][2] == 2  # 37 and 43
    html = site.client.get(lead_url(site)).text
    soon_rows = [r for r in book["Sắp đến hạn"].iter_rows(min_row=4, values_only=True)]
    shown = re.search(r'id="due-soon-heading">Sắp đến hạn \((\d+) (?:mốc|nhiệm vụ)', html)
    if shown:
        assert len(soon_rows) == int(shown.group(1)) and all(r[1].startswith("Mục ") for r in soon_rows)
    else:
        assert soon_rows == [("Không có nhiệm vụ sắp đến hạn.",) + (None,) * 7]
    for sheet in book.worksheets:
        for r in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and "xa-ngoc-lien" in v for v in r)


def test_the_home_page_names_no_plan_nor_link(site):
    page = site.client.get("/")
    assert page.status_code == 200
    assert "Đôn Đốc" in page.text and "xa-ngoc-lien" not in page.text and site.leadership not in page.text
