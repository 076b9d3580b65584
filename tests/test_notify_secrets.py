"""No token, secret key or password in any log line, stdout, stderr, delivery row or outbox file."""

from __future__ import annotations

import logging

from sqlalchemy import select

from dondoc.storage.db import read_session
from dondoc.settings import get_settings
from conftest import dispatcher as make_dispatcher
from notifications.ledger import Delivery, NotificationMessage
from notifications.messages import reminder
from notifications.plugins.email import NotifySMTP
from notifications.plugins.zalo import NotifyZalo
from notifications.testing import ZNS_TEMPLATES, FakeZalo, LocalSMTP, free_port, sample_item, write_config
from notifications.zalo_api import TokenStore

APP_ID, SECRET = "4321987654", "SeCrEt-KeY-7f3a9c"
ACCESS, REFRESH = "ACCESS-TOKEN-5b1e0d", "REFRESH-TOKEN-9c2f4a"
SMTP_USER, SMTP_PASSWORD = "dondoc", "MaT-KhAu-8e7d6c"


def test_sends_leak_no_secret(engine, tmp_path, monkeypatch, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    write_config(tmp_path / "cfg", notifications=ZNS_TEMPLATES)
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("DONDOC_NOTIFY_RETRY_DELAY", "0")
    monkeypatch.setenv("DONDOC_ZALO_APP_ID", APP_ID)
    monkeypatch.setenv("DONDOC_ZALO_SECRET_KEY", SECRET)
    item = sample_item()
    with FakeZalo(APP_ID, SECRET, ACCESS, REFRESH) as zalo, \
            LocalSMTP(user=SMTP_USER, password=SMTP_PASSWORD) as mail:
        for name in ("OA", "ZNS", "OAUTH"):
            monkeypatch.setenv(f"DONDOC_ZALO_{name}_BASE_URL", zalo.url)
        monkeypatch.setenv("DONDOC_SMTP_URL", mail.url)
        get_settings.cache_clear()
        TokenStore(get_settings().zalo_token_path).write(ACCESS, REFRESH)
        zalo.state.expire_next = True  # forces a refresh: new tokens appear too
        zalo.state.outside_window.add("3334567890")
        zalo.state.no_account.add("84912345678")
        with make_dispatcher(engine) as dispatcher:
            for n, who in enumerate(["truong-vhxh", "pct", "truong-kt"]):
                message = reminder(item, days_left=1, ledger_key=f"k{n}", public_url="https://x.example.vn")
                assert dispatcher.send(message, [who], cc=["office:Phòng Kinh tế"]).ok
        assert len(mail.received) == 2
        # failures too: a wrong password, a server that is down, Zalo down
        monkeypatch.setenv("DONDOC_SMTP_URL", f"smtp://{SMTP_USER}:wrong-{SMTP_PASSWORD}@127.0.0.1:{mail.port}"
                                              "?security=none")
        get_settings.cache_clear()
        with make_dispatcher(engine) as dispatcher:
            assert not dispatcher.send(reminder(item, days_left=1, ledger_key="bad", public_url="x"), ["truong-kt"]).ok
        new_access, new_refresh = zalo.state.access_token, zalo.state.refresh_token
    down = NotifySMTP(**NotifySMTP.parse_url(f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{free_port()}/a@b.vn"
                                             "?security=none"))
    assert down.send("x", "y") is False
    zalo_down = NotifyZalo(**NotifyZalo.parse_url(f"zalo://{APP_ID}/{SECRET}/123"))
    assert zalo_down.send("x") is False
    for service in (down, zalo_down):
        assert SMTP_PASSWORD not in service.url(privacy=True) and SECRET not in service.url(privacy=True)

    from typer.testing import CliRunner

    from dondoc.cli import app

    monkeypatch.setenv("DONDOC_SMTP_URL", mail.url)
    get_settings.cache_clear()
    shown = CliRunner().invoke(app, ["settings"])
    assert shown.exit_code == 0 and "Thiết lập" in shown.output
    print(shown.output)
    out, err = capfd.readouterr()
    with read_session(engine) as session:
        stored = [repr(r.__dict__) for r in session.scalars(select(Delivery))]
        stored += [repr(r.__dict__) for r in session.scalars(select(NotificationMessage))]
    outbox = get_settings().outbox_path
    files = [p.read_text(errors="replace") for p in outbox.glob("*")] if outbox.exists() else []
    haystacks = {"logs": caplog.text, "stdout": out, "stderr": err, "database": "\n".join(stored),
                 "outbox": "\n".join(files)}
    assert caplog.text  # the sends did log
    for secret in (SECRET, ACCESS, REFRESH, new_access, new_refresh, SMTP_PASSWORD):
        for where, text in haystacks.items():
            assert secret not in text, f"a secret leaked into {where}"
