"""The same rule gives the same answer whichever way a person reports: the command line, the office's
page, the standing office's page and the spreadsheet, one table of cases through each of them."""

from __future__ import annotations

import html
import re
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from conftest import PLAN_001, build_app, seed_path
from dondoc.domain.status import STORED_LABELS, Stored
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import Item, Office, StatusUpdate
from dondoc.usecases.sheets import FIRST_ROW, NOTE, PRODUCT, REF, STATUS, SheetError
from dondoc.web.app import create_app

TODAY = date(2026, 4, 10)
ITEM = "43"  # "Quý I/2026", led by Phòng Kinh tế
OFFICE = "Phòng Kinh tế"
DONE_NEEDS = "Khi báo hoàn thành, hãy ghi sản phẩm"
BLOCKED_NEEDS = "Khi báo vướng mắc, hãy ghi rõ lý do"

# (case, status code, note, product, accepted, what the refusal says)
CASES = [
    ("done with a product", "hoan_thanh", "", "Kế hoạch số 12/KH-UBND", True, None),
    ("done with a note, no document", "hoan_thanh", "Đã tổ chức hội nghị triển khai", "", True, None),
    ("done with neither", "hoan_thanh", "", "", False, DONE_NEEDS),
    ("done with only spaces", "hoan_thanh", "   ", "  ", False, DONE_NEEDS),
    ("blocked with a reason", "vuong_mac", "Chưa có hướng dẫn của Sở Nội vụ", "", True, None),
    ("blocked without a reason", "vuong_mac", "", "", False, BLOCKED_NEEDS),
    ("in progress", "dang_thuc_hien", "", "", True, None),
    ("a note too long", "dang_thuc_hien", "x" * 2001, "", False, "dài 2001 ký tự, tối đa 2000 ký tự"),
    ("a product too long", "hoan_thanh", "", "y" * 501, False, "dài 501 ký tự, tối đa 500 ký tự"),
    ("a control character", "dang_thuc_hien", "Đã họp\x7f", "", False, "ký tự điều khiển"),
    ("an unknown status", "xong", "", "", False, "không hợp lệ"),
]


@pytest.fixture
def world(engine):
    app = build_app(datetime(2026, 4, 10, 8, 0))
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with unit_of_work(engine) as session:
        office = session.scalar(select(Office).where(Office.name == OFFICE))
        tokens = {"office": links.ensure_link(session, links.OFFICE, office.unit_id, office.id).token,
                  "standing": links.ensure_link(session, links.STANDING, office.unit_id).token}
        item_id = session.scalar(select(Item.id).where(Item.number == ITEM))
    return app, tokens, item_id


def _stored(app) -> int:
    with read_session(app.engine) as session:
        return session.scalar(select(func.count(StatusUpdate.id)))


def _page_errors(page) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.text))


def through_cli(world, status, note, product, tmp_path):
    runner = CliRunner()
    args = ["update", ITEM, "--status", status, "--date", TODAY.isoformat()]
    args += ["--note", note] if note else []
    args += ["--product", product] if product else []
    result = runner.invoke(__import__("dondoc.cli", fromlist=["app"]).app, args)
    assert result.exit_code in (0, 2), result.output
    return result.exit_code == 0, " ".join(result.output.split())


def _client(app) -> TestClient:
    return TestClient(create_app(app), follow_redirects=False)


def _csrf(client, url) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(url).text).group(1)


def through_office_page(world, status, note, product, tmp_path):
    app, tokens, item_id = world
    client = _client(app)
    url = f"/o/{tokens['office']}/items/{item_id}"
    answer = client.post(url, data={"csrf": _csrf(client, url), "status": status, "note": note, "product": product})
    assert answer.status_code in (303, 422), answer.status_code
    return answer.status_code == 303, " ".join(_page_errors(answer).split())


def through_standing_page(world, status, note, product, tmp_path):
    app, tokens, item_id = world
    client = _client(app)
    page = f"/s/{tokens['standing']}"
    answer = client.post(f"{page}/report", data={"csrf": _csrf(client, page), "item": str(item_id), "status": status,
                                                 "note": note, "product": product, "by": OFFICE,
                                                 "on": TODAY.isoformat()})
    assert answer.status_code in (303, 422), answer.status_code
    return answer.status_code == 303, " ".join(_page_errors(answer).split())


def through_spreadsheet(world, status, note, product, tmp_path):
    app = world[0]
    blank = tmp_path / "kt.xlsx"
    if not blank.exists():  # exported once, before any case: the office fills in the same sheet each time
        app.export_sheet(OFFICE, blank, as_of=TODAY)
    path = tmp_path / f"kt-{_stored(app)}.xlsx"
    book = load_workbook(blank)
    sheet = book["Cập nhật"]
    row = next(r for r in range(FIRST_ROW, sheet.max_row + 1) if str(sheet.cell(r, REF).value).endswith(f"#{ITEM}"))
    label = STORED_LABELS[Stored(status)] if status in {s.value for s in Stored} else status
    sheet.cell(row, STATUS, label)
    sheet.cell(row, NOTE, note or None)
    sheet.cell(row, PRODUCT, product or None)
    book.save(path)
    try:
        app.import_sheet(path, on=TODAY)
    except SheetError as exc:
        return False, " ".join(str(exc).split())
    return True, ""


SHELLS = {"command line": through_cli, "office page": through_office_page, "standing page": through_standing_page,
          "spreadsheet": through_spreadsheet}


@pytest.mark.parametrize("shell", SHELLS)
def test_each_rule_through_every_shell(world, shell, tmp_path):
    app = world[0]
    answers = {}
    for case, status, note, product, accepted, says in CASES:
        before = _stored(app)
        ok, message = SHELLS[shell](world, status, note, product, tmp_path)
        answers[case] = ok
        assert _stored(app) == before + (1 if accepted else 0), (shell, case, message)
        if says:
            assert says in message, (shell, case, message)
    assert answers == {case: accepted for case, _s, _n, _p, accepted, _w in CASES}
