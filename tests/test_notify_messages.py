"""Templates, people and the outbox: plain data in, Vietnamese out."""

from __future__ import annotations

import doctest
import json
from datetime import date
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

import notifications.messages
import notifications.wording
import dondoc.configuration.people
import notifications.plugins.common
import notifications.mime
import notifications.plugins.email
import dondoc.storage.ledger
from dondoc.storage.db import read_session
from dondoc.settings import get_settings
from conftest import send
from notifications.ledger import Delivery
from notifications.messages import (Message, digest, escalation, ngay_thang, progress_request, render, reminder,
                                    report_ready, truncate_with_link)
from dondoc.configuration import PeopleConfig, load_config
from notifications.testing import PEOPLE, sample_item, write_config

ROOT = Path(__file__).resolve().parent.parent
URL = "https://dondoc.example.vn"


@pytest.mark.parametrize("module", [notifications.messages, notifications.wording, dondoc.configuration.people, notifications.plugins.common,
                                    notifications.mime, dondoc.storage.ledger])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize(("day", "text"), [
    (date(2026, 3, 31), "ngày 31 tháng 3 năm 2026"),
    (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
    (date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
    (date(2026, 12, 9), "ngày 09 tháng 12 năm 2026"),
    ("2026-06-30", "ngày 30 tháng 6 năm 2026"),
    (None, "(chưa có hạn)"),
])
def test_dates_are_written_the_administrative_way(day, text):
    assert ngay_thang(day) == text


def _all_kinds():
    item = sample_item(days_overdue=6)
    return {
        "reminder": reminder(sample_item(), days_left=5, ledger_key="a", public_url=URL),
        "reminder_today": reminder(sample_item(), days_left=0, ledger_key="b", public_url=URL),
        "escalation": escalation(item, level=2, days_overdue=6, office="Phòng Văn hóa - Xã hội", ledger_key="c",
                                 public_url=URL, to_name="Lê Thị Bình"),
        "progress_request": progress_request([sample_item(), sample_item(number="16")], office="Phòng Kinh tế",
                                             period="Quý I/2026", report_by=date(2026, 3, 3), ledger_key="d",
                                             public_url=URL),
        "digest": digest([item], leader="Nguyễn Văn An", as_of=date(2026, 4, 6), ledger_key="e", public_url=URL,
                         due_soon=[sample_item(number="20", due=date(2026, 4, 10))]),
        "report_ready": report_ready(title="Báo cáo kết quả CCHC", period="Quý I/2026", as_of=date(2026, 3, 14),
                                     link=f"{URL}/reports/1", ledger_key="f", summary={"Quá hạn": 3, "Hoàn thành": 20}),
    }


EXPECTED = {
    "reminder": ("[Đôn Đốc] Mục 15 – Quý I/2026: còn 5 ngày làm việc (hạn 31/03/2026)",
                 ["Kính gửi: Phòng Văn hóa - Xã hội", "Mục 15 – Quý I/2026 còn 5 ngày làm việc đến hạn",
                  "Cơ quan chủ trì: Phòng Văn hóa - Xã hội",
                  "Cơ quan phối hợp: Phòng Kinh tế, Văn phòng HĐND và UBND", f"{URL}/items/xa-ngoc-lien-2026-2030/15"]),
    "reminder_today": ("[Đôn Đốc] Mục 15 – Quý I/2026: đến hạn hôm nay (hạn 31/03/2026)", ["đến hạn hôm nay"]),
    "escalation": ("[Đôn Đốc] Cảnh báo cấp 2: Mục 15 – Quý I/2026 quá hạn 6 ngày (Phòng Văn hóa - Xã hội)",
                   ["Kính gửi: Lê Thị Bình", "đã quá hạn 6 ngày (hạn ngày 31 tháng 3 năm 2026)",
                    f"{URL}/ack/xa-ngoc-lien-2026-2030/15"]),
    "progress_request": ("[Đôn Đốc] Đề nghị báo cáo tiến độ Quý I/2026, chậm nhất 03/03/2026 (Phòng Kinh tế)",
                         ["2 nhiệm vụ", "1. Mục 15", "2. Mục 16"]),
    "digest": ("[Đôn Đốc] Tổng hợp ngày 06/04/2026: 1 nhiệm vụ quá hạn, 1 sắp đến hạn",
               ["Kính gửi: Nguyễn Văn An", "hạn 31/03/2026, quá hạn 6 ngày.", "Mục 20"]),
    "report_ready": ("[Đôn Đốc] Báo cáo kết quả CCHC Quý I/2026 đã sẵn sàng để ký",
                     ["số liệu đến ngày 14 tháng 3 năm 2026", "- Quá hạn: 3", f"{URL}/reports/1"]),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_kind_renders_subject_text_and_html(name):
    rendered = render(_all_kinds()[name])
    subject, phrases = EXPECTED[name]
    assert rendered.subject == subject
    for phrase in phrases:
        assert phrase in rendered.text
    assert rendered.html.startswith("<!DOCTYPE html>") and 'lang="vi"' in rendered.html
    assert len(rendered.zalo_text) <= 2000 and rendered.zalo_text.startswith(subject)


def test_html_is_escaped_and_text_is_not():
    item = sample_item(content='Ban hành "Quy chế" <mới> & sửa đổi')
    rendered = render(reminder(item, days_left=1, ledger_key="k", public_url=URL))
    assert 'Ban hành "Quy chế" <mới> & sửa đổi' in rendered.text
    assert "&lt;mới&gt; &amp; sửa đổi" in rendered.html


def test_message_data_is_plain_json_and_survives_storage():
    message = _all_kinds()["digest"]
    again = Message(message.kind, json.loads(json.dumps(message.data)), message.ledger_key)
    assert render(again) == render(message)
    with pytest.raises(ValueError):
        Message("unknown", {}, "k")


def test_zalo_text_is_cut_with_the_link():
    assert truncate_with_link("ngắn", 100, "http://x") == "ngắn"
    cut = truncate_with_link("chữ " * 1000, 500, "http://x/1")
    assert 490 < len(cut) <= 500 and cut.endswith("Xem đầy đủ: http://x/1")


# -- people ---------------------------------------------------------------------------------

def test_example_people_file_is_valid_and_documented():
    data = yaml.safe_load((ROOT / "config" / "people.example.yaml").read_text(encoding="utf-8"))
    config = PeopleConfig.model_validate(data)
    assert {p.id for p in config.people} >= {"chu-tich", "pct-vhxh", "truong-vhxh"}
    assert config.by_id("pct-vhxh").phone == "84912345678"


def test_offices_tags_and_areas_resolve_to_people(tmp_path, monkeypatch):
    write_config(tmp_path / "cfg")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    get_settings.cache_clear()
    people = load_config(get_settings().user_config_dir).people
    ids = lambda specs: [p.id for p in people.resolve_all(specs)]  # noqa: E731
    assert ids(["office:Phòng Văn hóa - Xã hội"]) == ["truong-vhxh"]
    assert ids(["office:phòng văn hóa -  xã hội"]) == ["truong-vhxh"]  # spacing and case
    assert ids(["staff:Phòng Văn hóa - Xã hội"]) == ["truong-vhxh", "cv-vhxh"]
    assert ids(["tag:leadership"]) == ["chu-tich", "pct"]
    assert ids(["area:II"]) == ["pct"]
    assert ids(["chu-tich", "person:chu-tich", "tag:leadership"]) == ["chu-tich", "pct"]
    assert ids(["office:Phòng Tư pháp"]) == ["office:Phòng Tư pháp"]  # nobody configured: a placeholder
    assert people.channel_order(people.by_id("pct")) == ["zalo", "zns", "email"]
    assert people.channel_order(people.by_id("cv-vhxh")) == ["email"]


def test_bad_people_file_names_the_problem(tmp_path, monkeypatch):
    from dondoc.configuration import ConfigError

    write_config(tmp_path / "cfg", people=[{"id": "x", "name": "X", "channels": ["fax"]}])
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="people.yaml"):
        load_config(get_settings().user_config_dir)


# -- the outbox: nothing configured ---------------------------------------------------------

def test_without_channels_messages_go_to_the_outbox(engine):
    assert get_settings().smtp_url is None and get_settings().zalo_app_id is None
    message = reminder(sample_item(), days_left=3, ledger_key="reminder:x#15:d-3", public_url=URL)
    report = send(message, ["office:Phòng Văn hóa - Xã hội"], cc=["office:Phòng Kinh tế"], engine=engine)
    assert report.ok and report.outcomes[0].channel == "outbox"
    files = sorted(get_settings().outbox_path.iterdir())
    assert [f.suffix for f in files] == [".eml", ".json"]
    email = message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert email["Subject"] == render(message).subject
    assert email.get_body(("html",)) is not None
    assert "ngày 31 tháng 3 năm 2026" in email.get_body(("plain",)).get_content()
    record = json.loads(files[1].read_text(encoding="utf-8"))
    assert record["person"] == "office:Phòng Văn hóa - Xã hội" and record["ledger_key"] == "reminder:x#15:d-3"
    assert record["zalo_text"].startswith("[Đôn Đốc] Mục 15 – Quý I/2026: còn 3 ngày làm việc")
    with read_session(engine) as session:
        row = session.scalars(select(Delivery)).one()
    assert (row.channel, row.outcome, row.final) == ("outbox", "outbox", True)


def test_people_without_usable_channel_use_the_outbox_even_when_configured(engine, tmp_path, monkeypatch):
    write_config(tmp_path / "cfg", people=PEOPLE)
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    get_settings.cache_clear()  # SMTP and Zalo still not set up
    report = send(_all_kinds()["escalation"], ["tag:leadership"], engine=engine)
    assert [o.channel for o in report.outcomes] == ["outbox", "outbox"]
    assert len(list(get_settings().outbox_path.glob("*.eml"))) == 2


# -- plan 001 as people read it: every kind, addressed, counted on working days ----------------

NGOC_LIEN_PEOPLE = [
    {"id": "ct", "name": "Nguyễn Văn An", "role": "Chủ tịch UBND xã", "tags": ["leadership", "chu-tich"],
     "areas": ["I", "II", "III", "IV", "V", "VI"], "email": "ct@nl.test", "channels": ["email"]},
    {"id": "pct", "name": "Lê Thị Bình", "role": "Phó Chủ tịch UBND xã", "tags": ["leadership"], "areas": ["IV"],
     "email": "pct@nl.test", "channels": ["email"]},
    {"id": "vhxh", "name": "Trần Văn Cường", "role": "Trưởng phòng", "office": "Phòng Văn hóa - Xã hội", "head": True,
     "email": "vhxh@nl.test", "channels": ["email"]},
    {"id": "kt", "name": "Hoàng Văn Em", "role": "Trưởng phòng", "office": "Phòng Kinh tế", "head": True,
     "email": "kt@nl.test", "channels": ["email"]},
]
CODE_001 = "xa-ngoc-lien-2026-2030"
HEADS = {"Phòng Văn hóa - Xã hội": "Ông/Bà Trần Văn Cường – Trưởng phòng Văn hóa - Xã hội",
         "Phòng Kinh tế": "Ông/Bà Hoàng Văn Em – Trưởng phòng Kinh tế"}
CHASE_DAYS = (date(2026, 3, 17), date(2026, 3, 20), date(2026, 3, 27), date(2026, 4, 21))


@pytest.fixture
def chased_001(app, tmp_path, monkeypatch):
    """Plan 001 chased through spring 2026 (nothing configured to send: every message lands in the outbox),
    with its digests, the monthly nudge and a progress request. Returns the app and every message as read."""
    from datetime import datetime

    from conftest import build_app, seed_path, PLAN_001

    write_config(tmp_path / "cfg", people=NGOC_LIEN_PEOPLE)
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    get_settings.cache_clear()
    application = build_app()
    application.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    for day in CHASE_DAYS:
        application.chase(datetime(day.year, day.month, day.day, 8, 0))
        application.send_digest(datetime(day.year, day.month, day.day, 16, 0))
    application.nudge_awaiting(datetime(2026, 4, 1, 9, 0))
    application.send_progress_requests(datetime(2026, 5, 27, 9, 0))
    mails = []
    for path in sorted(get_settings().outbox_path.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        email = message_from_bytes(path.with_suffix(".eml").read_bytes(), policy=default_policy)
        mails.append({"key": record["ledger_key"], "person": record["person"], "subject": str(email["Subject"]),
                      "text": email.get_body(("plain",)).get_content(),
                      "html": email.get_body(("html",)).get_content(), "zalo": record.get("zalo_text") or ""})
    return application, mails


def _kind(mail) -> str:
    return mail["key"].split(":", 1)[0]


def test_no_message_of_plan_001_shows_the_plan_code(chased_001):
    """Every kind, subject, plain text, HTML (links included: pages are reached by token) and Zalo text."""
    from notifications.messages import Undelivered, nudge, test_message, undelivered

    app, mails = chased_001
    assert {"reminder", "escalation", "overdue", "digest", "nudge", "progress"} <= {_kind(m) for m in mails}
    rendered = [render(report_ready(title="Báo cáo kết quả CCHC", period="Quý I/2026", as_of=date(2026, 3, 14),
                                    link=f"{URL}/r/abc", ledger_key=f"report:{CODE_001}", summary={"Quá hạn": 3})),
                render(undelivered([Undelivered("Nhắc hạn Mục 37", mails[0]["subject"], "Trần Văn Cường", "lỗi",
                                                date(2026, 3, 20))], unit="Xã Ngọc Liên", office="Phòng Văn hóa - Xã hội",
                                   as_of=date(2026, 3, 21), ledger_key=f"undelivered:{CODE_001}", link=f"{URL}/s/x")),
                render(test_message(person_name="Trần Văn Cường", channel="email", ledger_key=f"t:{CODE_001}",
                                    public_url=URL))]
    for mail in mails + [{"key": r.subject, "subject": r.subject, "text": r.text, "html": r.html,
                          "zalo": r.zalo_text} for r in rendered]:
        for part in ("subject", "text", "html", "zalo"):
            assert CODE_001 not in mail[part], (mail["key"], part)
    assert nudge  # the nudge is among the chased messages above


def test_reminders_count_working_days_as_the_work_calendar_does(chased_001):
    """The count a reminder says is the one the calendar feed's alarm says for that date:
    ``WorkCalendar.working_days_between(as of, due date)``, called "ngày làm việc"."""
    import re

    app, mails = chased_001
    reminders = [m for m in mails if _kind(m) == "reminder"]
    assert reminders
    as_of = {m["key"]: date.fromisoformat(m["key"].split(":")[3]) for m in reminders}  # the due date in the key
    checked = 0
    for mail in reminders:
        due = as_of[mail["key"]]
        said = re.search(r": còn (\d+) ngày làm việc \(hạn (\d\d/\d\d/\d{4})\)$", mail["subject"])
        if said is None:
            assert "đến hạn hôm nay" in mail["subject"]
            continue
        assert said.group(2) == due.strftime("%d/%m/%Y")
        sent_on = next(d for d in CHASE_DAYS
                       if app.calendar.working_days_between(d, due) == int(said.group(1)))
        assert int(said.group(1)) == app.calendar.working_days_between(sent_on, due)
        assert f"còn {said.group(1)} ngày làm việc đến hạn" in mail["text"]
        checked += 1
    assert checked


def test_reminder_count_is_the_calendar_count_for_the_day_it_is_sent(app):
    """One reminder, built on a known day: 31/03/2026 seen from Friday 20/03 is 7 working days away
    (14 calendar days would be 11), and the message says 7."""
    from calendars.workdays import WorkCalendar

    calendar = app.calendar
    assert isinstance(calendar, WorkCalendar)
    left = calendar.working_days_between(date(2026, 3, 20), date(2026, 3, 31))
    assert left == 7 and (date(2026, 3, 31) - date(2026, 3, 20)).days == 11
    rendered = render(reminder(sample_item(), days_left=left, ledger_key="k", public_url=URL))
    assert rendered.subject.endswith(f": còn {left} ngày làm việc (hạn 31/03/2026)")


def test_messages_address_one_person_or_one_office(chased_001):
    app, mails = chased_001
    salutations = [line for m in mails for line in m["text"].splitlines() if line.startswith("Kính gửi:")]
    assert salutations and not any(line.strip() == "Kính gửi: Lãnh đạo" for line in salutations)
    by_key = {(m["key"], m["person"]): m for m in mails}
    # the head of Phòng Kinh tế, by name and title
    economic = [m for (k, p), m in by_key.items() if p == "kt" and _kind(m) == "reminder"]
    assert economic and all("Kính gửi: Ông/Bà Hoàng Văn Em – Trưởng phòng Kinh tế\n" in m["text"] for m in economic)
    # item 37 has six lead offices: each gets its own message naming only itself
    for mail in (m for m in mails if ":" in m["key"] and "#37:" in m["key"] and _kind(m) == "escalation"):
        office = mail["key"].rsplit(":office:", 1)[-1]
        first = next(line for line in mail["text"].splitlines() if line.startswith("Kính gửi:"))
        if office in HEADS:
            assert first == f"Kính gửi: {HEADS[office]}"
        else:  # nobody holds it: forwarded to the standing office, still addressed to that one office
            assert first == f"Kính gửi: {office}"
            assert f"(Chuyển cho {office})" in mail["subject"] and mail["subject"].count(office) == 1
            continue
        assert f"({office})" in mail["subject"]
    nudges = [m for m in mails if _kind(m) == "nudge"]
    assert nudges and all(f"Kính gửi: {HEADS['Phòng Văn hóa - Xã hội']}\n" in m["text"] for m in nudges)
    requests = [m for m in mails if _kind(m) == "progress" and m["person"] == "kt"]
    assert requests and all(f"Kính gửi: {HEADS['Phòng Kinh tế']}\n" in m["text"] for m in requests)
    digests = [m for m in mails if _kind(m) == "digest" and m["person"] == "ct"]
    assert digests and all("Kính gửi: Ông/Bà Nguyễn Văn An – Chủ tịch UBND xã\n" in m["text"] for m in digests)


def test_digest_counts_are_the_status_run_counts(chased_001):
    """A leader's digest lists what was escalated to them; the counts it gives are the unit's, as the
    status run counts them (the Phó Chủ tịch of area IV sees two items listed, and the unit's three)."""
    app, mails = chased_001
    digests = [m for m in mails if _kind(m) == "digest"]
    assert len(digests) >= 2
    for mail in digests:
        day = date.fromisoformat(mail["key"].rsplit(":", 1)[-1])
        totals = app.status(day, unit="Xã Ngọc Liên").totals
        overdue, soon = totals["qua_han"], totals["sap_den_han"]
        assert overdue >= 1
        assert mail["subject"] == (f"[Đôn Đốc] Tổng hợp ngày {day:%d/%m/%Y} – Xã Ngọc Liên: "
                                   f"{overdue} nhiệm vụ quá hạn, {soon} sắp đến hạn")
        assert f"{overdue} nhiệm vụ quá hạn, {soon} nhiệm vụ sắp đến hạn." in mail["text"]
        assert ".;" not in mail["text"] and ". —" not in mail["text"] and "..." not in mail["text"]
        assert "Mục 37 – Ban hành kế hoạch tháng 01/2026" in mail["text"]
    deputy = next(m for m in digests if m["key"] == "digest:1:person:pct:2026-04-21")
    assert "3 nhiệm vụ quá hạn" in deputy["subject"] and "(2 nhiệm vụ):" in deputy["text"]
    assert "Kính gửi: Ông/Bà Lê Thị Bình – Phó Chủ tịch UBND xã\n" in deputy["text"]


def test_messages_name_the_milestone_due_and_the_plan(chased_001):
    app, mails = chased_001
    title = "Kế hoạch cải cách hành chính trên địa bàn xã Ngọc Liên giai đoạn 2026 - 2030"
    escalations = [m for m in mails if _kind(m) == "escalation" and "#37:" in m["key"]]
    assert escalations
    for mail in escalations:
        assert "Mục 37 – Ban hành kế hoạch tháng 01/2026: quá hạn" in mail["subject"]
        assert mail["text"].count(title) == 1 and "(theo kế hoạch: 31/01/2026)" in mail["text"]
    reminders = [m for m in mails if _kind(m) == "reminder" and "#38:" in m["key"]]
    assert reminders and all("Mục 38 – Kế hoạch Quý I/2026: còn " in m["subject"] for m in reminders)
    for mail in mails:
        assert len(mail["subject"]) <= 130, mail["subject"]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_html_mail_reads_on_a_phone_and_a_desktop(chased_001):
    """One reminder, one escalation and one digest of plan 001 as HTML files, shown at 390px and 1366px
    (screenshots in test-artifacts/messages/): no sideways scrolling on a phone, a sans-serif font, the
    column at most 600px wide, and the button that opens the page."""
    from playwright.sync_api import sync_playwright

    from conftest import ARTIFACTS

    app, mails = chased_001
    chosen = {
        "nhac-han": next(m for m in mails if _kind(m) == "reminder" and m["person"] == "kt"),
        "qua-han": next(m for m in mails if _kind(m) == "escalation" and "#37:" in m["key"]
                        and m["key"].endswith(":office:Phòng Văn hóa - Xã hội")),
        "chuyen-tiep": next(m for m in mails if _kind(m) == "escalation" and "#37:" in m["key"]
                            and m["key"].endswith(":office:Công an xã")),
        "tong-hop": next(m for m in mails if m["key"] == "digest:1:person:ct:2026-04-21"),
    }
    folder = ARTIFACTS / "messages"
    folder.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    buttons = {"nhac-han": "Cập nhật tình hình", "qua-han": "Cập nhật tình hình", "chuyen-tiep": "Cập nhật tình hình",
               "tong-hop": "Xem tình hình và xử lý"}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            for name, mail in chosen.items():
                path = folder / f"{name}.html"
                path.write_text(mail["html"], encoding="utf-8")
                (folder / f"{name}.txt").write_text(f"{mail['subject']}\n\n{mail['text']}", encoding="utf-8")
                for width in (390, 1366):
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.goto(path.as_uri())
                    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
                    font = page.evaluate("getComputedStyle(document.querySelector('td td')).fontFamily")
                    assert "sans-serif" in font and "Times" not in font
                    column = page.evaluate("document.querySelector('table table').getBoundingClientRect().width")
                    assert column <= 600
                    button = page.get_by_role("link", name=buttons[name])
                    assert button.is_visible() and button.get_attribute("href") == mail["text"].split(
                        "\n\n--\n")[0].rstrip().rsplit("\n", 1)[-1]
                    page.close()
        finally:
            browser.close()


def test_reminders_say_what_the_calendar_alarm_says_on_the_same_day(app, tmp_path, monkeypatch):
    """On the day a feed's alarm rings for item 43 (due 31/03/2026), the reminder sent that morning counts
    the same working days as the alarm: both are ``WorkCalendar.working_days_between(day, due)``."""
    from datetime import datetime, timedelta

    from calendars.ical import FeedEvent, alarm_leads, alarm_text
    from conftest import build_app, seed_path, PLAN_001

    write_config(tmp_path / "cfg", people=NGOC_LIEN_PEOPLE)
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    get_settings.cache_clear()
    application = build_app()
    application.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    item, due = application.item_id("43"), date(2026, 3, 31)
    event = FeedEvent(uid="u", day=due, item="43", content="Tham mưu bố trí kinh phí", status="trong hạn",
                      sequence=0, modified=datetime(2026, 1, 5), lead=("Phòng Kinh tế",))
    compared = 0
    for lead in alarm_leads(due, application.policy.reminder_days, application.calendar):
        day = due - timedelta(days=lead.days)
        left = application.calendar.working_days_between(day, due)
        assert left == lead.working_days
        application.chase(datetime(day.year, day.month, day.day, 8, 0), item_ids=[item])
        records = [json.loads(p.read_text(encoding="utf-8")) for p in get_settings().outbox_path.glob("*.json")]
        mine = [r for r in records if r["person"] == "kt" and f":{due.isoformat()}:L0:s{lead.working_days}:" in r["ledger_key"]]
        assert len(mine) == 1, (day, lead)
        said = "đến hạn hôm nay" if left == 0 else f"còn {left} ngày làm việc"
        assert said in mine[0]["subject"] and said in alarm_text(event, lead)
        compared += 1
    assert compared == len(application.policy.reminder_days)
