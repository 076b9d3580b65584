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


@pytest.mark.parametrize("module", [notifications.messages, dondoc.configuration.people, notifications.plugins.common,
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
