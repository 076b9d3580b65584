"""A feed's events survive a real CalDAV server: uploaded to Radicale, read back intact."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from datetime import date

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from conftest import PLAN_002, seed_path
from dondoc.storage.db import read_session
from dondoc.storage.models import ItemOffice, Office, Unit
from dondoc.usecases import feeds

caldav = pytest.importorskip("caldav")
pytest.importorskip("radicale")

AS_OF = date(2026, 7, 15)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    """A Radicale server on a free local port, storing in tmp_path, no authentication."""
    port = _free_port()
    config = tmp_path / "radicale.conf"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\ntype = none\n"
        f"[storage]\nfilesystem_folder = {tmp_path / 'collections'}\n"
        "[rights]\ntype = owner_only\n"
        "[logging]\nlevel = info\n",
        encoding="utf-8",
    )
    process = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        for line in process.stderr:  # blocks until the server says it listens (or exits)
            seen.append(line)
            if "Listening on" in line:
                break
        else:
            pytest.fail("Radicale did not start:\n" + "".join(seen))
        # keep reading its log, or the server blocks once the pipe is full
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _smallest_office(engine, unit: str) -> feeds.Scope:
    with read_session(engine) as session:
        row = session.execute(
            select(Office.unit_id, Office.id, func.count(ItemOffice.item_id).label("n"))
            .join(Unit, Unit.id == Office.unit_id)
            .join(ItemOffice, ItemOffice.office_id == Office.id)
            .where(Unit.name == unit)
            .group_by(Office.unit_id, Office.id)
            .order_by(func.count(ItemOffice.item_id), Office.id)
        ).first()
    return feeds.Scope(row.unit_id, row.id)


def test_feed_events_round_trip_through_radicale(sqlite_app, radicale):
    app = sqlite_app
    engine = app.engine
    app.import_file(seed_path(PLAN_002), unit_name="Xã Trường Xuân")
    scope = _smallest_office(engine, "Xã Trường Xuân")
    options = feeds.options_from(app, AS_OF)
    first = Calendar.from_ical(feeds.build_feed(engine, scope, options).body)
    dated = sorted((e for e in first.walk("VEVENT") if "Kỳ báo cáo" not in str(e["DESCRIPTION"])),
                   key=lambda e: e.start)
    assert dated, "the office should have dated items"
    number = str(dated[0]["SUMMARY"]).split("Mục ", 1)[1].split(":", 1)[0]
    app.record_update(number, "hoan_thanh", on=dated[0].start, unit="Xã Trường Xuân", product="Báo cáo số 3/BC-UBND")
    published = Calendar.from_ical(feeds.build_feed(engine, scope, options).body)
    events = {str(e["UID"]): e for e in published.walk("VEVENT")}
    assert any(e["SEQUENCE"] == 1 for e in events.values())

    client = caldav.DAVClient(url=radicale, username="vanphong", password="khong-dung")
    calendar = client.principal().make_calendar(name="Đôn Đốc – thử", cal_id="dondoc-thu")
    for vevent in events.values():
        one = Calendar()
        one.add("prodid", str(published["PRODID"]))
        one.add("version", "2.0")
        one.add_component(vevent)
        calendar.add_event(one.to_ical().decode("utf-8"), increase_seqno=False)  # the feed owns SEQUENCE

    back = {}
    for obj in calendar.events():
        for component in Calendar.from_ical(obj.data).walk("VEVENT"):
            back[str(component["UID"])] = component
    assert set(back) == set(events)
    for uid, sent in events.items():
        got = back[uid]
        assert got.start == sent.start and got.end == sent.end, uid
        assert got["SEQUENCE"] == sent["SEQUENCE"], uid
        assert str(got["SUMMARY"]) == str(sent["SUMMARY"]), uid
        assert str(got["DESCRIPTION"]) == str(sent["DESCRIPTION"]), uid
        assert [a["TRIGGER"].dt for a in got.walk("VALARM")] == [a["TRIGGER"].dt for a in sent.walk("VALARM")], uid
    done = [e for e in back.values() if e["SEQUENCE"] == 1]
    assert done and all(str(e["SUMMARY"]).startswith("✓ Đã hoàn thành:") for e in done)
