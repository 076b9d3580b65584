"""What every Đôn Đốc channel reports after a send, beside Apprise's bool."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SendResult:
    ok: bool
    message_id: str | None = None
    error: str | None = None
    code: int | None = None  # provider error code (Zalo), SMTP reply code
    transient: bool = False  # worth retrying on the same channel
    fallback: bool = False  # permanent refusal: try the next channel at once


def mask(value: str | None) -> str:
    """A secret as shown in logs and URLs: its first two characters and stars.

    >>> mask("abcdef123")
    'ab****'
    """
    return (value[:2] + "****") if value else ""


class ZaloPost:
    """What the Zalo OA and ZNS services share: a token-authenticated POST and its outcome.

    Mixed into the Apprise services (not a ``Notify*`` class, so Apprise does not list it).
    """

    def post_zalo(self, url: str, payload: dict, what: str) -> bool:
        from notifications.zalo_api import NO_ACCOUNT, OUTSIDE_WINDOW, QUOTA, post_with_token

        result = post_with_token(
            self.token_store, url, payload,
            oauth_base_url=self.oauth_base_url, app_id=self.zalo_app_id, secret_key=self.secret_key,
            timeout=self.api_timeout,
        )
        self.last_result = SendResult(
            result.ok, result.message_id, result.error, result.code, result.transient,
            fallback=result.code in OUTSIDE_WINDOW | NO_ACCOUNT | QUOTA,
        )
        if result.ok:
            self.logger.info("Sent %s.", what)
        else:
            self.logger.warning("Failed to send %s: %s", what, result.error)
        return result.ok

