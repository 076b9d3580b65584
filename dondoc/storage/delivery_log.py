"""What is sent and how it went: the chasing ledger (one row per message that fires), each person's
delivery state, each message as rendered, and each attempt on a channel."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dondoc.clock import utcnow
from dondoc.storage.models import Base


class ChaseEntry(Base):
    """The chasing ledger: every reminder, escalation, digest, request, nudge and report message, recorded once.

    ``key`` names what fires (purpose, item, milestone, due date, level, stage and
    recipient). An entry is written *before* its message is sent; each person the
    recipient stands for then has a :class:`Recipient` row with its own delivery
    state. The entry's ``state`` sums them up: ``sent`` when every person has it,
    ``failed`` while someone is still to be reached, ``given_up`` when the rest were
    given up; leaders' escalations wait as ``digest`` until a digest carries them
    (``digested``).
    """

    __tablename__ = "chase_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    purpose: Mapped[str] = mapped_column(String(30), index=True)  # reminder | escalation | digest | progress | nudge
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"))
    due: Mapped[date | None] = mapped_column(Date)
    level: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[int] = mapped_column(Integer, default=0)
    recipient: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(20), default="auto")
    # pending | sent | failed | given_up | digest | digested
    state: Mapped[str] = mapped_column(String(20), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    digest_key: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)  # why someone is not reached yet


class Recipient(Base):
    """One person a ledger entry stands for, and where delivering the message to them stands.

    ``pending`` → ``sending`` (claimed by one run: one row, one owner) → ``delivered`` when a
    channel took it; ``failed`` (nobody took it: sent again later, with a growing delay) or
    ``unknown`` (a server may have taken it before the answer was lost: sent again later with
    the same Message-ID, never on the same Zalo channel); ``given_up`` after ``give_up_at``,
    reported once to the standing office. ``delivery_key`` is stable: the email Message-ID and
    the ZNS ``tracking_id`` come from it, so a copy sent again is recognisable.
    """

    __tablename__ = "ledger_recipients"
    __table_args__ = (UniqueConstraint("entry_id", "person", name="uq_ledger_recipients_entry_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("chase_ledger.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(200))
    forwarded_for: Mapped[str | None] = mapped_column(String(300))  # a target nobody holds, sent here instead
    state: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    delivery_key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str | None] = mapped_column(String(20))
    skip_channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    give_up_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
    attachments: Mapped[list | None] = mapped_column(JSON, default=list)  # files the email carries (paths)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# What an attempt's outcome may be; the first two mean the message reached its person.
OUTCOME_SENT = "sent"  # accepted by the provider
OUTCOME_OUTBOX = "outbox"  # written to <home>/outbox (no channel configured)
OUTCOME_RETRY = "retry"  # transient failure, another attempt follows
OUTCOME_FAILED = "failed"  # failed on this channel (the next channel may follow)
OUTCOME_FALLBACK = "fallback"  # failed on this channel; the person's next channel follows
OUTCOME_UNKNOWN = "unknown"  # handed over, but the answer was lost: the server may have taken it
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
