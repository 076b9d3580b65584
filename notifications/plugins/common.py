"""What every Đôn Đốc channel reports after a send, beside Apprise's bool."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class SendResult:
    ok: bool
    message_id: str | None = None
    error: str | None = None
    code: int | None = None  # provider error code (Zalo), SMTP reply code
    transient: bool = False  # worth retrying on the same channel
    fallback: bool = False  # permanent refusal: try the next channel at once
    unknown: bool = False  # the server may have taken it (the answer was lost): never sent again in this run
    channel_down: bool = False  # the server could not be reached at all (refused, silent, unreachable)


def mask(value: str | None) -> str:
    """A secret as shown in logs and URLs: its first two characters and stars.

    >>> mask("abcdef123")
    'ab****'
    """
    return (value[:2] + "****") if value else ""


@dataclass(frozen=True)
class ZaloEndpoints:
    """Where the Zalo services post and keep their tokens (from the settings)."""

    oa_base_url: str
    zns_base_url: str
    oauth_base_url: str
    timeout: float
    token_path: Path

    @classmethod
    def from_settings(cls, settings) -> ZaloEndpoints:
        return cls(settings.zalo_oa_base_url.rstrip("/"), settings.zalo_zns_base_url.rstrip("/"),
                   settings.zalo_oauth_base_url, settings.notify_timeout, settings.zalo_token_path)

    @classmethod
    def configured(cls, endpoints: ZaloEndpoints | None) -> ZaloEndpoints:
        """``endpoints``, or those of the process settings for a service Apprise built from a URL alone."""
        if endpoints is not None:
            return endpoints
        from dondoc.settings import get_settings

        return cls.from_settings(get_settings())


class ZaloPost:
    """What the Zalo OA and ZNS services share: a token-authenticated POST and its outcome.

    Mixed into the Apprise services (not a ``Notify*`` class, so Apprise does not list it).
    """

    def use_endpoints(self, endpoints: ZaloEndpoints | None) -> None:
        from notifications.zalo_api import TokenStore

        endpoints = ZaloEndpoints.configured(endpoints)
        self.oa_base_url = endpoints.oa_base_url
        self.zns_base_url = endpoints.zns_base_url
        self.oauth_base_url = endpoints.oauth_base_url
        self.api_timeout = endpoints.timeout
        self.token_store = TokenStore(endpoints.token_path)
        self.last_result = SendResult(False)

    def post_zalo(self, url: str, payload: dict, what: str) -> bool:
        from notifications.zalo_api import NO_ACCOUNT, OUTSIDE_WINDOW, QUOTA, post_with_token

        result = post_with_token(
            self.token_store, url, payload,
            oauth_base_url=self.oauth_base_url, app_id=self.zalo_app_id, secret_key=self.secret_key,
            timeout=self.api_timeout,
        )
        self.last_result = SendResult(
            result.ok, result.message_id, result.error, result.code, result.transient,
            fallback=result.code in OUTSIDE_WINDOW | NO_ACCOUNT | QUOTA, unknown=result.unknown,
            channel_down=result.unreachable,
        )
        if result.ok:
            self.logger.info("Sent %s.", what)
        else:
            self.logger.warning("Failed to send %s: %s", what, result.error)
        return result.ok

