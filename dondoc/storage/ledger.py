"""The chasing ledger: messages recorded before they are sent, and each person's delivery state.

An entry (:class:`ChaseEntry`) is one message that fires; each person it stands for
has a :class:`Recipient` row, written in the same transaction as the entry and the
message as rendered. A recipient row goes

``pending`` → ``sending`` (claimed: one row, one owner) → ``delivered``, or
``failed`` (tried again after a growing delay), or ``unknown`` (a server may have
taken it: tried again with the same Message-ID, never on the same Zalo channel),
and ``given_up`` once its give-up time has passed (reported once to the standing
office); ``dropped`` when the item it chases was done, acknowledged or extended
before it could be delivered.

A claim belongs to a run that died when its process is gone (same machine) or when
it is older than :data:`STALE_CLAIM`; another run then takes the row over as
``unknown`` (it may have been sent: the copy sent again carries the same
Message-ID). The entry's own ``state`` sums its recipients up: ``sent``,
``failed`` (someone still to reach), ``given_up``; leaders' escalations wait as
``digest`` and become ``digested`` once a recorded digest carries them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Engine, and_, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from dondoc.clock import utcnow
from dondoc.storage.db import unit_of_work
from dondoc.storage.delivery_log import ChaseEntry, NotificationMessage, Recipient
from dondoc.storage.models import LEAD_PART, Acknowledgement, Area, Item, Occurrence, Plan, StatusUpdate

# entry states
PENDING, SENT, FAILED, GIVEN_UP, DIGEST, DIGESTED = "pending", "sent", "failed", "given_up", "digest", "digested"
# recipient states (pending, failed and given_up are shared with entries)
SENDING, DELIVERED, UNKNOWN, DROPPED = "sending", "delivered", "unknown", "dropped"
OPEN = (PENDING, FAILED, UNKNOWN)  # still to be tried
CHASING = ("reminder", "escalation", "overdue")  # purposes that stop when their item no longer needs chasing
STALE_CLAIM = timedelta(minutes=15)
BACKOFF = (timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1),
           timedelta(hours=2))
CHUNK = 500


def utc(moment: datetime | None) -> datetime | None:
    """Every time stored or compared here is UTC (SQLite keeps no zone: mixed zones would not compare)."""
    return moment.astimezone(timezone.utc) if moment is not None else None


def delivery_key(entry_key: str, person: str) -> str:
    """The stable key of one message to one person: the email Message-ID and the ZNS tracking_id come from it.

    >>> delivery_key("reminder:x#1:m1:2026-03-20:L0:s3:office:A", "an")
    'bbbb388111d5d6fcd699e5fd0dc35e8b'
    """
    return hashlib.blake2b(f"{entry_key}\n{person}".encode(), digest_size=16).hexdigest()


def backoff(attempts: int) -> timedelta:
    """How long after the ``attempts``-th failed try the next one is due (5 min, 15, 30, 1 h, then 2 h)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def states(engine: Engine, keys: list[str]) -> dict[str, str]:
    """The state of each recorded key (keys not recorded are absent)."""
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            found.update(conn.execute(select(ChaseEntry.key, ChaseEntry.state).where(ChaseEntry.key.in_(chunk))).all())
    return found


def entry_ids(engine: Engine, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    with engine.connect() as conn:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            found.update(conn.execute(select(ChaseEntry.key, ChaseEntry.id).where(ChaseEntry.key.in_(chunk))).all())
    return found


@dataclass
class NewRecipient:
    person: str
    unit_id: int | None
    forwarded_for: str | None = None


@dataclass
class NewEntry:
    """An entry to record, with its message as rendered and the people it stands for."""

    fields: dict  # ChaseEntry columns (key, purpose, unit_id, item_id, ..., state, as_of)
    message: dict | None  # NotificationMessage columns (kind, subject, data, recipients, attachments)
    recipients: list[NewRecipient]
    give_up_at: datetime | None = None
    on_record: Callable[[Session], None] | None = None  # more to write in the transaction that records it


def record(engine: Engine, entries: list[NewEntry]) -> None:
    """Insert entries with their message and recipients, all in one transaction (three multi-row inserts);
    when another run inserted some meanwhile, each entry on its own, all or nothing, leaving theirs as they are."""
    if not entries:
        return
    try:
        with unit_of_work(engine) as session:
            _insert(session, entries)
    except IntegrityError:
        for entry in entries:
            try:
                with unit_of_work(engine) as session:
                    _insert(session, [entry])
            except IntegrityError:
                continue


def _insert(session, entries: list[NewEntry]) -> None:
    now = utcnow()
    rows = [{"created_at": now, "channel": "auto", "level": 0, "stage": 0, "payload": {}, **e.fields} for e in entries]
    columns = {k for row in rows for k in row}  # one multi-row insert: every row names the same columns
    rows = [{k: row.get(k) for k in columns} for row in rows]
    table = ChaseEntry.__table__
    ids = dict(session.execute(table.insert().returning(table.c.key, table.c.id, sort_by_parameter_order=True),
                               rows).all())
    messages, people = [], []
    for entry in entries:
        key = entry.fields["key"]
        messages += _message_row(key, entry, now)
        people += _recipient_rows(ids[key], key, entry, now)
    if messages:
        session.execute(NotificationMessage.__table__.insert(), messages)
    if people:
        session.execute(Recipient.__table__.insert(), people)
    for entry in entries:
        if entry.on_record is not None:
            entry.on_record(session)


def _message_row(key: str, entry: NewEntry, now: datetime) -> list[dict]:
    if entry.message is None:
        return []
    return [{"ledger_key": key, "created_at": now, "cc": [], "attachments": [], **entry.message}]


def _recipient_rows(entry_id: int, key: str, entry: NewEntry, now: datetime) -> list[dict]:
    return [dict(entry_id=entry_id, unit_id=r.unit_id, person=r.person, forwarded_for=r.forwarded_for, state=PENDING,
                 attempts=0, delivery_key=delivery_key(key, r.person), skip_channels=[], give_up_at=utc(entry.give_up_at),
                 channel=None, error=None, next_attempt_at=None, claimed_at=None, claimed_by=None, delivered_at=None,
                 reported_at=None, created_at=now)
            for r in entry.recipients]


def add_recipients(session, entry_id: int, key: str, entry: NewEntry) -> None:
    """The message row and one pending row per person of an entry recorded before these rows existed."""
    now = utcnow()
    if entry.message is not None:
        session.execute(NotificationMessage.__table__.insert(), _message_row(key, entry, now))
    if entry.recipients:
        session.execute(Recipient.__table__.insert(), _recipient_rows(entry_id, key, entry, now))


def without_recipients(engine: Engine, ids: list[int]) -> list[int]:
    """Entries recorded before delivery states existed (no recipient rows), still to be sent."""
    if not ids:
        return []
    has = exists().where(Recipient.entry_id == ChaseEntry.id)
    with engine.connect() as conn:
        return list(conn.scalars(select(ChaseEntry.id).where(ChaseEntry.id.in_(ids), ~has,
                                                             ChaseEntry.state.in_((PENDING, FAILED)))))


def complete(engine: Engine, entry_id: int, key: str, entry: NewEntry) -> None:
    """Add the recipients of an entry that has none yet (once, however many runs try)."""
    with unit_of_work(engine) as session:
        has = session.execute(select(Recipient.id).where(Recipient.entry_id == entry_id).limit(1)).first()
        if has is None:
            add_recipients(session, entry_id, key, entry)


def mark_digested(session: Session, entry_ids: list[int], digest_key: str) -> None:
    """Leaders' escalation entries a recorded digest carries."""
    session.execute(update(ChaseEntry).where(ChaseEntry.id.in_(entry_ids))
                    .values(state=DIGESTED, digest_key=digest_key).execution_options(synchronize_session=False))


def mark_reported(session: Session, row_ids: list[int], now: datetime) -> None:
    """Given-up rows a recorded summary to the standing office carries."""
    session.execute(update(Recipient).where(Recipient.id.in_(row_ids))
                    .values(reported_at=utc(now)).execution_options(synchronize_session=False))


def given_up_unreported(engine: Engine, unit_id: int | None = None) -> list:
    """Deliveries given up and not yet reported, with what the standing office is told about them."""
    subject = (select(NotificationMessage.subject).where(NotificationMessage.ledger_key == ChaseEntry.key)
               .order_by(NotificationMessage.id).limit(1).scalar_subquery())
    query = (select(Recipient.id, Recipient.unit_id, Recipient.person, Recipient.forwarded_for, Recipient.error,
                    ChaseEntry.purpose, ChaseEntry.level, ChaseEntry.as_of, Item.number, subject.label("subject"))
             .join(ChaseEntry, ChaseEntry.id == Recipient.entry_id)
             .outerjoin(Item, Item.id == ChaseEntry.item_id)
             .where(Recipient.state == GIVEN_UP, Recipient.reported_at.is_(None), ChaseEntry.purpose != "undelivered")
             .order_by(Recipient.unit_id, Recipient.id))
    if unit_id is not None:
        query = query.where(Recipient.unit_id == unit_id)
    with engine.connect() as conn:
        return conn.execute(query).all()


def _settled(day: date):
    """The condition that an entry's item no longer needs chasing (done, or a new deadline; acknowledged
    for escalations)."""
    done = exists().where(StatusUpdate.occurrence_id == ChaseEntry.occurrence_id, StatusUpdate.status == "hoan_thanh",
                          StatusUpdate.part == LEAD_PART,
                          StatusUpdate.as_of <= day)
    acked = exists().where(Acknowledgement.occurrence_id == ChaseEntry.occurrence_id,
                           Acknowledgement.deadline == ChaseEntry.due)
    current = aliased(Occurrence)  # not the occurrence a caller may have joined already
    moved = exists().where(current.id == ChaseEntry.occurrence_id,
                           func.coalesce(current.extended_due, current.effective_due) != ChaseEntry.due)
    return or_(done, moved, and_(ChaseEntry.purpose != "reminder", acked))


def digest_rows(engine: Engine, day: date) -> tuple[list, list]:
    """Leaders' escalations: those waiting for a digest, and those an earlier digest carried whose item is
    still overdue (neither done, acknowledged nor extended)."""
    columns = (ChaseEntry.id, ChaseEntry.recipient, ChaseEntry.level, ChaseEntry.payload, ChaseEntry.occurrence_id,
               Item.id.label("item_id"), Plan.unit_id, Item.number, Item.content, Plan.code.label("plan_code"),
               Occurrence.effective_due, Occurrence.extended_due, Area.code.label("area_code"))
    query = (select(*columns)
             .join(Item, Item.id == ChaseEntry.item_id)
             .join(Plan, Plan.id == Item.plan_id)
             .join(Occurrence, Occurrence.id == ChaseEntry.occurrence_id)
             .outerjoin(Area, Area.id == Item.area_id)
             .where(Item.removed_at.is_(None))
             .order_by(ChaseEntry.recipient, ChaseEntry.id))
    with engine.connect() as conn:
        fresh = conn.execute(query.where(ChaseEntry.state == DIGEST, ChaseEntry.as_of <= day)).all()
        older = conn.execute(query.where(ChaseEntry.state == DIGESTED, ~_settled(day))).all()
    return fresh, older


# -- settling ---------------------------------------------------------------------------------------
def drop_settled(engine: Engine, day: date) -> int:
    """Reminders and escalations not yet delivered whose item no longer needs them (done, acknowledged,
    or a new deadline): ``dropped``."""
    settled = (select(ChaseEntry.id)
               .where(ChaseEntry.purpose.in_(CHASING), ChaseEntry.occurrence_id.is_not(None), _settled(day)))
    with unit_of_work(engine) as session:
        result = session.execute(
            update(Recipient).where(Recipient.state.in_(OPEN), Recipient.entry_id.in_(settled))
            .values(state=DROPPED, next_attempt_at=None,
                    error="Không gửi nữa: nhiệm vụ đã hoàn thành, đã được lãnh đạo nắm hoặc đã đổi hạn")
            .execution_options(synchronize_session=False))
        return result.rowcount or 0


def summarize(engine: Engine, ids: Iterable[int] | None = None) -> None:
    """Each entry's state from its recipients: ``sent`` when everyone has it, ``failed`` while someone
    is still to be reached, ``given_up`` when the rest were given up."""
    def count(*wanted):
        return (select(func.count(Recipient.id))
                .where(Recipient.entry_id == ChaseEntry.id, Recipient.state.in_(wanted)).scalar_subquery())

    still = count(PENDING, SENDING, FAILED, UNKNOWN)
    lost = count(GIVEN_UP)
    state = case((still > 0, FAILED), (lost > 0, GIVEN_UP), else_=SENT)
    sent_at = select(func.max(Recipient.delivered_at)).where(Recipient.entry_id == ChaseEntry.id).scalar_subquery()
    has = exists().where(Recipient.entry_id == ChaseEntry.id)
    base = update(ChaseEntry).where(has)
    with unit_of_work(engine) as session:
        if ids is None:  # every entry not settled yet (a run that stopped before summing its entries up)
            session.execute(base.where(ChaseEntry.state.in_((PENDING, FAILED)))
                            .values(state=state, sent_at=sent_at).execution_options(synchronize_session=False))
            return
        base = base.where(ChaseEntry.state.in_((PENDING, FAILED, SENT)))
        ids = list(ids)
        for start in range(0, len(ids), CHUNK):
            session.execute(base.where(ChaseEntry.id.in_(ids[start: start + CHUNK]))
                            .values(state=state, sent_at=sent_at).execution_options(synchronize_session=False))
