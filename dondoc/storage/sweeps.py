"""Who sweeps a morning: one claim per key (the morning's local date), taken by exactly one run.

:func:`claim` inserts the key's row; the run whose insert succeeds holds the sweep. A row without
``finished_at`` whose claim is older than the lease belongs to a run that died: the next run takes it
over with an update that only applies while the old claim is still there, so two runs never both do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from dondoc.clock import aware, utcnow
from dondoc.storage.models import Sweep


def claim(engine: Engine, key: str, holder: str, lease: timedelta, now: datetime | None = None) -> bool:
    """True when this run holds the sweep of ``key`` now (it inserted the claim, or took over a dead one)."""
    now = now or utcnow()
    try:
        with engine.begin() as conn:
            conn.execute(Sweep.__table__.insert().values(key=key, holder=holder, claimed_at=now))
        return True
    except IntegrityError:
        pass
    with engine.begin() as conn:
        row = conn.execute(select(Sweep.claimed_at, Sweep.finished_at).where(Sweep.key == key)).first()
        if row is None or row.finished_at is not None or aware(row.claimed_at) > now - lease:
            return False
        taken = conn.execute(update(Sweep).where(Sweep.key == key, Sweep.finished_at.is_(None),
                                                 Sweep.claimed_at == row.claimed_at)
                             .values(holder=holder, claimed_at=now))
        return taken.rowcount == 1


def finish(engine: Engine, key: str, holder: str, counts: dict) -> None:
    """Stamp the sweep done with what it did."""
    with engine.begin() as conn:
        conn.execute(update(Sweep).where(Sweep.key == key, Sweep.holder == holder)
                     .values(finished_at=utcnow(), counts=counts))


def release(engine: Engine, key: str, holder: str) -> None:
    """Give the claim back (the sweep stopped on an error): the next item run sweeps at once."""
    with engine.begin() as conn:
        conn.execute(Sweep.__table__.delete().where(Sweep.key == key, Sweep.holder == holder,
                                                    Sweep.finished_at.is_(None)))
