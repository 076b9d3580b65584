"""Zalo OA and ZNS against a local HTTP server speaking Zalo's documented endpoints and error codes."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from dondoc.storage.db import read_session
from dondoc.settings import get_settings
from conftest import dispatcher as make_dispatcher, send
from notifications.ledger import Delivery
from notifications.messages import escalation, reminder
from notifications.plugins.zalo import NotifyZalo
from notifications.zalo_api import TokenStore
from notifications.testing import ZNS_TEMPLATES, FakeZalo, LocalSMTP, free_port, sample_item, write_config

APP_ID, SECRET = "4321987654", "zalo-secret-key-XYZ"
ACCESS, REFRESH = "acc-initial-token-0001", "ref-initial-token-0001"
OA = "/v3.0/oa/message/cs"
ZNS = "/message/template"
OAUTH = "/v4/oa/access_token"


@pytest.fixture
def zalo(tmp_path, monkeypatch):
    write_config(tmp_path / "cfg", notifications=ZNS_TEMPLATES)
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("DONDOC_NOTIFY_RETRY_DELAY", "0")
    monkeypatch.setenv("DONDOC_ZALO_APP_ID", APP_ID)
    monkeypatch.setenv("DONDOC_ZALO_SECRET_KEY", SECRET)
    with FakeZalo(APP_ID, SECRET, ACCESS, REFRESH) as server, LocalSMTP() as mail:
        for name in ("OA", "ZNS", "OAUTH"):
            monkeypatch.setenv(f"DONDOC_ZALO_{name}_BASE_URL", server.url)
        monkeypatch.setenv("DONDOC_SMTP_URL", mail.url)
        get_settings.cache_clear()
        TokenStore(get_settings().zalo_token_path).write(ACCESS, REFRESH)
        server.mail = mail
        yield server


def _reminder(key="reminder:xa-ngoc-lien-2026-2030#15:2026-03-31:d-0"):
    return reminder(sample_item(), days_left=0, ledger_key=key, public_url="https://dondoc.example.vn")


def _rows(engine):
    with read_session(engine) as session:
        return [(r.channel, r.outcome) for r in session.scalars(select(Delivery).order_by(Delivery.id))]


def test_normal_oa_send_has_the_documented_shape(engine, zalo):
    report = send(_reminder(), ["truong-vhxh"], engine=engine)
    assert report.ok and report.outcomes[0].channel == "zalo"
    (call,) = zalo.calls(OA)
    assert call["headers"]["access_token"] == ACCESS
    assert call["headers"]["content-type"].startswith("application/json")
    assert set(call["json"]) == {"recipient", "message"}
    assert call["json"]["recipient"] == {"user_id": "2234567890"}
    text = call["json"]["message"]["text"]
    assert text.startswith("[Đôn Đốc] Mục 15 – Quý I/2026: đến hạn hôm nay (hạn 31/03/2026)")
    assert "https://dondoc.example.vn/items/xa-ngoc-lien-2026-2030/15" in text
    with read_session(engine) as session:
        row = session.scalars(select(Delivery)).one()
    assert (row.channel, row.outcome, row.address) == ("zalo", "sent", "2234567890")
    assert row.provider_message_id.startswith("oa-")
    assert zalo.calls(OAUTH) == [] and zalo.mail.received == []


def test_long_text_is_cut_within_zalo_limit_with_the_link(engine, zalo):
    item = sample_item(content="Nội dung rất dài " * 300)
    send(reminder(item, days_left=2, ledger_key="k", public_url="https://dondoc.example.vn"), ["truong-vhxh"],
         engine=engine)
    text = zalo.calls(OA)[0]["json"]["message"]["text"]
    assert len(text) <= 2000
    assert text.endswith("Xem đầy đủ: https://dondoc.example.vn/items/xa-ngoc-lien-2026-2030/15")


def test_expired_token_is_refreshed_once_and_rotated_on_disk(engine, zalo):
    zalo.state.expire_next = True
    report = send(_reminder(), ["truong-vhxh"], engine=engine)
    assert report.ok
    (refresh,) = zalo.calls(OAUTH)
    assert refresh["headers"]["secret_key"] == SECRET
    assert refresh["form"] == {"refresh_token": REFRESH, "app_id": APP_ID, "grant_type": "refresh_token"}
    first, second = zalo.calls(OA)
    assert first["headers"]["access_token"] == ACCESS
    assert second["headers"]["access_token"] == zalo.state.access_token != ACCESS
    stored = json.loads(get_settings().zalo_token_path.read_text())
    assert stored["access_token"] == zalo.state.access_token
    assert stored["refresh_token"] == zalo.state.refresh_token != REFRESH
    assert oct(get_settings().zalo_token_path.stat().st_mode & 0o777) == "0o600"
    # a later send uses the rotated token without refreshing again
    assert send(_reminder(key="k2"), ["truong-vhxh"], engine=engine).ok
    assert len(zalo.calls(OAUTH)) == 1


def test_refresh_is_not_repeated_when_it_fails(engine, zalo):
    zalo.state.expire_next = True
    zalo.state.refresh_token = "something-else"  # ours is no longer valid
    report = send(_reminder(), ["chu-tich"], engine=engine)  # zalo, then email
    assert report.ok and report.outcomes[0].channel == "email"
    assert len(zalo.calls(OAUTH)) == 1 and len(zalo.calls(OA)) == 1
    assert _rows(engine) == [("zalo", "failed"), ("email", "sent")]  # permanent: not retried


def test_concurrent_refreshes_use_the_single_use_token_once(zalo):
    store = TokenStore(get_settings().zalo_token_path)
    results, errors = [], []

    def refresh():
        try:
            results.append(store.refresh(ACCESS, oauth_base_url=zalo.url, app_id=APP_ID, secret_key=SECRET,
                                         timeout=5))
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(zalo.calls(OAUTH)) == 1
    assert {r.access_token for r in results} == {zalo.state.access_token}


def test_window_error_falls_back_to_zns_then_email(engine, zalo):
    zalo.state.outside_window.add("3334567890")
    report = send(_reminder(), ["pct"], engine=engine)
    assert report.ok and report.outcomes[0].channel == "zns"
    (zns,) = zalo.calls(ZNS)
    assert zns["headers"]["access_token"] == ACCESS
    assert zns["json"]["phone"] == "84912345678" and zns["json"]["template_id"] == "312345"
    assert zns["json"]["template_data"] == {
        "ten_nhiem_vu": "Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền giải quyết của xã",
        "han": "31/03/2026", "co_quan": "Phòng Văn hóa - Xã hội",
        "lien_ket": "https://dondoc.example.vn/items/xa-ngoc-lien-2026-2030/15"}
    assert zns["json"]["tracking_id"]
    assert _rows(engine) == [("zalo", "fallback"), ("zns", "sent")]

    # ZNS refused as well (no Zalo account for the phone): email is the last resort.
    zalo.state.no_account.add("84912345678")
    report = send(_reminder(key="k2"), ["pct"], engine=engine)
    assert report.ok and report.outcomes[0].channel == "email"
    assert _rows(engine)[2:] == [("zalo", "fallback"), ("zns", "fallback"), ("email", "sent")]
    assert zalo.mail.received[0].rcpt_tos == ["pct@ngoclien.example.vn"]


def test_no_account_falls_back_to_email(engine, zalo):
    people = [{"id": "x", "name": "Vũ Văn Hải", "email": "hai@ngoclien.example.vn", "phone": "0901234567",
               "channels": ["zns", "email"]}]
    write_config(get_settings().user_config_dir, people=people, notifications=ZNS_TEMPLATES)
    zalo.state.no_account.add("84901234567")
    report = send(_reminder(), ["x"], engine=engine)
    assert report.ok and report.outcomes[0].channel == "email"
    assert len(zalo.calls(ZNS)) == 1  # permanent: not retried
    assert _rows(engine) == [("zns", "fallback"), ("email", "sent")]
    with read_session(engine) as session:
        first = session.scalars(select(Delivery).order_by(Delivery.id)).first()
    assert "-118" in first.error


def test_kind_without_zns_template_skips_zns(engine, zalo):
    zalo.state.outside_window.add("3334567890")
    message = escalation(sample_item(), level=1, days_overdue=3, office="Phòng Văn hóa - Xã hội",
                         ledger_key="esc", public_url="https://dondoc.example.vn")
    write_config(get_settings().user_config_dir, notifications={"zns": {"templates": {}}})
    report = send(message, ["area:II"], engine=engine)
    assert report.ok and report.outcomes[0].channel == "email"
    assert zalo.calls(ZNS) == []


def test_rate_limit_backs_off_and_retries(engine, zalo):
    zalo.state.rate_limited = 2
    sleeps = []
    with make_dispatcher(engine, sleep=sleeps.append) as dispatcher:
        report = dispatcher.send(_reminder(), ["truong-vhxh"])
    assert report.ok and report.outcomes[0].attempts == 3
    assert _rows(engine) == [("zalo", "retry"), ("zalo", "retry"), ("zalo", "sent")]
    assert len(sleeps) == 2


# -- the plugin on its own: URL table, connection failures ---------------------------------

URLS = [
    ("zalo://123/secret/456", NotifyZalo, "zalo://123/****/456"),
    ("zalo://123/secret/456/789", NotifyZalo, "zalo://123/****/456/789"),
    ("zalo://123/secret", TypeError, None),  # no user_id
    ("zalo://123/secret/not-a-number", TypeError, None),
    ("zalo://bad id!/secret/456", TypeError, None),
]


@pytest.mark.parametrize(("url", "expected", "private"), URLS)
def test_zalo_url_table(url, expected, private):
    arguments = NotifyZalo.parse_url(url)
    if expected is TypeError:
        with pytest.raises(TypeError):
            if not arguments:
                raise TypeError
            NotifyZalo(**arguments)
        return
    service = NotifyZalo(**arguments)
    assert service.url(privacy=True).startswith(private)
    assert "secret" not in service.url(privacy=True)
    again = NotifyZalo(**NotifyZalo.parse_url(service.url()))
    assert again.url() == service.url()


def test_apprise_knows_the_custom_schemas():
    import apprise

    import notifications.plugins

    notifications.plugins.register()
    bundle = apprise.Apprise()
    assert bundle.add("zalo://123/secret/456")
    assert bundle.add("zns://123/secret/0912345678?template=99")
    assert bundle.add("smtp://127.0.0.1:25/a@example.vn?security=none")


def test_send_never_raises_when_the_server_is_down(monkeypatch, tmp_path):
    monkeypatch.setenv("DONDOC_ZALO_OA_BASE_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("DONDOC_NOTIFY_TIMEOUT", "2")
    get_settings.cache_clear()
    TokenStore(get_settings().zalo_token_path).write(ACCESS, REFRESH)
    service = NotifyZalo(**NotifyZalo.parse_url("zalo://123/secret/456"))
    assert service.send("Xin chào") is False
    assert service.last_result.transient and "kết nối" in service.last_result.error


def test_missing_token_store_is_a_clear_failure(monkeypatch):
    service = NotifyZalo(**NotifyZalo.parse_url("zalo://123/secret/456"))
    assert service.send("Xin chào") is False
    assert "dondoc zalo-tokens" in service.last_result.error


# -- the delivery guarantee on Zalo ---------------------------------------------------------------

def _ledgered(engine, at_minute=0, key="nudge:zalo-guarantee"):
    """One message to the head of Phòng Văn hóa - Xã hội (zalo, zns, email) through the ledger."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from conftest import build_app
    from dondoc.usecases.sending import Outgoing, send_once

    app = build_app()
    out = Outgoing(key, "nudge", ["office:Phòng Văn hóa - Xã hội"],
                   lambda k: reminder(sample_item(), days_left=0, ledger_key=k, public_url="https://x.vn"))
    return send_once(app, datetime(2026, 3, 16, 8, at_minute, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), [out])


def test_zalo_slower_than_the_timeout_is_posted_once_then_the_next_channel_later(engine, zalo, monkeypatch):
    monkeypatch.setenv("DONDOC_NOTIFY_TIMEOUT", "1")
    get_settings.cache_clear()
    zalo.state.delay = 2  # takes the message, answers after the timeout
    first = _ledgered(engine)
    assert (first.sent, first.failed) == (0, 1)
    assert len(zalo.calls(OA)) == 1 and zalo.calls(ZNS) == [] and zalo.mail.received == []  # never re-posted
    assert _ledgered(engine, 1).redelivered == 0  # not due again yet
    zalo.state.delay = 0
    later = _ledgered(engine, 10)
    assert later.redelivered == 1
    # the OA may have delivered it: never posted there again; ZNS carries the stable delivery key
    assert len(zalo.calls(OA)) == 1
    (zns,) = zalo.calls(ZNS)
    from dondoc.storage.ledger import delivery_key

    assert zns["json"]["tracking_id"] == delivery_key("nudge:zalo-guarantee", "truong-vhxh")


def test_a_refresh_answer_lost_after_rotation_keeps_the_new_pair(engine, zalo, monkeypatch):
    monkeypatch.setenv("DONDOC_NOTIFY_TIMEOUT", "1")
    get_settings.cache_clear()
    zalo.state.expire_next = True
    zalo.state.refresh_delay = 2  # rotates the pair, then answers after the timeout
    result = _ledgered(engine)
    assert result.sent == 1 and len(zalo.calls(OA)) == 2  # the expired try, then with the new token
    refreshes = zalo.calls(OAUTH)
    assert len(refreshes) == 2 and {r["form"]["refresh_token"] for r in refreshes} == {REFRESH}
    stored = TokenStore(get_settings().zalo_token_path).read()
    assert (stored.access_token, stored.refresh_token) == (zalo.state.access_token, zalo.state.refresh_token)
    assert not stored.rejected
