"""The delivery log's tables: each message as rendered, and each attempt to deliver it to a person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dondoc.clock import utcnow
from dondoc.storage.models import Base

class NotificationMessage(Base):
    """A message as it was rendered, with the plain data it came from (so it can be sent again)."""

    __tablename__ = "notification_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_key: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    cc: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# What an attempt's outcome may be; the first two mean the message reached its person.
OUTCOME_SENT = "sent"  # accepted by the provider
OUTCOME_OUTBOX = "outbox"  # written to <home>/outbox (no channel configured)
OUTCOME_RETRY = "retry"  # transient failure, another attempt follows
OUTCOME_FAILED = "failed"  # failed on this channel (the next channel may follow)
OUTCOME_FALLBACK = "fallback"  # permanent refusal that sends the message to the next channel
DELIVERED_OUTCOMES = (OUTCOME_SENT, OUTCOME_OUTBOX)


class Delivery(Base):
    """One attempt to deliver a message to one person on one channel."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("notification_messages.id", ondelete="CASCADE"), index=True
    )
    ledger_key: Mapped[str] = mapped_column(String(300), index=True)
    person: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))  # email | zalo | zns | apprise | outbox
    address: Mapped[str] = mapped_column(String(300), default="")
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    provider_message_id: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    final: Mapped[bool] = mapped_column(default=False)  # last row of this person's delivery of the message
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
