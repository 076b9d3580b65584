"""What calendar feeds publish: each event's SEQUENCE and times (RFC 5545).

Each event's SEQUENCE is tracked in :class:`~dondoc.storage.models.CalendarEvent`: a
fingerprint of what the event says is compared with the stored one; a new event
is inserted if absent (concurrent requests may race: the insert does nothing
when the row is already there), a changed one gets ``sequence + 1`` by an update
that only applies while the old fingerprint is still stored, so two requests
seeing the same change bump it once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from dondoc.clock import utcnow
from dondoc.storage.dialects import conflict_insert
from dondoc.storage.models import CalendarEvent

CHUNK = 500


def _stored(conn, uids: list[str]) -> dict[str, object]:
    found = {}
    for start in range(0, len(uids), CHUNK):
        chunk = uids[start : start + CHUNK]
        for row in conn.execute(select(CalendarEvent.uid, CalendarEvent.fingerprint, CalendarEvent.sequence,
                                       CalendarEvent.created_at, CalendarEvent.modified_at)
                                .where(CalendarEvent.uid.in_(chunk))):
            found[row.uid] = row
    return found


def _insert_absent(engine: Engine, rows: list[dict]) -> None:
    """Insert rows whose UID is not stored yet; rows another request inserted meanwhile are left alone."""
    if not rows:
        return
    dialect_insert = conflict_insert(engine.dialect.name)
    if dialect_insert is not None:
        with engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                conn.execute(dialect_insert(CalendarEvent).on_conflict_do_nothing(index_elements=["uid"]),
                             rows[start : start + CHUNK])
        return
    for row in rows:  # any other database: one row at a time, a duplicate is not an error
        try:
            with engine.begin() as conn:
                conn.execute(CalendarEvent.__table__.insert(), [row])
        except IntegrityError:
            continue


def sync_state(engine: Engine, wanted: dict[str, tuple[int, str]], now: datetime | None = None) -> dict[str, object]:
    """Make the stored state match ``wanted`` (UID -> item id, fingerprint) and return it per UID
    (fingerprint, sequence, created_at, modified_at). A changed fingerprint bumps SEQUENCE once."""
    now = now or utcnow()
    uids = list(wanted)
    with engine.connect() as conn:
        stored = _stored(conn, uids)
    for _ in range(3):  # a concurrent request may have written in between: look again
        absent = [u for u in uids if u not in stored]
        changed = [(u, stored[u].fingerprint) for u in uids if u in stored and stored[u].fingerprint != wanted[u][1]]
        if not absent and not changed:
            return stored
        _insert_absent(engine, [dict(uid=u, item_id=wanted[u][0], fingerprint=wanted[u][1], sequence=0,
                                     created_at=now, modified_at=now) for u in absent])
        if changed:
            with engine.begin() as conn:
                conn.execute(
                    update(CalendarEvent)
                    .where(CalendarEvent.uid == bindparam("b_uid"), CalendarEvent.fingerprint == bindparam("b_old"))
                    .values(fingerprint=bindparam("b_new"), sequence=CalendarEvent.sequence + 1, modified_at=now)
                    .execution_options(synchronize_session=False),
                    [dict(b_uid=u, b_old=old, b_new=wanted[u][1]) for u, old in changed],
                )
        with engine.connect() as conn:
            stored.update(_stored(conn, absent + [u for u, _ in changed]))
    return stored

