"""Email against a real SMTP server on localhost (aiosmtpd): headers, Vietnamese, both parts, cc, failures."""

from __future__ import annotations

from datetime import date
from email.header import decode_header

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.storage.db import read_session
from dondoc.settings import get_settings
from conftest import dispatcher as make_dispatcher, send
from notifications.ledger import Delivery, NotificationMessage, list_deliveries
from notifications.messages import reminder
from notifications.testing import LocalSMTP, free_port, sample_item, write_config

SUBJECT = "[Đôn Đốc] Mục 15 – Quý I/2026: còn 3 ngày làm việc (hạn 31/03/2026)"


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    write_config(tmp_path / "cfg")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("DONDOC_NOTIFY_RETRY_DELAY", "0")
    monkeypatch.setenv("DONDOC_MAIL_FROM", "Đôn Đốc Ngọc Liên <dondoc@ngoclien.example.vn>")
    with LocalSMTP() as server:
        monkeypatch.setenv("DONDOC_SMTP_URL", server.url)
        get_settings.cache_clear()
        yield server


def _reminder(key="reminder:xa-ngoc-lien-2026-2030#15:2026-03-31:d-3"):
    return reminder(sample_item(), days_left=3, ledger_key=key, public_url="https://dondoc.ngoclien.example.vn")


def test_email_received_with_vietnamese_headers_both_parts_and_cc(engine, smtp):
    report = send(_reminder(), ["office:Phòng Văn hóa - Xã hội"],
                  cc=["office:Phòng Kinh tế", "office:Văn phòng HĐND và UBND"], engine=engine)
    assert report.ok and [o.channel for o in report.outcomes] == ["email"]

    assert len(smtp.received) == 1
    received = smtp.received[0]
    assert received.mail_from == "dondoc@ngoclien.example.vn"
    assert sorted(received.rcpt_tos) == sorted(
        ["vhxh@ngoclien.example.vn", "kinhte@ngoclien.example.vn", "vanphong@ngoclien.example.vn"])

    raw_headers = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 7-bit clean headers
    assert "=?utf-8?" in raw_headers.lower()
    message = received.message
    assert message["Subject"] == SUBJECT
    assert "".join(
        part.decode(charset) if isinstance(part, bytes) else part
        for part, charset in decode_header(message.get("Subject").__str__())
    ) == SUBJECT
    assert message["To"].addresses[0].display_name == "Trần Văn Cường"
    assert message["To"].addresses[0].addr_spec == "vhxh@ngoclien.example.vn"
    assert {a.addr_spec for a in message["Cc"].addresses} == {"kinhte@ngoclien.example.vn",
                                                             "vanphong@ngoclien.example.vn"}
    assert message["From"].addresses[0].display_name == "Đôn Đốc Ngọc Liên"
    assert message["Message-ID"] and message["Date"]
    assert message["X-Dondoc-Ledger-Key"] == "reminder:xa-ngoc-lien-2026-2030#15:2026-03-31:d-3"

    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    text = plain.get_content()
    assert "Kính gửi: Phòng Văn hóa - Xã hội" in text
    assert "Hạn: ngày 31 tháng 3 năm 2026" in text
    assert "Cơ quan phối hợp: Phòng Kinh tế, Văn phòng HĐND và UBND" in text
    assert "https://dondoc.ngoclien.example.vn/items/xa-ngoc-lien-2026-2030/15" in text
    body = html.get_content()
    assert "còn 3 ngày làm việc</strong>" in body and "max-width:600px" in body and "sans-serif" in body
    assert ">Cập nhật tình hình</a>" in body and "Times New Roman" not in body

    with read_session(engine) as session:
        rows = session.scalars(select(Delivery)).all()
        stored = session.scalars(select(NotificationMessage)).one()
    assert [(r.channel, r.outcome, r.attempt, r.final) for r in rows] == [("email", "sent", 1, True)]
    assert rows[0].provider_message_id == message["Message-ID"]
    assert rows[0].ledger_key == stored.ledger_key == "reminder:xa-ngoc-lien-2026-2030#15:2026-03-31:d-3"
    assert stored.subject == SUBJECT


def test_server_down_is_retried_then_logged_failed_and_resend_works(engine, tmp_path, monkeypatch):
    write_config(tmp_path / "cfg")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    port = free_port()
    monkeypatch.setenv("DONDOC_SMTP_URL", f"smtp://127.0.0.1:{port}?security=none")
    monkeypatch.setenv("DONDOC_NOTIFY_RETRIES", "3")
    monkeypatch.setenv("DONDOC_NOTIFY_RETRY_DELAY", "0.5")
    get_settings.cache_clear()
    sleeps = []
    with make_dispatcher(engine, sleep=sleeps.append) as dispatcher:
        report = dispatcher.send(_reminder(), ["cv-vhxh"])
    assert not report.ok
    assert report.outcomes[0].attempts == 3 and "127.0.0.1" in report.outcomes[0].error
    assert sleeps == [0.5, 1.0]  # doubling backoff between the three attempts

    with read_session(engine) as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.id)).all()
        failed = list_deliveries(session, failed_only=True)
    assert [(r.outcome, r.attempt, r.final) for r in rows] == [("retry", 1, False), ("retry", 2, False),
                                                              ("failed", 3, True)]
    assert [f.id for f in failed] == [rows[-1].id]

    runner = CliRunner()
    listed = runner.invoke(app, ["deliveries", "--json"])  # the attempt log (--failed: the ledger's deliveries)
    assert listed.exit_code == 0, listed.output
    assert '"outcome": "failed"' in listed.output and "cv-vhxh" in listed.output

    # The server comes up on that port: resend reaches the person.
    server = LocalSMTP()
    server.port = port
    with server:
        monkeypatch.setenv("DONDOC_NOTIFY_RETRY_DELAY", "0")
        get_settings.cache_clear()
        result = runner.invoke(app, ["resend", str(rows[-1].id)])
        assert result.exit_code == 0, result.output
        assert "Đã gửi" in result.output
    assert len(server.received) == 1
    assert server.received[0].message["Subject"] == SUBJECT
    with read_session(engine) as session:
        assert list_deliveries(session, failed_only=True) == []  # the resend reached the person
        sent = session.scalars(select(Delivery).where(Delivery.outcome == "sent")).all()
    assert len(sent) == 1 and sent[0].message_id == rows[-1].message_id


def test_refused_recipient_is_permanent_and_not_retried(engine, smtp, monkeypatch):
    people = [{"id": "x", "name": "Người thử", "email": "x@ngoclien.example.vn", "channels": ["email"]}]
    write_config(get_settings().user_config_dir, people=people)

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such user"

    smtp._controller.handler.handle_RCPT = refuse
    report = send(_reminder(), ["x"], engine=engine)
    assert not report.ok and report.outcomes[0].attempts == 1
    assert "từ chối" in report.outcomes[0].error


def test_notify_test_command_sends_on_each_channel(engine, smtp):
    result = CliRunner().invoke(app, ["notify-test", "cv-vhxh"])
    assert result.exit_code == 0, result.output
    assert "qua kênh email" in result.output
    assert smtp.received[0].message["Subject"] == "[Đôn Đốc] Tin nhắn thử qua kênh email"
    unknown = CliRunner().invoke(app, ["notify-test", "khong-co"])
    assert unknown.exit_code == 2 and "khong-co" in unknown.output


def test_one_connection_serves_many_messages(engine, smtp):
    with make_dispatcher(engine) as dispatcher:
        for n in range(5):
            assert dispatcher.send(_reminder(key=f"k{n}"), ["cv-vhxh"]).ok
    assert len(smtp.received) == 5


def test_attachments_arrive_intact_beside_both_parts(engine, smtp, tmp_path):
    """Files travel as base64 parts of multipart/mixed; a Vietnamese file name survives (RFC 2231)."""
    import os

    from notifications.messages import report_ready

    docx = tmp_path / "bao-cao-cchc-xa-ngoc-lien-2026-q1.docx"
    docx.write_bytes(b"PK\x03\x04" + os.urandom(5000) + b"\r\n.\r\n\x00\xff")  # binary, with an SMTP end-of-data line
    named = tmp_path / "Phụ lục Quý I.xlsx"
    named.write_bytes(bytes(range(256)) * 3)
    message = report_ready(title="Báo cáo kết quả CCHC", period="Quý I/2026", as_of=date(2026, 3, 14),
                           link="https://dondoc.ngoclien.example.vn/l/t/reports/1", ledger_key="report:test")
    message.attachments = [str(docx), str(named)]
    with make_dispatcher(engine) as dispatcher:
        report = dispatcher.send(message, ["office:Phòng Văn hóa - Xã hội"], channels=("email",))
    assert report.ok and [o.channel for o in report.outcomes] == ["email"]  # email although Zalo comes first for him

    (received,) = smtp.received
    message = received.message
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().startswith("Báo cáo kết quả CCHC Quý I/2026 (số liệu đến")
    assert "<a href=" in message.get_body(("html",)).get_content()
    parts = list(message.iter_attachments())
    assert [(p.get_filename(), p.get_content_type(), p.get_content_disposition()) for p in parts] == [
        ("bao-cao-cchc-xa-ngoc-lien-2026-q1.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
        ("Phụ lục Quý I.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
    ]
    assert parts[0].get_content() == docx.read_bytes() and parts[1].get_content() == named.read_bytes()
    assert received.raw.isascii()  # 7-bit clean on the wire


def test_a_missing_attachment_is_bad_input(engine, smtp, tmp_path):
    from notifications.delivery import DeliveryError

    message = _reminder()
    message.attachments = [str(tmp_path / "khong-co.docx")]
    with pytest.raises(DeliveryError, match="tệp đính kèm"):
        send(message, ["office:Phòng Văn hóa - Xã hội"], engine=engine)
    assert smtp.received == []
