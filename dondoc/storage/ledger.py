"""The chasing ledger's states, one row per message: recorded, claimed by one run, marked by the outcome.

``pending`` → ``sending`` (claimed: one row, one owner) → ``sent`` when a channel took
the message, or ``failed`` when nobody was reached (a later run claims it again).
A claim belongs to a run that died when its process is gone (same machine) or
when it is older than :data:`STALE_CLAIM`; another run may then take it over,
after checking the delivery log so that a message a channel already took is
marked, not sent again. Leaders' escalations are recorded as ``digest``
and become ``digested`` once a digest carrying them was sent.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import IntegrityError

from dondoc.clock import utcnow
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.delivery_log import DELIVERED_OUTCOMES, Delivery
from dondoc.storage.models import ChaseEntry

PENDING, SENDING, SENT, FAILED, DIGEST, DIGESTED = "pending", "sending", "sent", "failed", "digest", "digested"
CLAIMABLE = (PENDING, FAILED)
STALE_CLAIM = timedelta(minutes=15)
CHUNK = 500


def states(engine: Engine, keys: list[str]) -> dict[str, str]:
    """The state of each recorded key (keys not recorded are absent)."""
    found: dict[str, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            found.update(conn.execute(select(ChaseEntry.key, ChaseEntry.state).where(ChaseEntry.key.in_(chunk))).all())
    return found


def record(engine: Engine, entries: list[dict]) -> None:
    """Insert ledger entries; entries another run inserted meanwhile are left as they are."""
    if not entries:
        return
    entries = [{"created_at": utcnow(), "channel": "auto", "level": 0, "stage": 0, "payload": {}, **e} for e in entries]
    try:
        with unit_of_work(engine) as session:
            session.execute(ChaseEntry.__table__.insert(), entries)
    except IntegrityError:
        for entry in entries:
            try:
                with unit_of_work(engine) as session:
                    session.execute(ChaseEntry.__table__.insert(), [entry])
            except IntegrityError:
                continue


def me() -> str:
    """Who claims: this machine and process."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def _dead(owner: str | None) -> bool:
    """Whether the run that claimed is gone: a process of this machine that no longer exists."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname()[:80] or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(engine: Engine, key: str, now: datetime | None = None) -> bool:
    """Take ``key`` to send it: True for exactly one run, however many try at once."""
    now = now or utcnow()
    owner = me()
    take = dict(state=SENDING, claimed_at=now, claimed_by=owner, attempts=ChaseEntry.attempts + 1)
    with unit_of_work(engine) as session:
        result = session.execute(
            update(ChaseEntry)
            .where(ChaseEntry.key == key,
                   or_(ChaseEntry.state.in_(CLAIMABLE),
                       (ChaseEntry.state == SENDING) & (ChaseEntry.claimed_at < now - STALE_CLAIM)))
            .values(**take).execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            return True
        holder = session.execute(select(ChaseEntry.state, ChaseEntry.claimed_by).where(ChaseEntry.key == key)).first()
        if holder is None or holder.state != SENDING or not _dead(holder.claimed_by):
            return False
        result = session.execute(  # the run that claimed it died: take it over, once
            update(ChaseEntry)
            .where(ChaseEntry.key == key, ChaseEntry.state == SENDING, ChaseEntry.claimed_by == holder.claimed_by)
            .values(**take).execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def mark_sent(session, key: str) -> None:
    session.execute(update(ChaseEntry).where(ChaseEntry.key == key)
                    .values(state=SENT, sent_at=utcnow(), error=None).execution_options(synchronize_session=False))


def mark_failed(engine: Engine, key: str, error: str) -> None:
    with unit_of_work(engine) as session:
        session.execute(update(ChaseEntry).where(ChaseEntry.key == key)
                        .values(state=FAILED, error=error[:1000]).execution_options(synchronize_session=False))


def mark_digested(session, entry_ids: list[int], digest_key: str) -> None:
    session.execute(update(ChaseEntry).where(ChaseEntry.id.in_(entry_ids))
                    .values(state=DIGESTED, digest_key=digest_key).execution_options(synchronize_session=False))


def reached_someone(engine: Engine, key: str) -> bool:
    """True when the delivery log holds a delivery of ``key`` a channel (or the outbox) took."""
    with read_session(engine) as session:
        query = select(Delivery.id).where(Delivery.ledger_key == key, Delivery.outcome.in_(DELIVERED_OUTCOMES))
        return session.execute(query.limit(1)).first() is not None
