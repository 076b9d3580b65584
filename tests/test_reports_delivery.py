"""Report delivery: due days for 2026, building, recording and sending once, the download pages."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conftest import build_app, PLAN_001, PLAN_002, seed_path
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.delivery_log import ChaseEntry
from dondoc.storage.models import ReportRun, Unit
from dondoc.configuration import ReportingConfig, load_config
from dondoc.domain.periods import due_reports, report_schedule
from dondoc.reports.delivery import ATTACHED, deliver_due_reports
from dondoc.settings import get_settings
from dondoc.web.app import create_app
from notifications.delivery import Dispatcher
from notifications.ledger import Delivery
from notifications.testing import LocalSMTP, write_config

D = date
PUBLIC = "https://dondoc.ngoclien.example.vn"


def _reporting(**changes) -> ReportingConfig:
    return load_config(None).reporting.model_copy(update=changes)


@pytest.fixture
def cal():
    get_settings.cache_clear()
    return build_app().calendar


# -------------------------------------------------------------- due days (pure)


def test_2026_schedule_per_reporting_yaml(cal):
    got = [(r.period.key, r.stage, r.day, r.until, r.send_by) for r in report_schedule(2026, cal, _reporting())]
    assert got == [
        # Q1: cut-off Sat 14/03, send by Thu 19/03; draft 3 working days before
        ("2026-Q1", "draft", D(2026, 3, 16), D(2026, 3, 18), D(2026, 3, 19)),
        ("2026-Q1", "final", D(2026, 3, 19), D(2026, 3, 26), D(2026, 3, 19)),
        # 6 tháng: cut-off Sun 14/06, send by Fri 19/06
        ("2026-H1", "draft", D(2026, 6, 16), D(2026, 6, 18), D(2026, 6, 19)),
        ("2026-H1", "final", D(2026, 6, 19), D(2026, 6, 26), D(2026, 6, 19)),
        # Q3: 19/09 is a Saturday, the deadline rolls to Mon 21/09
        ("2026-Q3", "draft", D(2026, 9, 16), D(2026, 9, 20), D(2026, 9, 21)),
        ("2026-Q3", "final", D(2026, 9, 21), D(2026, 9, 28), D(2026, 9, 21)),
        # Năm: 19/12 is a Saturday, the deadline rolls to Mon 21/12
        ("2026", "draft", D(2026, 12, 16), D(2026, 12, 20), D(2026, 12, 21)),
        ("2026", "final", D(2026, 12, 21), D(2026, 12, 28), D(2026, 12, 21)),
    ]


@pytest.mark.parametrize("day, expected", [
    (D(2026, 3, 13), []),
    (D(2026, 3, 15), []),  # Sunday
    (D(2026, 3, 16), [("2026-Q1", "draft")]),
    (D(2026, 3, 18), [("2026-Q1", "draft")]),  # caught up until the day before the final
    (D(2026, 3, 19), [("2026-Q1", "final")]),
    (D(2026, 3, 21), []),  # Saturday
    (D(2026, 3, 26), [("2026-Q1", "final")]),  # the last catch-up day
    (D(2026, 3, 27), []),
    (D(2026, 9, 19), []),  # the nominal deadline, a Saturday
    (D(2026, 9, 21), [("2026-Q3", "final")]),
    (D(2026, 12, 16), [("2026", "draft")]),
    (D(2027, 1, 4), []),
])
def test_due_reports_on_a_day(cal, day, expected):
    assert [(r.period.key, r.stage) for r in due_reports(day, cal, _reporting())] == expected


def test_draft_is_never_before_the_first_working_day_after_the_cutoff(cal):
    days = {(r.period.key, r.stage): r.day for r in report_schedule(2026, cal, _reporting(draft_working_days_before=10))}
    assert days[("2026-Q1", "draft")] == D(2026, 3, 16)  # 10 working days before 19/03 is 05/03: before the cut-off
    assert days[("2026-Q3", "draft")] == D(2026, 9, 15)  # the day after the cut-off (Mon 14/09)


def test_no_draft_when_the_deadline_is_the_first_working_day_after_the_cutoff(cal):
    deadlines = {**_reporting().send_deadlines, "unit_to_level_above": {"Q1": "03-16"}}
    assert [(r.period.key, r.stage, r.day) for r in report_schedule(2026, cal, _reporting(send_deadlines=deadlines))] == [
        ("2026-Q1", "final", D(2026, 3, 16))]


# -------------------------------------------------------------- delivering


@pytest.fixture
def unit001(engine, tmp_path, monkeypatch):
    """Plan 001 for Xã Ngọc Liên; people.yaml from notifications.testing (no SMTP, no Zalo: the outbox)."""
    write_config(tmp_path / "cfg")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("DONDOC_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("DONDOC_NOTIFY_RETRY_DELAY", "0")
    get_settings.cache_clear()
    build_app().import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    return engine


def deliver(engine, day: date, dispatcher=None):
    return deliver_due_reports(build_app(), day, dispatcher=dispatcher)


def runs(engine) -> list[tuple]:
    with read_session(engine) as session:
        return [(r.period, r.stage, r.as_of, r.state, r.files) for r in session.scalars(select(ReportRun).order_by(ReportRun.id))]


def outbox() -> dict[str, dict]:
    """The outbox records by file stem."""
    folder = get_settings().outbox_path
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def token(engine, kind: str, unit_name: str = "Xã Ngọc Liên") -> str:
    with read_session(engine) as session:
        unit = session.scalars(select(Unit).where(Unit.name == unit_name)).one()
        return links.active_link(session, kind, unit.id).token


FILES = ["bao-cao-cchc-xa-ngoc-lien-2026-q1.docx", "bao-cao-cchc-xa-ngoc-lien-2026-q1-phu-luc.xlsx",
         "bao-cao-cchc-xa-ngoc-lien-2026-q1.md"]


def test_draft_day_builds_records_and_sends_to_the_standing_office_via_the_outbox(unit001):
    engine = unit001
    assert deliver(engine, D(2026, 3, 13)) == []
    (run,) = deliver(engine, D(2026, 3, 16))
    assert (run.unit, run.period, run.stage, run.built) == ("Xã Ngọc Liên", "2026-Q1", "draft", True)
    folder = get_settings().reports_path / "xa-ngoc-lien" / "2026-Q1" / "draft"
    assert run.directory == folder and sorted(p.name for p in folder.iterdir()) == sorted(run.files)
    assert run.markdown.startswith("#") and "Ngọc Liên" in run.markdown
    assert set(FILES) <= set(run.files)
    assert runs(engine) == [("2026-Q1", "draft", D(2026, 3, 14), "delivered", run.files)]

    records = outbox()
    # The head of the standing office (Trần Văn Cường): the email with the files, and the Zalo note
    # (he has a Zalo id but Zalo is not configured, so both wait in the outbox).
    assert sorted((r["person"], r["ledger_key"]) for r in records.values()) == [
        ("truong-vhxh", "report:xa-ngoc-lien:2026-Q1:draft:email:office:Phòng Văn hóa - Xã hội"),
        ("truong-vhxh", "report:xa-ngoc-lien:2026-Q1:draft:zalo:office:Phòng Văn hóa - Xã hội"),
    ]
    email = next(r for r in records.values() if ":email:" in r["ledger_key"])
    note = next(r for r in records.values() if ":zalo:" in r["ledger_key"])
    assert email["subject"] == ("[Đôn Đốc] Dự thảo báo cáo kết quả thực hiện công tác cải cách hành chính "
                                "Quý I năm 2026 của Xã Ngọc Liên: đề nghị rà soát")
    assert "trước hạn gửi cấp trên ngày 19 tháng 3 năm 2026" in email["text"]
    assert sorted(email["attachments"]) == sorted(f for f in run.files if f.endswith(ATTACHED))
    assert note["attachments"] == []
    standing = token(engine, links.STANDING)
    assert f"{PUBLIC}/s/{standing}/reports/{run.run_id}" in note["zalo_text"]

    from email import message_from_bytes
    from email.policy import default

    eml = next(get_settings().outbox_path.glob("*.eml"), None)
    emls = {p.stem: message_from_bytes(p.read_bytes(), policy=default) for p in get_settings().outbox_path.glob("*.eml")}
    with_files = [m for m in emls.values() if m.get_content_type() == "multipart/mixed"]
    assert eml is not None and len(with_files) == 1
    attached = {part.get_filename(): part.get_content() for part in with_files[0].iter_attachments()}
    assert attached == {name: (folder / name).read_bytes() for name in run.files if name.endswith(ATTACHED)}

    # Again the same day, and the next (catch-up) day: nothing new.
    assert deliver(engine, D(2026, 3, 16)) == []
    assert deliver(engine, D(2026, 3, 17)) == []
    assert outbox().keys() == records.keys()
    with read_session(engine) as session:
        assert session.scalar(select(ReportRun.id).where(ReportRun.stage == "final")) is None
        assert {e.state for e in session.scalars(select(ChaseEntry).where(ChaseEntry.purpose == "report"))} == {"sent"}


@pytest.fixture
def smtp(unit001, monkeypatch):
    with LocalSMTP() as server:
        monkeypatch.setenv("DONDOC_SMTP_URL", server.url)
        monkeypatch.setenv("DONDOC_MAIL_FROM", "Đôn Đốc Ngọc Liên <dondoc@ngoclien.example.vn>")
        get_settings.cache_clear()
        yield server


def test_final_day_emails_the_files_to_the_standing_office_and_leadership(unit001, smtp):
    engine = unit001
    (run,) = deliver(engine, D(2026, 3, 19))
    assert (run.period, run.stage) == ("2026-Q1", "final")
    folder = get_settings().reports_path / "xa-ngoc-lien" / "2026-Q1" / "final"
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == [
        "chutich@ngoclien.example.vn", "pct@ngoclien.example.vn", "vhxh@ngoclien.example.vn"]
    leadership, standing = token(engine, links.LEADERSHIP), token(engine, links.STANDING)
    for received in smtp.received:
        message = received.message
        assert message.get_content_type() == "multipart/mixed"
        assert message["Subject"] == ("[Đôn Đốc] Báo cáo kết quả thực hiện công tác cải cách hành chính "
                                      "Quý I năm 2026 đã sẵn sàng để ký")
        files = {p.get_filename(): p.get_content() for p in message.iter_attachments()}
        assert files == {n: (folder / n).read_bytes() for n in run.files if n.endswith(ATTACHED)}
        assert set(files) >= {n for n in FILES if not n.endswith(".md")}
        text = message.get_body(("plain",)).get_content()
        page = standing if received.rcpt_tos == ["vhxh@ngoclien.example.vn"] else leadership
        assert f"{PUBLIC}/{'s' if page == standing else 'l'}/{page}/reports/{run.run_id}" in text
        assert "số liệu đến ngày 14 tháng 3 năm 2026" in text

    # Zalo is not configured: the notes for the three people with a Zalo id wait in the outbox.
    notes = sorted((r["person"], r["channels"]) for r in outbox().values())
    assert notes == [("chu-tich", ["zalo", "email"]), ("pct", ["zalo", "zns", "email"]),
                     ("truong-vhxh", ["zalo", "zns", "email"])]
    assert all(f"/reports/{run.run_id}" in r["zalo_text"] for r in outbox().values())

    with read_session(engine) as session:
        sent = sorted((d.person, d.channel, d.outcome) for d in session.scalars(select(Delivery)))
    assert sent == [("chu-tich", "email", "sent"), ("chu-tich", "outbox", "outbox"),
                    ("pct", "email", "sent"), ("pct", "outbox", "outbox"),
                    ("truong-vhxh", "email", "sent"), ("truong-vhxh", "outbox", "outbox")]

    assert deliver(engine, D(2026, 3, 19)) == [] and deliver(engine, D(2026, 3, 20)) == []
    assert len(smtp.received) == 3


class CrashAfter(Dispatcher):
    """A dispatcher that stops the run (as a killed process would) after ``n`` sends."""

    def __init__(self, engine, n: int):
        app = build_app()
        super().__init__(engine, settings=app.settings, config=app.config.notifications, people=app.config.people)
        self.left = n

    def deliver(self, message, person, **kwargs):
        if self.left == 0:
            raise RuntimeError("stopped")
        self.left -= 1
        return super().deliver(message, person, **kwargs)


def test_a_run_stopped_midway_resumes_without_building_or_sending_twice(unit001, smtp):
    engine = unit001
    with CrashAfter(engine, 1) as dispatcher, pytest.raises(RuntimeError):
        deliver(engine, D(2026, 3, 19), dispatcher=dispatcher)  # stops after the standing office's email
    assert [(p, s, state) for p, s, _a, state, _f in runs(engine)] == [("2026-Q1", "final", "compiled")]
    assert [r.rcpt_tos for r in smtp.received] == [["vhxh@ngoclien.example.vn"]]

    (run,) = deliver(engine, D(2026, 3, 19))
    # the rest: the standing office's Zalo note, the leadership email (two people), their Zalo note
    assert run.built is False and run.sent == 3
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == [
        "chutich@ngoclien.example.vn", "pct@ngoclien.example.vn", "vhxh@ngoclien.example.vn"]
    assert [state for *_x, state, _f in runs(engine)] == ["delivered"]
    assert deliver(engine, D(2026, 3, 20)) == []


# -------------------------------------------------------------- download pages


def test_download_serves_only_the_recorded_files_of_the_links_unit(unit001):
    engine = unit001
    build_app().import_file(seed_path(PLAN_002), unit_name="Xã Trường Xuân")
    draft = {r.unit: r for r in deliver(engine, D(2026, 3, 16))}
    final = {r.unit: r for r in deliver(engine, D(2026, 3, 19))}
    assert set(draft) == set(final) == {"Xã Ngọc Liên", "Xã Trường Xuân"}
    ours, theirs = final["Xã Ngọc Liên"], final["Xã Trường Xuân"]
    (ours.directory / "ghi-chu.txt").write_text("không ghi trong báo cáo", encoding="utf-8")

    client = TestClient(create_app(build_app()))
    lead, stand = token(engine, links.LEADERSHIP), token(engine, links.STANDING)
    docx = "bao-cao-cchc-xa-ngoc-lien-2026-q1.docx"

    answer = client.get(f"/l/{lead}/reports/{ours.run_id}/{docx}")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="{docx}"'
    assert answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert answer.content == (ours.directory / docx).read_bytes()
    xlsx = client.get(f"/s/{stand}/reports/{draft['Xã Ngọc Liên'].run_id}/bao-cao-cchc-xa-ngoc-lien-2026-q1-phu-luc.xlsx")
    assert xlsx.status_code == 200 and xlsx.content == (draft["Xã Ngọc Liên"].directory / xlsx.headers[
        "content-disposition"].split('"')[1]).read_bytes()

    page = client.get(f"/l/{lead}/reports/{ours.run_id}")
    assert page.status_code == 200 and "Bản chính thức" in page.text and docx in page.text
    assert "ghi-chu.txt" not in page.text

    for path in (
        f"/l/{lead}/reports/{ours.run_id}/ghi-chu.txt",  # in the folder, not recorded
        f"/l/{lead}/reports/{ours.run_id}/..%2Fdraft%2F{docx}",  # outside the run's folder
        f"/l/{lead}/reports/{theirs.run_id}/{theirs.files[0]}",  # another unit's report
        f"/l/{lead}/reports/{theirs.run_id}",
        f"/l/{lead}/reports/9999/{docx}",
        f"/s/{lead}/reports/{ours.run_id}/{docx}",  # a leadership token on the standing path
        f"/l/{lead}x/reports/{ours.run_id}/{docx}",
    ):
        assert client.get(path).status_code == 404, path

    with unit_of_work(engine) as session:
        unit_id = session.scalars(select(Unit.id).where(Unit.name == "Xã Ngọc Liên")).one()
        new = links.rotate(session, links.LEADERSHIP, unit_id).token
    assert client.get(f"/l/{lead}/reports/{ours.run_id}/{docx}").status_code == 404
    assert client.get(f"/l/{new}/reports/{ours.run_id}/{docx}").status_code == 200

    (ours.directory / docx).unlink()
    assert client.get(f"/l/{new}/reports/{ours.run_id}/{docx}").status_code == 404


def test_a_province_above_communes_gets_its_aggregated_report_on_the_final_day(engine, tmp_path, monkeypatch):
    """Each commune's report and the province's, which covers all its communes, once each."""

    write_config(tmp_path / "cfg")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    get_settings.cache_clear()
    build_app().build_demo(communes=2, seed=5, as_of=D(2026, 3, 1), province="Tỉnh Thanh Hóa")
    with read_session(engine) as session:
        communes = [u.name for u in session.scalars(select(Unit).where(Unit.parent_id.is_not(None)))]
    delivered = deliver(engine, D(2026, 3, 19))
    assert sorted(r.unit for r in delivered) == sorted([*communes, "Tỉnh Thanh Hóa"])
    assert {r.stage for r in delivered} == {"final"}
    province = next(r for r in delivered if r.unit == "Tỉnh Thanh Hóa")
    assert all(name in province.markdown for name in communes)  # a row per commune
    assert "Theo đơn vị" in province.markdown
    assert deliver(engine, D(2026, 3, 19)) == []  # once
