"""Every message links to a page its recipient may open: offices their own page, leaders the
leadership page (acknowledge, extend), the standing office its page; never a link of another scope."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from conftest import PLAN_001, build_app, seed_path
from dondoc.settings import get_settings
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import AccessLink, Office

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "https://dondoc.ngoclien.example.vn"
PEOPLE = """
people:
  - {id: chu-tich, name: Nguyễn Văn An, role: Chủ tịch UBND xã, tags: [chu-tich, leadership]}
  - {id: pct-1, name: Lê Thị Bình, role: Phó Chủ tịch UBND xã, tags: [leadership], areas: [I, II, III, IV, V, VI]}
"""
LINK = re.compile(re.escape(URL) + r"/[^\s\"<>)]+")


@pytest.fixture
def setup(engine, tmp_path, monkeypatch):
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("DONDOC_PUBLIC_URL", URL)
    get_settings.cache_clear()
    app = build_app()
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    return app


def at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def outbox_records() -> list[dict]:
    folder = get_settings().home_path / "outbox"
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


def scope_of(engine, url: str) -> tuple[str, str | None, str]:
    """(link kind, office name, the rest of the path) of a link in a message; fails for a dead link."""
    path = urlsplit(url).path
    match = re.fullmatch(r"/(o|l|s)/([A-Za-z0-9_-]+)(/.*)?", path)
    assert match, f"not a page link: {url}"
    with read_session(engine) as session:
        link = links.resolve(session, match.group(2))
        assert link is not None, f"dead link: {url}"
        office = session.get(Office, link.office_id).name if link.office_id else None
    return link.kind, office, match.group(3) or ""


def test_each_message_links_to_its_recipients_own_page(setup):
    app = setup
    engine = app.engine
    # 17/03: first reminders of the Q1 due dates; 02/04 and 10/04: escalations of level 1 and 2.
    for day in (date(2026, 3, 17), date(2026, 4, 2), date(2026, 4, 8), date(2026, 4, 15)):
        app.chase(at(day))
    app.send_digest(at(date(2026, 4, 15), 16))
    app.send_progress_requests(at(date(2026, 2, 23)))
    app.nudge_awaiting(at(date(2026, 1, 5)))

    seen: dict[str, set[str]] = {}
    for record in outbox_records():
        text = record.get("text") or record.get("body") or json.dumps(record, ensure_ascii=False)
        key = record.get("ledger_key") or record.get("key") or ""
        purpose = key.split(":", 1)[0]
        found = LINK.findall(text)
        assert found, f"{key}: no page link"
        for url in found:
            kind, office, rest = scope_of(engine, url)
            seen.setdefault(purpose, set()).add(kind)
            if purpose in ("reminder", "overdue", "progress") or (purpose == "escalation" and ":L1:" in key):
                assert kind == links.OFFICE, f"{key} links to a {kind} page"
                assert f"office:{office}" in key if purpose != "progress" else f":{office}:" in key, \
                    f"{key} links to {office}'s page"
            elif purpose in ("escalation", "digest"):
                assert kind == links.LEADERSHIP
            elif purpose == "nudge":
                assert kind == links.STANDING
            if purpose in ("reminder", "escalation", "overdue"):
                assert re.fullmatch(r"/items/\d+(#xu-ly)?", rest), url
    # levels 2 and 3 reach leaders through the digest (escalation.yaml: digest: true); items long overdue
    # keep a slow cadence to their lead office
    assert seen == {"reminder": {"office"}, "escalation": {"office"}, "overdue": {"office"}, "digest": {"leadership"},
                    "progress": {"office"}, "nudge": {"standing"}}


def test_links_are_issued_once_per_scope_and_rotation_changes_the_next_messages(setup):
    app = setup
    engine = app.engine
    app.chase(at(date(2026, 3, 17)))
    first = {url for r in outbox_records() for url in LINK.findall(json.dumps(r, ensure_ascii=False))}
    tokens = {urlsplit(u).path.split("/")[2] for u in first}
    with read_session(engine) as session:
        from sqlalchemy import func, select

        assert session.scalar(select(func.count(AccessLink.id))) == len(tokens)  # one per office reminded
        issued = [(a.kind, a.unit_id, a.office_id, links.reveal(session, a)) for a in session.scalars(select(AccessLink))]
    with unit_of_work(engine) as session:
        for kind, unit_id, office_id, _token in issued:
            links.rotate(session, kind, unit_id, office_id, actor="test")
    with read_session(engine) as session:
        assert all(links.resolve(session, token) is None for *_scope, token in issued)
    result = app.chase(at(date(2026, 3, 26)))  # 3 working days before 31/03
    assert result.sent, result
    later = {url for r in outbox_records() for url in LINK.findall(json.dumps(r, ensure_ascii=False))} - first
    assert later and not any(token in url for url in later for *_scope, token in issued)
    for url in later:
        scope_of(engine, url)  # the new links work
