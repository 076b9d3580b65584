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
