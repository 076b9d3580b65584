"""What every page shares for safety.

- **Anti-forgery.** A page that shows a form sets a random ``dondoc_csrf`` cookie
  (SameSite=Strict, HttpOnly) and puts ``HMAC(key, link + cookie)`` in a hidden
  field; a POST must carry both, matching in constant time, and an ``Origin``
  header, when the browser sends one, must be this site's.
- **Headers.** No referrer (a secret link never leaks to another site), no
  framing, no sniffing, a Content-Security-Policy without inline scripts, and
  ``no-store`` for pages.
- **Size.** A request body larger than the upload limit plus room for the other
  fields is refused with 413 before it is read.
- **Access log.** One line per request with the token replaced by ``…``.

>>> redact_path("/o/AbC_123-xyz/items/4")
'/o/…/items/4'
>>> redact_path("/feeds/AbC_123.ics")
'/feeds/….ics'
>>> redact_path("/static/style.css")
'/static/style.css'
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


CSRF_COOKIE = "dondoc_csrf"
CSRF_FIELD = "csrf"
FORM_OVERHEAD_BYTES = 256 * 1024

access_log = logging.getLogger("dondoc.web.access")

_TOKEN_PATH = re.compile(r"^/(o|l|s)/[^/]+")
_FEED_PATH = re.compile(r"^/feeds/[^/]+?(\.ics)?$")


def redact_path(path: str) -> str:
    path = _TOKEN_PATH.sub(lambda m: f"/{m.group(1)}/…", path)
    return _FEED_PATH.sub(lambda m: f"/feeds/…{m.group(1) or ''}", path)


def _mac(key: bytes, link_digest: str, nonce: str) -> str:
    return hmac.new(key, f"{link_digest}:{nonce}".encode(), hashlib.sha256).hexdigest()


def csrf_nonce(request: Request) -> str:
    """The request's anti-forgery cookie value (a new one when absent; :func:`set_csrf_cookie` stores it)."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", nonce):
        nonce = getattr(request.state, "csrf_nonce", None) or secrets.token_urlsafe(24)
    request.state.csrf_nonce = nonce
    return nonce


def csrf_token(request: Request, link_digest: str) -> str:
    """The hidden-field value for forms on a page opened through the link with this token digest."""
    return _mac(request.app.state.secret_key, link_digest, csrf_nonce(request))


def set_csrf_cookie(request: Request, response) -> None:
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce and request.cookies.get(CSRF_COOKIE) != nonce:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")


def check_csrf(request: Request, link_digest: str, submitted: str | None) -> None:
    """Raise 403 unless the POST carries this site's origin and a matching anti-forgery token."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        allowed = {f"{request.url.scheme}://{request.url.netloc}"}
        public = urlsplit(request.app.state.dondoc.settings.public_url)
        allowed.add(f"{public.scheme}://{public.netloc}")
        if origin.rstrip("/") not in allowed:
            raise HTTPException(403, "Yêu cầu đến từ trang khác bị từ chối (cross-site request refused).")
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not nonce or not submitted or len(submitted) > 128:
        raise HTTPException(403, "Phiên làm việc đã hết hạn, vui lòng tải lại trang rồi gửi lại.")
    expected = _mac(request.app.state.secret_key, link_digest, nonce)
    if not hmac.compare_digest(expected, submitted):
        raise HTTPException(403, "Phiên làm việc đã hết hạn, vui lòng tải lại trang rồi gửi lại.")


SECURITY_HEADERS = [
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
]


class GuardMiddleware:
    """Security headers, the request size limit and the redacted access log, for every request."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _too_large(send)
            self._log(scope, 413, started)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            await _too_large(send)
            status["code"] = 413
        finally:
            self._log(scope, status["code"], started)

    @staticmethod
    def _log(scope: Scope, code: int, started: float) -> None:
        access_log.info("%s %s %d %.0fms", scope.get("method"), redact_path(scope.get("path", "")),
                        code, (time.perf_counter() - started) * 1000)


class BodyTooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = "Tệp hoặc nội dung gửi lên quá lớn (request too large).".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})
