"""People of a unit in the database: read them, replace them all (an import), change or remove one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from dondoc.clock import utcnow
from dondoc.storage import unitversions
from dondoc.storage.models import PersonRow

FIELDS = ("name", "role", "office", "head", "areas", "tags", "email", "zalo_user_id", "phone", "channels", "apprise")


def unit_people(engine: Engine, unit_id: int) -> list[dict]:
    """The unit's people as plain fields (``id`` is the person's key), in the order they were added."""
    with engine.connect() as conn:
        rows = conn.execute(select(PersonRow).where(PersonRow.unit_id == unit_id).order_by(PersonRow.id)).all()
    return [as_fields(r) for r in rows]


def units_with_people(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.scalars(select(PersonRow.unit_id).distinct()))


def as_fields(row) -> dict:
    return {"id": row.key, **{f: getattr(row, f) for f in FIELDS}}


def _values(person: dict) -> dict:
    values = {f: person.get(f) for f in FIELDS}
    values.update(head=bool(values["head"]), areas=values["areas"] or [], tags=values["tags"] or [],
                  apprise=values["apprise"] or [])
    return values


@dataclass
class Changes:
    added: int = 0
    changed: int = 0
    removed: int = 0


def replace_people(session: Session, unit_id: int, people: list[dict]) -> Changes:
    """Make the unit's people exactly ``people`` (each a dict with ``id`` and :data:`FIELDS`)."""
    existing = {r.key: r for r in session.scalars(select(PersonRow).where(PersonRow.unit_id == unit_id))}
    changes = Changes()
    now = utcnow()
    for person in people:
        values = _values(person)
        row = existing.pop(person["id"], None)
        if row is None:
            session.add(PersonRow(unit_id=unit_id, key=person["id"], created_at=now, updated_at=now, **values))
            changes.added += 1
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            row.updated_at = now
            changes.changed += 1
    for row in existing.values():
        session.delete(row)
        changes.removed += 1
    return changes


def save_person(session: Session, unit_id: int, person: dict) -> bool:
    """Add or change one person; True when added."""
    row = session.scalars(select(PersonRow).where(PersonRow.unit_id == unit_id, PersonRow.key == person["id"])).first()
    values = _values(person)
    if row is None:
        session.add(PersonRow(unit_id=unit_id, key=person["id"], created_at=utcnow(), updated_at=utcnow(), **values))
        return True
    for f, v in values.items():
        setattr(row, f, v)
    row.updated_at = utcnow()
    return False


def remove_person(session: Session, unit_id: int, key: str) -> bool:
    result = session.execute(delete(PersonRow).where(PersonRow.unit_id == unit_id, PersonRow.key == key))
    unitversions.touch(session, units=[unit_id])
    return bool(result.rowcount)
