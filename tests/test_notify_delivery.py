"""The delivery core: batches, any Apprise service from config, the log writer's failures."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import create_engine, func, select

from dondoc.storage.db import read_session
from dondoc.settings import get_settings
from conftest import dispatcher as make_dispatcher
from notifications.delivery import LogWriteError
from notifications.ledger import Delivery, NotificationMessage
from notifications.logwriter import LogWriter, StoredMessage
from notifications.messages import reminder
from notifications.testing import LocalSMTP, sample_item, write_config


@pytest.fixture
def configured(tmp_path, monkeypatch):
    write_config(tmp_path / "cfg")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("DONDOC_NOTIFY_RETRY_DELAY", "0")
    get_settings.cache_clear()
    return tmp_path / "cfg"


@pytest.mark.parametrize("workers", [1, 3])
def test_send_many_logs_every_message(engine, configured, monkeypatch, workers):
    with LocalSMTP() as server:
        monkeypatch.setenv("DONDOC_SMTP_URL", server.url)
        get_settings.cache_clear()
        jobs = [(reminder(sample_item(number=str(n)), days_left=1, ledger_key=f"k{n}", public_url="http://x"),
                 ["office:Phòng Văn hóa - Xã hội"], ["office:Phòng Kinh tế"]) for n in range(12)]
        with make_dispatcher(engine) as dispatcher:
            reports = dispatcher.send_many(jobs, workers=workers)
    assert all(r.ok for r in reports) and len(server.received) == 12
    assert len({r.message_id for r in reports}) == 12 and None not in {r.message_id for r in reports}
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 12
        keys = session.scalars(select(NotificationMessage.ledger_key)).all()
    assert sorted(keys) == sorted(f"k{n}" for n in range(12))
    subjects = sorted(r.message["Subject"] for r in server.received)
    assert subjects[0].startswith("[Đôn Đốc] Mục 0 – ")


def test_any_apprise_service_from_config(engine, configured):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        people = [{"id": "ops", "name": "Tổ trực", "tags": ["leadership"], "channels": ["apprise"],
                   "apprise": [f"json://127.0.0.1:{http.server_address[1]}/hook"]}]
        write_config(configured, people=people)
        with make_dispatcher(engine) as dispatcher:
            report = dispatcher.send(reminder(sample_item(), days_left=0, ledger_key="k", public_url="http://x"),
                                     ["tag:leadership"])
    finally:
        http.shutdown()
    assert report.ok and report.outcomes[0].channel == "apprise"
    assert received[0]["title"].startswith("[Đôn Đốc] Mục 15 – ") and "ngày 31 tháng 3 năm 2026" in received[0]["message"]


def test_log_writer_failure_is_raised_not_swallowed(tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables
    writer = LogWriter(broken)
    writer.store_message(StoredMessage(None, dict(ledger_key="k", kind="reminder", subject="s", data={},
                                                  recipients=[], cc=[])))
    with pytest.raises(LogWriteError, match="nhật ký"):
        writer.flush()
    with pytest.raises(LogWriteError):
        writer.close()
    broken.dispose()
