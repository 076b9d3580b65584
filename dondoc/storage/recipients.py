"""Each person's delivery of a recorded message: claimed by one run, marked by the outcome, tried again
with a growing delay, given up at its time (the states are described in :mod:`dondoc.storage.ledger`)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, bindparam, func, or_, select, update

from dondoc.storage.db import unit_of_work
from dondoc.storage.delivery_log import ChaseEntry, Delivery, NotificationMessage, Recipient
from dondoc.storage.ledger import (
    CHUNK,
    DELIVERED,
    FAILED,
    GIVEN_UP,
    OPEN,
    SENDING,
    STALE_CLAIM,
    UNKNOWN,
    backoff,
    utc,
)
from dondoc.storage.models import Item


def me() -> str:
    """Who claims: this machine and process."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def _dead(owner: str | None) -> bool:
    """Whether the run that claimed is gone: a process of this machine that no longer exists."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname()[:80] or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


@dataclass(frozen=True)
class Due:
    """A recipient row due for a try, with what sending it needs."""

    id: int
    entry_id: int
    entry_key: str
    purpose: str
    channel: str  # auto | email | zalo (the channels the entry allows)
    unit_id: int | None
    person: str
    forwarded_for: str | None
    state: str
    attempts: int
    delivery_key: str
    skip_channels: tuple[str, ...]


_DUE_COLUMNS = (Recipient.id, Recipient.entry_id, ChaseEntry.key, ChaseEntry.purpose, ChaseEntry.channel,
                Recipient.unit_id, Recipient.person, Recipient.forwarded_for, Recipient.state, Recipient.attempts,
                Recipient.delivery_key, Recipient.skip_channels)


def _due(row) -> Due:
    return Due(*row[:-1], tuple(row[-1] or ()))


def take_over_dead(engine: Engine, now: datetime) -> int:
    """Rows claimed by a run that died (or long ago): back to ``unknown``, due at once."""
    now = utc(now)
    with engine.connect() as conn:
        owners = [o for o in conn.scalars(select(Recipient.claimed_by).where(Recipient.state == SENDING).distinct())]
    dead = [o for o in owners if _dead(o)]
    stale = and_(Recipient.state == SENDING, or_(Recipient.claimed_at < now - STALE_CLAIM,
                                                 Recipient.claimed_by.in_(dead) if dead else False))
    with unit_of_work(engine) as session:
        result = session.execute(
            update(Recipient).where(stale)
            .values(state=UNKNOWN, next_attempt_at=now, claimed_by=None,
                    error="Lượt gửi trước bị dừng giữa chừng: gửi lại (cùng Message-ID)")
            .execution_options(synchronize_session=False))
        return result.rowcount or 0


def _scope(query, unit_id: int | None, item_ids: list[int] | None):
    if unit_id is not None:
        query = query.where(Recipient.unit_id == unit_id)
    if item_ids is not None:
        query = query.where(ChaseEntry.item_id.in_(item_ids))
    return query


def due(engine: Engine, now: datetime, *, entry_ids: Iterable[int] | None = None, unit_id: int | None = None,
        item_ids: list[int] | None = None) -> list[Due]:
    """Recipient rows to try now: pending, or failed/unknown whose next try is due, before their give-up time."""
    now = utc(now)
    query = (select(*_DUE_COLUMNS).join(ChaseEntry, ChaseEntry.id == Recipient.entry_id)
             .where(Recipient.state.in_(OPEN), Recipient.give_up_at > now,
                    or_(Recipient.next_attempt_at.is_(None), Recipient.next_attempt_at <= now))
             .order_by(Recipient.id))
    query = _scope(query, unit_id, item_ids)
    with engine.connect() as conn:
        if entry_ids is None:
            return [_due(r) for r in conn.execute(query)]
        ids, rows = list(entry_ids), []
        for start in range(0, len(ids), CHUNK):
            rows.extend(_due(r) for r in conn.execute(query.where(Recipient.entry_id.in_(ids[start: start + CHUNK]))))
        return rows


def waiting(engine: Engine, now: datetime, *, unit_id: int | None = None, item_ids: list[int] | None = None) -> int:
    """Recipient rows still to be tried (now or later) before their give-up time."""
    now = utc(now)
    query = (select(func.count(Recipient.id)).join(ChaseEntry, ChaseEntry.id == Recipient.entry_id)
             .where(Recipient.state.in_(OPEN), Recipient.give_up_at > now))
    with engine.connect() as conn:
        return conn.scalar(_scope(query, unit_id, item_ids)) or 0


def claim(engine: Engine, ids: list[int], now: datetime, owner: str | None = None, *,
          marks: list[dict] = ()) -> set[int]:
    """Take rows to send them: each row is taken by exactly one run, however many try at once. ``marks``:
    the outcomes of the rows tried before (:func:`outcome_values` with ``row_id``), written in the same
    transaction."""
    owner, now = owner or me(), utc(now)
    with unit_of_work(engine) as session:
        if marks:
            session.execute(mark_statement(), [{"delivered_at": None, "next_attempt_at": None, **m} for m in marks])
        if not ids:
            return set()
        taken = session.execute(
            update(Recipient)
            .where(Recipient.id.in_(ids), Recipient.state.in_(OPEN), Recipient.give_up_at > now,
                   or_(Recipient.next_attempt_at.is_(None), Recipient.next_attempt_at <= now))
            .values(state=SENDING, claimed_by=owner, claimed_at=now, attempts=Recipient.attempts + 1)
            .returning(Recipient.id)
        ).scalars().all()
    return set(taken)


def outcome_values(state: str, now: datetime, *, attempts: int, channel: str | None = None,
                   error: str | None = None, skip: Iterable[str] = ()) -> dict:
    """The columns a recipient row is marked with after a try."""
    now = utc(now)
    values = dict(state=state, channel=channel, error=(error or None) and error[:1000], claimed_by=None,
                  skip_channels=sorted(set(skip)))
    if state == DELIVERED:
        values.update(delivered_at=now, next_attempt_at=None, error=None)
    else:
        values.update(next_attempt_at=now + backoff(attempts))
    return values


def mark_statement():
    """One UPDATE for a recipient row's outcome, executed with ``outcome_values`` plus ``row_id`` (batched)."""
    columns = ("state", "channel", "error", "claimed_by", "skip_channels", "delivered_at", "next_attempt_at")
    return (update(Recipient.__table__)
            .where(Recipient.__table__.c.id == bindparam("row_id"),
                   Recipient.__table__.c.state == SENDING)
            .values({c: bindparam(c) for c in columns}))


def release(engine: Engine, ids: list[int], now: datetime) -> None:
    """Give rows this run claimed but did not try back (the run is stopping)."""
    now = utc(now)
    if ids:
        with unit_of_work(engine) as session:
            session.execute(update(Recipient).where(Recipient.id.in_(ids), Recipient.state == SENDING,
                                                    Recipient.claimed_by == me())
                            .values(state=UNKNOWN, claimed_by=None, next_attempt_at=now,
                                    attempts=Recipient.attempts - 1)
                            .execution_options(synchronize_session=False))


def give_up(engine: Engine, now: datetime) -> int:
    """Rows still open at their give-up time: ``given_up`` (reported once to the standing office)."""
    now = utc(now)
    with unit_of_work(engine) as session:
        result = session.execute(
            update(Recipient).where(Recipient.state.in_(OPEN), Recipient.give_up_at <= now)
            .values(state=GIVEN_UP, next_attempt_at=None).execution_options(synchronize_session=False))
        return result.rowcount or 0


def not_delivered(engine: Engine, *, unit_id: int | None = None, limit: int = 200) -> list:
    """Deliveries not (yet) delivered: failed, unknown, given up, or being sent, newest first."""
    subject = (select(NotificationMessage.subject).where(NotificationMessage.ledger_key == ChaseEntry.key)
               .order_by(NotificationMessage.id).limit(1).scalar_subquery())
    query = (select(Recipient.id, Recipient.unit_id, Recipient.person, Recipient.forwarded_for, Recipient.state,
                    Recipient.attempts, Recipient.error, Recipient.next_attempt_at, Recipient.give_up_at,
                    Recipient.reported_at, Recipient.created_at, ChaseEntry.key, ChaseEntry.purpose, ChaseEntry.level,
                    ChaseEntry.as_of, Item.number, subject.label("subject"))
             .join(ChaseEntry, ChaseEntry.id == Recipient.entry_id)
             .outerjoin(Item, Item.id == ChaseEntry.item_id)
             .where(Recipient.state.in_((FAILED, UNKNOWN, GIVEN_UP, SENDING)))
             .order_by(Recipient.id.desc()).limit(limit))
    if unit_id is not None:
        query = query.where(Recipient.unit_id == unit_id)
    with engine.connect() as conn:
        return conn.execute(query).all()


def recipient_of_attempt(engine: Engine, delivery_id: int):
    """The recipient row a logged attempt belongs to (unit, person, delivery key), or None."""
    with engine.connect() as conn:
        return conn.execute(
            select(Recipient.unit_id, Recipient.person, Recipient.delivery_key)
            .join(ChaseEntry, ChaseEntry.id == Recipient.entry_id)
            .join(Delivery, and_(Delivery.ledger_key == ChaseEntry.key, Delivery.person == Recipient.person))
            .where(Delivery.id == delivery_id)).first()


def mark_delivered_by_hand(engine: Engine, key: str, person: str, now: datetime) -> int:
    """A delivery an operator sent again by hand (``dondoc resend``) that a channel took."""
    with unit_of_work(engine) as session:
        entry = select(ChaseEntry.id).where(ChaseEntry.key == key).scalar_subquery()
        result = session.execute(
            update(Recipient).where(Recipient.entry_id == entry, Recipient.person == person,
                                    Recipient.state.in_((*OPEN, GIVEN_UP)))
            .values(state=DELIVERED, delivered_at=utc(now), next_attempt_at=None, error=None)
            .execution_options(synchronize_session=False))
        return result.rowcount or 0
