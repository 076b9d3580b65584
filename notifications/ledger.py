"""The delivery log: one row per message sent, one row per attempt on a channel.

A *message* is stored once with the plain data it was rendered from, so that a
failed delivery can be sent again (``dondoc resend ID``). Every attempt on a
channel writes one *delivery* row: channel, recipient, outcome, the provider's
message id and the error. Both carry the caller's ledger key (for example
``reminder:xa-ngoc-lien-2026-2030#15:2026-03-31:d-3``), so a flow can tell
whether a reminder or an escalation already fired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from dondoc.models import Base, utcnow

OUTCOME_SENT = "sent"  # accepted by the provider
OUTCOME_OUTBOX = "outbox"  # written to <home>/outbox (no channel configured)
OUTCOME_RETRY = "retry"  # transient failure, another attempt follows
OUTCOME_FAILED = "failed"  # failed on this channel (the next channel may follow)
OUTCOME_FALLBACK = "fallback"  # permanent refusal that sends the message to the next channel
FAILED_OUTCOMES = (OUTCOME_FAILED, OUTCOME_FALLBACK)


class NotificationMessage(Base):
    __tablename__ = "notification_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_key: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    cc: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
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


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    message_id: int
    ledger_key: str
    kind: str
    person: str
    channel: str
    address: str
    attempt: int
    outcome: str
    provider_message_id: str | None
    error: str | None
    at: datetime


def list_deliveries(session: Session, *, failed_only: bool = False, ledger_key: str | None = None,
                    limit: int = 200) -> list[DeliveryRow]:
    """Delivery rows, newest first.

    ``failed_only``: the last attempt of each message that did not reach its person,
    unless a later resend did.
    """
    query = select(Delivery, NotificationMessage.kind).join(NotificationMessage)
    if failed_only:
        later = aliased(Delivery)
        reached_later = select(later.id).where(
            later.message_id == Delivery.message_id, later.person == Delivery.person, later.id > Delivery.id,
            later.outcome.in_((OUTCOME_SENT, OUTCOME_OUTBOX)),
        ).exists()
        query = query.where(Delivery.final.is_(True), Delivery.outcome.in_(FAILED_OUTCOMES), ~reached_later)
    if ledger_key:
        query = query.where(Delivery.ledger_key == ledger_key)
    rows = session.execute(query.order_by(Delivery.id.desc()).limit(limit)).all()
    return [
        DeliveryRow(d.id, d.message_id, d.ledger_key, kind, d.person, d.channel, d.address, d.attempt,
                    d.outcome, d.provider_message_id, d.error, d.at)
        for d, kind in rows
    ]


def already_sent(session: Session, ledger_key: str) -> bool:
    """True when a message under this ledger key reached someone (sent or written to the outbox)."""
    query = select(Delivery.id).where(
        Delivery.ledger_key == ledger_key, Delivery.outcome.in_((OUTCOME_SENT, OUTCOME_OUTBOX))
    )
    return session.execute(query.limit(1)).first() is not None
