"""A province sees its communes: its leadership page, standing page, calendar feed and compact status add up
the communes (ranked by overdue share), link to each commune's own leadership page, and act on nothing."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from conftest import build_app, install_process_app
from dondoc.domain.status import Shown
from dondoc.storage.db import read_session
from dondoc.storage.lookups import unit_tree_ids
from dondoc.storage.models import Item, Plan, Unit
from dondoc.storage.statusrun import item_rows
from dondoc.storage.treestatus import most_urgent_states
from dondoc.web.app import create_app

PROVINCE = "Tỉnh Thanh Hóa"
TODAY = date(2026, 6, 30)
COMMUNES = 4


class Province:
    def __init__(self, app):
        self.app = app
        self.client = TestClient(create_app(app))

    def path(self, unit: str, kind: str) -> str:
        [rows] = [u.rows for u in self.app.links(unit) if u.unit == unit]
        url = next(r["url"] for r in rows if r["kind"] == kind)
        return url[len(self.app.public_url.rstrip("/")):]

    def get(self, path: str):
        page = self.client.get(path)
        assert page.status_code == 200, page.text[:500]
        return page.text

    def communes(self) -> list[str]:
        with read_session(self.app.engine) as s:
            province = s.scalar(select(Unit).where(Unit.name == PROVINCE))
            return list(s.scalars(select(Unit.name).where(Unit.parent_id == province.id)))

    def codes(self) -> list[str]:
        with read_session(self.app.engine) as s:
            return list(s.scalars(select(Plan.code)))


@pytest.fixture
def province(db_url) -> Province:
    app = build_app(datetime(2026, 6, 30, 9, 0))
    app.build_demo(communes=COMMUNES, seed=11, as_of=TODAY, province=PROVINCE)
    return Province(app)


def expected_by_commune(app) -> dict[str, dict[str, int]]:
    """What the province must show per commune: the province's status run, each item once."""
    counts: dict[str, dict[str, int]] = {}
    for row in item_rows(app.status(unit=PROVINCE).rows):
        c = counts.setdefault(row.unit, {"items": 0, "overdue": 0, "due_soon": 0, "done": 0, "awaiting": 0})
        c["items"] += 1
        c["overdue"] += row.shown is Shown.OVERDUE
        c["due_soon"] += row.shown is Shown.DUE_SOON
        c["done"] += row.shown in (Shown.DONE_ON_TIME, Shown.DONE_LATE)
        c["awaiting"] += row.shown is Shown.AWAITING
    return counts


def table_rows(html: str, table_id: str = "communes") -> list[tuple[str, dict[str, str], str]]:
    """(unit, figures by column label, the row's markup) of the communes' table, in page order."""
    table = html[html.index(f'id="{table_id}"'):]
    table = table[:table.index("</table>")]
    rows = []
    for unit, body in re.findall(r'<tr[^>]*data-unit="([^"]+)">(.*?)</tr>', table, re.S):
        figures = dict(re.findall(r'data-label="([^"]+)">([^<]*)</td>', body))
        rows.append((unit, figures, body))
    return rows


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_province_page_ranks_its_communes_and_adds_them_up_as_the_status_run_does(province):
    html = province.get(province.path(PROVINCE, "leadership"))
    expected = expected_by_commune(province.app)
    rows = table_rows(html)
    assert [u for u, _, _ in rows] and {u for u, _, _ in rows} == set(province.communes()) == set(expected)
    for unit, figures, _ in rows:
        e = expected[unit]
        assert (int(figures["Nhiệm vụ"]), int(figures["Quá hạn"]), int(figures["Sắp đến hạn"]),
                int(figures["Hoàn thành"]), int(figures["Chờ"])) == \
            (e["items"], e["overdue"], e["due_soon"], e["done"], e["awaiting"]), unit
        share = e["overdue"] / e["items"] * 100
        assert figures["Tỷ lệ quá hạn"] == f"{share:.1f}".rstrip("0").rstrip(".").replace(".", ",") + "%"
    shares = [expected[u]["overdue"] / expected[u]["items"] for u, _, _ in rows]
    assert shares == sorted(shares, reverse=True)  # the worst first
    tiles = {k: int(v) for k, v in re.findall(r'data-status="(\w+)"><b>(\d+)</b>', html)}
    run = item_rows(province.app.status(unit=PROVINCE).rows)
    assert tiles == {s.value: sum(1 for r in run if r.shown is s) for s in Shown}
    assert f"({len(run)} nhiệm vụ)" in html and f"{COMMUNES} đơn vị" in html
    assert "<form" not in html and "<script" not in html and "style=" not in html
    printed = province.get(province.path(PROVINCE, "leadership") + "?in=1")  # to print: no links to follow
    assert "print-view" in printed and [u for u, _, _ in table_rows(printed)] == [u for u, _, _ in rows]
    assert "<a href" not in printed[printed.index('id="communes"'):]


def test_each_commune_opens_its_own_leadership_page_unchanged(province):
    html = province.get(province.path(PROVINCE, "leadership"))
    for unit, _, body in table_rows(html):
        [href] = re.findall(r'href="([^"]+)"', body)
        assert href == province.path(unit, "leadership")  # the commune's own link, as "dondoc links" gives it
    unit, _, body = table_rows(html)[0]
    commune = province.get(re.search(r'href="([^"]+)"', body).group(1))
    assert unit in commune and 'id="by-office"' in commune and 'id="overdue"' in commune
    assert 'id="communes"' not in commune and "các đơn vị trực thuộc" not in commune
    # the commune's page counts its own items only, as before
    tiles = {k: int(v) for k, v in re.findall(r'data-status="(\w+)"><b>(\d+)</b>', commune)}
    own = item_rows(province.app.status(unit=unit).rows)
    assert tiles == {s.value: sum(1 for r in own if r.shown is s) for s in Shown}


def test_the_items_overdue_longest_name_their_commune_and_item_and_are_acted_on_in_the_commune(province):
    path = province.path(PROVINCE, "leadership")
    html = province.get(path)
    listed = html[html.index('id="most-overdue"'):]
    listed = listed[:listed.index("</table>")]
    run = item_rows(province.app.status(unit=PROVINCE).rows)
    overdue = sorted((r for r in run if r.shown is Shown.OVERDUE), key=lambda r: -r.days_overdue)
    assert overdue, "the demo data has overdue items"
    assert listed.count("<tr>") == min(20, len(overdue)) + 1
    first = overdue[0]
    assert first.unit in listed and f">{first.item_label}<" in listed and f"{first.days_overdue} ngày" in listed
    assert "Quá hạn lâu nhất" in html and "chưa có bước nhắc lên" in html and "đã qua mọi bước nhắc" in html
    assert "trang lãnh đạo của đơn vị có nhiệm vụ đó" in html
    for code in province.codes():
        assert code not in visible(html)
    # an item links to the commune's page, where it is acknowledged or extended; never under the province's link
    href = re.search(r'<a href="(/l/[^"]+/items/(\d+))">Mục', listed)
    item_page = province.get(href.group(1))
    assert "Đã nắm" in item_page or "Gia hạn" in item_page
    assert province.client.get(f"{path}/items/{href.group(2)}").status_code == 404
    with read_session(province.app.engine) as s:
        item_id = s.scalar(select(Item.id).limit(1))
    assert province.client.get(f"{path}/items/{item_id}").status_code == 404


def test_the_province_standing_page_lists_the_communes_with_their_leadership_links(province):
    html = province.get(province.path(PROVINCE, "standing"))
    leadership = table_rows(province.get(province.path(PROVINCE, "leadership")))
    rows = table_rows(html)
    assert [u for u, _, _ in rows] == [u for u, _, _ in leadership]
    for unit, _, body in rows:
        url = re.search(r'class="url"[^>]*value="([^"]+)"', body).group(1)
        assert url.endswith(province.path(unit, "leadership"))
    assert "chỉ để theo dõi các đơn vị" in html and "xác nhận «đã nắm» hay gia hạn" in html
    assert 'id="report-on-behalf"' not in html and 'id="links"' in html  # no item of its own to act on
    commune = province.get(province.path(rows[0][0], "standing"))
    assert 'id="communes"' not in commune and 'id="report-on-behalf"' in commune


def test_the_province_feed_is_small_and_names_communes_never_codes(province):
    feed, who, _ = province.app.feed(unit=PROVINCE, leadership=True)
    text = feed.body.decode("utf-8")
    unfolded = text.replace("\r\n ", "").replace("\r\n", "\n")
    summaries = re.findall(r"^SUMMARY:(.*)$", unfolded, re.M)
    assert len(summaries) == feed.events > 0
    with read_session(province.app.engine) as s:
        ids = unit_tree_ids(s, s.scalar(select(Unit.id).where(Unit.name == PROVINCE)))
    states = most_urgent_states(province.app.engine, TODAY, province.app.calendar, unit_ids=ids)
    days = {line for line in re.findall(r"^DTSTART;VALUE=DATE:(\d+)", unfolded, re.M)}
    overdue = sum(1 for s in states if s.shown is Shown.OVERDUE)
    assert feed.events <= len(days) + overdue < 200  # one event per due day, one per commune's late deadline
    day_events = [s for s in summaries if s.startswith(("Hạn của", "✓ Đã hoàn thành: Hạn của", "⚠ Quá hạn: Hạn của"))]
    assert len(day_events) == len(days)
    late = [s for s in summaries if s not in day_events]
    named = [re.match(r"⚠ Quá hạn: (.+?): .*[Mm]ục \d", s) for s in late]
    assert late and all(m and m.group(1) in province.communes() for m in named), late
    read = [line for line in unfolded.splitlines() if not line.startswith(("UID:", "URL:"))]
    for code in province.codes():
        assert not [line for line in read if code in line]
    assert "BEGIN:VALARM" not in text
    # the web feed of the province's link answers the same calendar
    answer = province.client.get(province.path(PROVINCE, "leadership_feed"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    assert answer.text.count("BEGIN:VEVENT") == feed.events


def test_the_compact_status_of_a_province_ranks_its_communes_in_a_screen(province, monkeypatch):
    from dondoc.cli import app as cli
    from dondoc.usecases import status_view

    install_process_app(province.app)
    runner = CliRunner()
    result = runner.invoke(cli, ["status", "--unit", PROVINCE], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) <= 60 and max(len(line) for line in lines) <= 80, result.output
    assert "Theo đơn vị (số nhiệm vụ)" in result.output and "Quá hạn lâu nhất" in result.output
    order = [u for u, _, _ in table_rows(province.get(province.path(PROVINCE, "leadership")))]
    positions = [next(i for i, line in enumerate(lines) if line.startswith(f"  {u} ")) for u in order]
    assert positions == sorted(positions)  # the page's ranking
    for code in province.codes():
        assert code not in result.output
    monkeypatch.setattr(status_view, "PROVINCE_UNITS", 2)
    cut = runner.invoke(cli, ["status", "--unit", PROVINCE], env={"COLUMNS": "80"})
    assert f"… và {COMMUNES - 2} đơn vị khác" in cut.output
    assert runner.invoke(cli, ["status", "--unit", PROVINCE, "--json"]).exit_code == 0
    full = runner.invoke(cli, ["status", "--unit", PROVINCE, "--all"], env={"COLUMNS": "120"})
    assert full.exit_code == 0 and len(full.output.splitlines()) > len(lines)


@pytest.mark.parametrize("day", [date(2026, 2, 3), TODAY, date(2027, 1, 4), date(2030, 12, 31), date(2031, 3, 2)])
def test_the_tree_states_are_the_status_runs_most_urgent_rows(province, day):
    """The province's set-based reading judges each item as the status run does, whatever the day, with an
    extension and an acknowledgement in the data."""
    app = province.app
    overdue = [r for r in item_rows(app.status(TODAY, unit=PROVINCE).rows) if r.shown is Shown.OVERDUE]
    app.extend(overdue[0].item, date(2026, 9, 30), by="Chủ tịch UBND xã")
    app.acknowledge(overdue[1].item, by="Chủ tịch UBND xã")
    run = item_rows(app.status(day, unit=PROVINCE).rows)
    with read_session(app.engine) as s:
        ids = unit_tree_ids(s, s.scalar(select(Unit.id).where(Unit.name == PROVINCE)))
    states = most_urgent_states(app.engine, day, app.calendar, unit_ids=ids, due_soon_working_days=app.due_soon)
    assert {s.item_id: (s.shown, s.days_overdue, s.deadline) for s in states} == \
        {r.item_id: (r.shown, r.days_overdue, r.extended_due or r.effective_due) for r in run}


def test_the_province_excel_export_is_its_page_communes_ranked_then_the_items_overdue_longest(province):
    import io

    from openpyxl import load_workbook

    from conftest import ARTIFACTS
    from dondoc.usecases.province import province_view

    path = province.path(PROVINCE, "leadership")
    html = province.get(path)
    assert f'href="{path}/bao-cao.xlsx"' in html and f'href="{path}?in=1"' in html
    answer = province.client.get(f"{path}/bao-cao.xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert answer.headers["content-disposition"] == 'attachment; filename="tinh-hinh-cchc-2026-06-30.xlsx"'
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"tinh-thanh-hoa-bao-cao-{province.app.engine.dialect.name}.xlsx").write_bytes(answer.content)
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Theo đơn vị", "Quá hạn lâu nhất"]
    with read_session(province.app.engine) as s:
        province_id = s.scalar(select(Unit.id).where(Unit.name == PROVINCE))
        slugs = list(s.scalars(select(Unit.slug)))
    view = province_view(province.app, province_id)

    communes = book["Theo đơn vị"]
    assert communes["A1"].value == ("Tình hình thực hiện kế hoạch cải cách hành chính của các đơn vị trực thuộc "
                                    f"{PROVINCE} – ngày 30/06/2026")
    assert [c.value for c in communes[3]] == ["STT", "Đơn vị", "Nhiệm vụ", "Quá hạn", "Sắp đến hạn", "Hoàn thành",
                                              "Chờ", "Tỷ lệ quá hạn"]
    rows = [r for r in communes.iter_rows(min_row=4)]
    *members, total = [[c.value for c in r] for r in rows]
    # the page's ranking and the province view's numbers, which are the status run's
    assert [r[1] for r in members] == [u for u, _, _ in table_rows(html)] == [m.name for m in view.members]
    assert {r[1] for r in members} == set(province.communes()) and [r[0] for r in members] == [1, 2, 3, 4]
    expected = expected_by_commune(province.app)
    for r, m in zip(members, view.members):
        e = expected[r[1]]
        assert r[2:7] == [m.items, m.overdue, m.due_soon, m.done, m.awaiting] == \
            [e["items"], e["overdue"], e["due_soon"], e["done"], e["awaiting"]], r[1]
        assert r[7] == pytest.approx(e["overdue"] / e["items"], abs=1e-4)  # shown "0.0%"
    assert [r[7] for r in members] == sorted((r[7] for r in members), reverse=True)
    assert total[1] == "Cộng" and total[2] == view.items and total[3] == view.totals[Shown.OVERDUE.value]
    # the status is a coloured cell (the overdue count), never a coloured row
    for row, r in zip(rows, members):
        assert (row[3].fill.fill_type == "solid") == bool(r[3])
        assert all(c.fill.fill_type is None for i, c in enumerate(row) if i != 3)
    assert any(r[3] for r in members)

    late = book["Quá hạn lâu nhất"]
    assert late["A1"].value == f"Nhiệm vụ quá hạn lâu nhất của các đơn vị trực thuộc {PROVINCE} – ngày 30/06/2026"
    listed = [[c.value for c in r] for r in late.iter_rows(min_row=4)]
    assert len(listed) == len(view.most_overdue) == min(20, view.overdue) > 0
    assert [(r[1], r[2], r[7]) for r in listed] == [(o.unit, o.label, o.days_overdue) for o in view.most_overdue]
    assert all(r[1] in province.communes() and re.fullmatch(r"Mục \d+(\.\d+)*", r[2]) and r[4] for r in listed)
    days = [r[7] for r in listed]
    assert days == sorted(days, reverse=True)
    assert "đã qua mọi bước nhắc" in {r[9] for r in listed}

    for sheet in book.worksheets:
        assert "A1:" in str(sheet.merged_cells) and sheet["A1"].font.b
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$3:$3"
        for r in sheet.iter_rows(values_only=True):
            text = " ".join(v for v in r if isinstance(v, str))
            assert not [c for c in province.codes() if c in text] and not [s for s in slugs if s in text]

    # a commune's export stays the commune's workbook
    commune = province.client.get(province.path(members[0][1], "leadership") + "/bao-cao.xlsx")
    assert load_workbook(io.BytesIO(commune.content)).sheetnames == ["Quá hạn", "Sắp đến hạn", "Theo cơ quan",
                                                                     "Theo lĩnh vực"]
