"""People never read a plan code: pages, messages, feeds, reports and the default terminal output of plan 001
name items "Mục 37" and plans by their title. Codes stay in JSON and in machine identifiers (URLs, UIDs)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from conftest import PLAN_001, install_process_app, seed_path
from dondoc.cli import app as cli
from dondoc.settings import get_settings
from dondoc.storage import links
from dondoc.storage.db import unit_of_work
from dondoc.storage.models import Item, Office, Plan

PEOPLE = Path(__file__).parent / "fixtures" / "people_ngoc_lien.yaml"


@pytest.fixture
def plan_001(app, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(PEOPLE, config / "people.yaml")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    from conftest import build_app

    application = build_app()
    application.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with unit_of_work(application.engine) as s:
        code = s.scalar(select(Plan.code))
    assert code and "-" in code
    return application, code


def _without_source_name(text: str) -> str:
    """The name of the file a plan was imported from is the person's own (it may look like a code)."""
    return text.replace(Path(seed_path(PLAN_001)).name, "")


def _no_code(text: str, code: str, where: str) -> None:
    found = [m.start() for m in re.finditer(re.escape(code), text)]
    assert not found, f"{where}: plan code shown {len(found)} times, e.g. …{text[max(0, found[0] - 60):found[0] + 60]}…"


def _visible(html: str) -> str:
    """The text of a page a person reads: no attributes (URLs may carry codes), no scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def test_pages_show_no_plan_code(plan_001):
    from fastapi.testclient import TestClient

    from dondoc.web.app import create_app

    app, code = plan_001
    with unit_of_work(app.engine) as s:
        offices = list(s.scalars(select(Office)))
        unit_id = offices[0].unit_id
        urls = [f"/o/{links.ensure_link(s, links.OFFICE, o.unit_id, o.id).token}" for o in offices]
        item_id = s.scalar(select(Item.id).where(Item.number == "37"))
        urls.append(f"{urls[0]}/items/{item_id}")
        urls.append(f"/l/{links.ensure_link(s, links.LEADERSHIP, unit_id).token}")
        urls.append(f"/s/{links.ensure_link(s, links.STANDING, unit_id).token}")
    client = TestClient(create_app(app))
    seen = 0
    for url in urls:
        page = client.get(url)
        if page.status_code == 404:
            continue
        assert page.status_code == 200, url
        seen += 1
        _no_code(_without_source_name(_visible(page.text)), code, url.split("/")[1])
    assert seen >= len(offices)


def test_messages_show_no_plan_code(plan_001):
    app, code = plan_001
    for day, hour in ((date(2026, 3, 20), 8), (date(2026, 4, 10), 8), (date(2026, 4, 15), 8), (date(2026, 6, 25), 8)):
        app.chase(datetime(day.year, day.month, day.day, hour, 0))
        app.send_digest(datetime(day.year, day.month, day.day, 16, 0))
    app.nudge_awaiting(datetime(2026, 4, 15, 9, 0))
    outbox = get_settings().outbox_path
    mails = sorted(outbox.glob("*.eml"))
    assert len(mails) >= 5
    for path in mails:
        mail = message_from_bytes(path.read_bytes(), policy=default_policy)
        _no_code(str(mail["subject"]), code, f"{path.name} subject")
        for part in mail.walk():
            if part.get_content_maintype() == "text":
                text = part.get_content()
                _no_code(_visible(text) if part.get_content_subtype() == "html" else text, code, path.name)
    for path in outbox.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        for key in ("subject", "text", "zalo_text"):
            if isinstance(record.get(key), str):
                _no_code(record[key], code, f"{path.name} {key}")


def test_feeds_show_no_plan_code(plan_001):
    app, code = plan_001
    for office, leadership in (("Văn phòng HĐND và UBND xã", False), (None, True)):
        built, _who, _url = app.feed(office, unit="Xã Ngọc Liên", leadership=leadership, as_of=date(2026, 4, 10))
        body = built.body.decode("utf-8") if isinstance(built.body, bytes) else str(built.body)
        unfolded = re.sub(r"\r?\n[ \t]", "", body)
        read = "\n".join(line for line in unfolded.splitlines()
                         if line.startswith(("SUMMARY", "DESCRIPTION", "LOCATION", "X-WR-CALNAME", "X-WR-CALDESC")))
        _no_code(read, code, "leadership feed" if leadership else "office feed")


def test_report_shows_no_plan_code(plan_001, tmp_path):
    import docx
    import openpyxl

    app, code = plan_001
    app.clock.set(datetime(2026, 3, 5, 9, 0)) if hasattr(app.clock, "set") else None
    app.build_report("Xã Ngọc Liên", "2026-Q1", tmp_path / "bc", signed_on=date(2026, 3, 5))
    files = list((tmp_path / "bc").rglob("*"))
    assert any(f.suffix == ".docx" for f in files)
    for path in files:
        if path.suffix == ".docx":
            document = docx.Document(str(path))
            text = "\n".join(p.text for p in document.paragraphs)
            text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            text = "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                             if c.value is not None)
        elif path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
        else:
            continue
        _no_code(text, code, path.name)


def test_default_terminal_output_shows_no_plan_code(plan_001):
    app, code = plan_001
    install_process_app(app)
    runner = CliRunner()
    for args in (["status", "--as-of", "2026-04-15"], ["review"], ["import", str(seed_path(PLAN_001)),
                                                                     "--unit", "Xã Ngọc Liên"]):
        result = runner.invoke(cli, args, env={"COLUMNS": "80"})
        assert result.exit_code == 0, (args, result.output)
        _no_code(_without_source_name(result.output), code, " ".join(args[:1]))
    as_json = runner.invoke(cli, ["status", "--as-of", "2026-04-15", "--json"], env={"COLUMNS": "80"})
    assert code in as_json.output  # JSON keeps the code for programs


def test_a_plan_is_named_by_its_title_not_its_code(app):
    from conftest import PLAN_002
    from dondoc.storage.lookups import LookupFailed, find_plan

    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    app.import_file(seed_path(PLAN_002), unit_name="Xã Trường Xuân")
    with unit_of_work(app.engine) as s:
        assert find_plan(s, "Trường Xuân").title.startswith("Kế hoạch cải cách hành chính xã Trường Xuân")
        assert find_plan(s, "KH CCHC 2026–2030", "Xã Ngọc Liên").unit.name == "Xã Ngọc Liên"
        code = find_plan(s, "ngoc lien").code
        assert find_plan(s, code).code == code  # the code still works, for scripts
        with pytest.raises(LookupFailed) as many:
            find_plan(s, "cải cách hành chính")
        assert "Có nhiều kế hoạch khớp" in str(many.value) and code not in str(many.value)
        with pytest.raises(LookupFailed) as none:
            find_plan(s)
        assert "«Kế hoạch cải cách hành chính xã Trường Xuân" in str(none.value) and code not in str(none.value)
