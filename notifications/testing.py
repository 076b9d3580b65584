"""Local stand-ins for the outside world, for tests and benchmarks: never the internet.

- :class:`LocalSMTP`: a real SMTP server (aiosmtpd, a test dependency) on a free
  localhost port, keeping every message it receives;
- :class:`FakeZalo`: an HTTP server (``http.server`` in a thread) speaking the
  documented Zalo endpoints: OA message, ZNS template, OAuth refresh, with their
  request shapes and error codes; refresh tokens are single-use, as on Zalo.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=default_policy)


class LocalSMTP:
    """``with LocalSMTP() as server: ...``; ``server.url`` is an ``smtp://`` URL for DONDOC_SMTP_URL."""

    def __init__(self, *, user: str | None = None, password: str | None = None, keep: bool = True,
                 delay: float = 0.0, port: int | None = None):
        self.port = port or free_port()
        self.user, self.password, self.keep = user, password, keep
        self.delay = delay  # seconds before answering DATA (after taking the message)
        self.received: list[Received] = []
        self.count = 0
        self._controller = None

    @property
    def url(self) -> str:
        auth = f"{self.user}:{self.password}@" if self.user else ""
        return f"smtp://{auth}127.0.0.1:{self.port}?security=none"

    def start(self) -> "LocalSMTP":
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                server.count += 1
                if server.keep:
                    server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
                if server.delay:
                    await asyncio.sleep(server.delay)
                return "250 Message accepted"

        def authenticator(_server, _session, _envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user \
                and auth_data.password.decode() == self.password
            return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself

        kwargs = {"authenticator": authenticator, "auth_require_tls": False} if self.user else {}
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@dataclass
class ZaloState:
    app_id: str
    secret_key: str
    access_token: str
    refresh_token: str
    outside_window: set[str] = field(default_factory=set)  # OA user_ids outside the interaction window
    no_account: set[str] = field(default_factory=set)  # phones without a Zalo account
    rate_limited: int = 0  # the next N message calls answer -32
    expire_next: bool = False  # the current access token is expired
    requests: list[dict] = field(default_factory=list)
    used_refresh_tokens: set[str] = field(default_factory=set)
    delay: float = 0.0  # seconds before answering a message (after taking it)
    refresh_delay: float = 0.0  # seconds before answering a refresh (after rotating the pair)
    reuse_window: float = 60.0  # a refresh token posted again within it gets the pair it was given
    issued: dict[str, tuple[float, dict]] = field(default_factory=dict)  # refresh token -> (when, answer)


class FakeZalo:
    """``with FakeZalo(app_id, secret, access, refresh) as zalo: zalo.url`` is the base of all three APIs."""

    def __init__(self, app_id: str, secret_key: str, access_token: str, refresh_token: str):
        self.state = ZaloState(app_id, secret_key, access_token, refresh_token)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def calls(self, path: str) -> list[dict]:
        return [r for r in self.state.requests if r["path"] == path]

    def start(self) -> "FakeZalo":
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean (and token-free)
                pass

            def _reply(self, body: dict, status: int = 200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}
                if self.path == "/v4/oa/access_token":
                    record["form"] = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    state.requests.append(record)
                    return self._reply(self._refresh(record))
                try:
                    record["json"] = json.loads(raw)
                except ValueError:
                    state.requests.append(record)
                    return self._reply({"error": -201, "message": "Body is not JSON"})
                state.requests.append(record)
                if record["headers"].get("access_token") != state.access_token:
                    return self._reply({"error": -216, "message": "Access token is invalid"})
                if state.expire_next:
                    return self._reply({"error": -220, "message": "Access token has expired"})
                if state.rate_limited > 0:
                    state.rate_limited -= 1
                    return self._reply({"error": -32, "message": "Exceed rate limit"})
                if self.path == "/v3.0/oa/message/cs":
                    answer = self._oa(record["json"])
                    time.sleep(state.delay)
                    return self._reply(answer)
                if self.path == "/message/template":
                    answer = self._zns(record["json"])
                    time.sleep(state.delay)
                    return self._reply(answer)
                self._reply({"error": -404, "message": "Not found"}, 404)

            def _refresh(self, record):
                form = record["form"]
                if record["headers"].get("secret_key") != state.secret_key or form.get("app_id") != state.app_id:
                    return {"error": -14002, "error_description": "Invalid app or secret"}
                if form.get("grant_type") != "refresh_token":
                    return {"error": -14001, "error_description": "Invalid grant_type"}
                token = form.get("refresh_token")
                given = state.issued.get(token)
                if given is not None and time.monotonic() - given[0] <= state.reuse_window:
                    return given[1]  # the same refresh token again, soon: the pair it was given
                if token in state.used_refresh_tokens or token != state.refresh_token:
                    return {"error": -14014, "error_description": "Refresh token is invalid"}
                state.used_refresh_tokens.add(token)
                state.access_token = "acc-" + uuid.uuid4().hex
                state.refresh_token = "ref-" + uuid.uuid4().hex
                state.expire_next = False
                answer = {"access_token": state.access_token, "refresh_token": state.refresh_token,
                          "expires_in": "90000"}
                state.issued[token] = (time.monotonic(), answer)
                time.sleep(state.refresh_delay)
                return answer

            def _oa(self, body):
                user_id = (body.get("recipient") or {}).get("user_id")
                text = (body.get("message") or {}).get("text")
                if not user_id or not text:
                    return {"error": -201, "message": "Parameters are invalid"}
                if len(text) > 2000:
                    return {"error": -201, "message": "Text is too long"}
                if user_id in state.outside_window:
                    return {"error": -230, "message": "User has not interacted with the OA in the past 7 days"}
                return {"data": {"message_id": "oa-" + uuid.uuid4().hex[:12], "user_id": user_id},
                        "error": 0, "message": "Success"}

            def _zns(self, body):
                if not all(body.get(k) for k in ("phone", "template_id", "template_data", "tracking_id")):
                    return {"error": -201, "message": "Parameters are invalid"}
                if body["phone"] in state.no_account:
                    return {"error": -118, "message": "Zalo account not existed"}
                return {"error": 0, "message": "Success",
                        "data": {"msg_id": "zns-" + uuid.uuid4().hex[:12], "sent_time": "1700000000000"}}

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


PEOPLE = [
    {"id": "truong-vhxh", "name": "Trần Văn Cường", "role": "Trưởng phòng", "office": "Phòng Văn hóa - Xã hội",
     "head": True, "email": "vhxh@ngoclien.example.vn", "zalo_user_id": "2234567890", "phone": "0987654321"},
    {"id": "cv-vhxh", "name": "Phạm Thị Dung", "office": "Phòng Văn hóa - Xã hội",
     "email": "dung@ngoclien.example.vn", "channels": ["email"]},
    {"id": "truong-kt", "name": "Hoàng Văn Em", "office": "Phòng Kinh tế", "head": True,
     "email": "kinhte@ngoclien.example.vn", "channels": ["email"]},
    {"id": "truong-vp", "name": "Đỗ Thị Giang", "office": "Văn phòng HĐND và UBND", "head": True,
     "email": "vanphong@ngoclien.example.vn", "channels": ["email"]},
    {"id": "chu-tich", "name": "Nguyễn Văn An", "role": "Chủ tịch UBND xã", "tags": ["leadership"],
     "email": "chutich@ngoclien.example.vn", "zalo_user_id": "1234567890", "channels": ["zalo", "email"]},
    {"id": "pct", "name": "Lê Thị Bình", "role": "Phó Chủ tịch UBND xã", "tags": ["leadership"], "areas": ["II"],
     "email": "pct@ngoclien.example.vn", "phone": "0912345678", "zalo_user_id": "3334567890"},
]

ZNS_TEMPLATES = {
    "zns": {"templates": {
        "reminder": {"template_id": "312345", "data": {
            "ten_nhiem_vu": "{{ item.content }}", "han": "{{ item.due | ngay }}",
            "co_quan": "{{ item.lead_offices | join(', ') }}", "lien_ket": "{{ link }}"}},
        "escalation": {"template_id": "312346", "data": {
            "ten_nhiem_vu": "{{ item.content }}", "so_ngay": "{{ days_overdue }}"}},
    }},
}


def write_config(folder, people=None, notifications=None) -> None:
    """people.yaml (and notifications.yaml) in a user config folder."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "people.yaml").write_text(
        yaml.safe_dump({"people": PEOPLE if people is None else people}, allow_unicode=True), encoding="utf-8")
    if notifications is not None:
        (folder / "notifications.yaml").write_text(yaml.safe_dump(notifications, allow_unicode=True),
                                                   encoding="utf-8")


def sample_item(**overrides):
    from datetime import date

    from notifications.messages import ItemRef

    values = dict(plan="xa-ngoc-lien-2026-2030", number="15",
                  content="Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền giải quyết của xã",
                  due=date(2026, 3, 31), lead_offices=["Phòng Văn hóa - Xã hội"],
                  cooperating_offices=["Phòng Kinh tế", "Văn phòng HĐND và UBND"], area="II")
    values.update(overrides)
    return ItemRef(**values)
