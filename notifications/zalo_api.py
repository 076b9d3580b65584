"""The Zalo API as documented publicly: token store, token refresh and one POST with its error codes.

Tokens live in ``<DONDOC_HOME>/secrets/zalo_tokens.json`` (mode 0600). A refresh
token is single-use: the refresh runs under an exclusive file lock, and the new
access/refresh pair is written atomically (temporary file + ``os.replace``)
*before* the new access token is used, so a crash can never lose the only valid
refresh token. A process that waited for the lock sees that the token already
changed and uses the new one instead of refreshing again.

A refresh that fails for a passing reason (no connection, a server error, no answer
in time) is tried again, with its own timeout, and never reported as a bad token.
When the answer is lost after Zalo may have rotated the pair, the same refresh token
is posted again: an OAuth server answers a repeated refresh within its reuse window
with the pair it issued, so the pair is not lost. A refresh token Zalo rejects is
marked in the store, so that later messages do not post it again until
``dondoc zalo-tokens`` stores a new pair.

A message whose request reached Zalo but whose answer was lost (a read timeout) is
*unknown*: it may have been delivered, and it is not posted again by this run.

Error codes (as Zalo documents them): ``-216``/``-220`` invalid or expired token: refresh once
and retry; ``-32`` rate limit: transient; ``-230``/``-232`` outside the
interaction window, ``-118`` no Zalo account and ``-211``/``-218`` quota:
permanent for this message, the caller falls back to the next channel.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

log = logging.getLogger("dondoc.notifications.zalo")

TOKEN_ERRORS = {-216, -220}
RATE_LIMIT = {-32}
QUOTA = {-211, -218}
OUTSIDE_WINDOW = {-230, -232}
NO_ACCOUNT = {-118}


class TokenStoreError(RuntimeError):
    """No usable token: the message says what to run (``transient``: try again later, nothing to run)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    updated_at: float = 0.0
    rejected: bool = False  # Zalo refused this refresh token: store a new pair

REJECTED = ("Zalo từ chối làm mới token (mã {code}): chạy lại «dondoc zalo-tokens» với cặp token mới "
            "lấy từ trang quản lý ứng dụng Zalo.")
REFRESH_ATTEMPTS = 3


class TokenStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def read(self) -> Tokens:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Tokens(data["access_token"], data["refresh_token"], float(data.get("updated_at", 0)),
                          bool(data.get("rejected", False)))
        except FileNotFoundError:
            raise TokenStoreError(
                f"Chưa có token Zalo trong {self.path}: chạy «dondoc zalo-tokens» để lưu token OA."
            ) from None
        except (ValueError, KeyError, TypeError):
            raise TokenStoreError(f"Tệp token Zalo {self.path} hỏng: chạy lại «dondoc zalo-tokens».") from None

    def write(self, access_token: str, refresh_token: str, *, rejected: bool = False) -> Tokens:
        """Atomic replace: the file holds either the old pair or the new one, never half of each."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tokens = Tokens(access_token, refresh_token, time.time(), rejected)
        fd, tmp = tempfile.mkstemp(prefix=".zalo_tokens.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(tokens.__dict__, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return tokens

    @contextmanager
    def locked(self):
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def refresh(self, failed_access_token: str, *, oauth_base_url: str, app_id: str, secret_key: str,
                timeout: float, sleep=time.sleep) -> Tokens:
        """Rotate the pair once; returns the current tokens (new, or already rotated by another process)."""
        with self.locked():
            current = self.read()
            if current.access_token != failed_access_token:
                return current  # someone else refreshed while we waited
            if current.rejected:
                raise TokenStoreError(REJECTED.format(code="đã ghi nhận trước đó"))
            problem = "không rõ"
            for attempt in range(REFRESH_ATTEMPTS):
                if attempt:
                    sleep(min(2.0 * attempt, timeout))
                try:
                    response = requests.post(
                        f"{oauth_base_url.rstrip('/')}/v4/oa/access_token",
                        data={"refresh_token": current.refresh_token, "app_id": app_id,
                              "grant_type": "refresh_token"},
                        headers={"secret_key": secret_key},
                        timeout=(timeout, timeout),
                    )
                except requests.ReadTimeout:
                    problem = f"không trả lời trong {timeout:g} giây"  # it may have rotated: ask again, same token
                    continue
                except requests.RequestException as exc:
                    problem = f"lỗi kết nối {type(exc).__name__}"
                    continue
                if response.status_code >= 500 or response.status_code == 429:
                    problem = f"HTTP {response.status_code}"
                    continue
                try:
                    body = response.json()
                except ValueError:
                    problem = f"HTTP {response.status_code}, không phải JSON"
                    continue
                if body.get("access_token") and body.get("refresh_token"):
                    tokens = self.write(body["access_token"], body["refresh_token"])
                    log.info("Zalo access token refreshed; new pair stored in %s", self.path)
                    return tokens
                self.write(current.access_token, current.refresh_token, rejected=True)
                raise TokenStoreError(REJECTED.format(code=body.get("error", response.status_code)))
            raise TokenStoreError(f"Chưa làm mới được token Zalo ({problem}); sẽ thử lại ở lượt gửi sau.",
                                  transient=True)


@dataclass
class ApiResult:
    ok: bool
    code: int | None = None  # Zalo error code, HTTP status when no JSON
    message_id: str | None = None
    error: str | None = None
    transient: bool = False
    unknown: bool = False  # the request reached Zalo, the answer was lost
    unreachable: bool = False  # Zalo could not be reached at all


def post_with_token(store: TokenStore, url: str, payload: dict, *, oauth_base_url: str, app_id: str,
                    secret_key: str, timeout: float) -> ApiResult:
    """POST ``payload`` with the stored access token; on -216/-220 refresh once and retry. Never raises."""
    try:
        tokens = store.read()
    except TokenStoreError as exc:
        return ApiResult(False, error=str(exc))
    refreshed = False
    while True:
        result = _post(url, payload, tokens.access_token, timeout)
        if result.code in TOKEN_ERRORS and not refreshed:
            refreshed = True
            try:
                tokens = store.refresh(tokens.access_token, oauth_base_url=oauth_base_url, app_id=app_id,
                                       secret_key=secret_key, timeout=timeout)
            except TokenStoreError as exc:
                return ApiResult(False, code=result.code, error=str(exc), transient=exc.transient)
            continue
        return result


def _post(url: str, payload: dict, access_token: str, timeout: float) -> ApiResult:
    try:
        response = requests.post(
            url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"access_token": access_token, "Content-Type": "application/json; charset=utf-8"},
            timeout=(timeout, timeout),
        )
    except requests.ReadTimeout:
        return ApiResult(False, error=f"Zalo không trả lời trong {timeout:g} giây sau khi nhận tin: có thể đã gửi",
                         unknown=True)
    except requests.ConnectTimeout:
        return ApiResult(False, error=f"Không kết nối được tới Zalo trong {timeout:g} giây", transient=True,
                         unreachable=True)
    except requests.ConnectionError as exc:
        if "NewConnectionError" in repr(exc) or "Failed to establish" in repr(exc):
            return ApiResult(False, error="Không kết nối được tới Zalo (connection refused)", transient=True,
                             unreachable=True)
        return ApiResult(False, error=f"Zalo ngắt kết nối sau khi nhận tin ({type(exc).__name__}): có thể đã gửi",
                         unknown=True)
    except requests.RequestException as exc:
        return ApiResult(False, error=f"Lỗi kết nối tới Zalo ({type(exc).__name__})", transient=True)
    try:
        body = response.json()
    except ValueError:
        return ApiResult(False, code=response.status_code, error=f"Zalo trả về HTTP {response.status_code}",
                         transient=response.status_code >= 500 or response.status_code == 429)
    code = int(body.get("error", 0) or 0)
    if code == 0 and response.ok:
        data = body.get("data") or {}
        return ApiResult(True, code=0, message_id=str(data.get("message_id") or data.get("msg_id") or "") or None)
    message = str(body.get("message", ""))[:200]
    return ApiResult(False, code=code or response.status_code, error=f"Zalo lỗi {code}: {message}",
                     transient=code in RATE_LIMIT or response.status_code >= 500)
