"""Per-unit data versions: what the caches of a unit's pages and feeds are keyed by.

Each unit has a row in ``unit_versions`` whose ``version`` rises by one in the same
transaction as any write to the unit's data: its plans, areas, items, offices of items,
milestones, due dates, status reports and their files, extensions, acknowledgements,
offices, links, people and report runs. A cache in any process (another web worker, a
command, a flow run) sees a write as soon as it is committed, and a write in one commune
leaves every other commune's caches alone.

Writes through a session are counted without the writer doing anything: the session's
flushes are watched (:func:`_collect`) and, just before the commit, the units they
touched are bumped in one statement, in unit order (no deadlock between writers), after
every other write of the transaction (row locks held for the commit only). A statement
that writes rows without loaded objects (a bulk insert, an ``UPDATE … WHERE``) says
which units it touched: :func:`touch` in a session, :func:`bump` on a connection.

The version of a unit covers the units under it (a province adds up its communes): it is
the unit's and its descendants' (unit, version) pairs, one indexed read (:func:`unit_version`).
Writes that are not a unit's data (the chasing ledger, deliveries, the feeds' SEQUENCE
state, the morning's sweep) do not bump anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, bindparam, event, literal, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import get_history

from dondoc.clock import utcnow
from dondoc.storage.dialects import conflict_insert
from dondoc.storage.models import (
    AccessLink,
    Acknowledgement,
    Area,
    Base,
    Evidence,
    Extension,
    Item,
    ItemOffice,
    Milestone,
    Occurrence,
    Office,
    PersonRow,
    Plan,
    ReportRun,
    StatusUpdate,
    Unit,
)

CHUNK = 500
_PENDING = "dondoc_units_touched"
KINDS = ("unit", "plan", "item", "occurrence", "update")


class UnitVersion(Base):
    """How many committed transactions have changed a unit's data (and when the last one did)."""

    __tablename__ = "unit_versions"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# What each kind of row belongs to: (the column naming its owner, the owner's kind).
_OWNER = {
    Office: ("unit_id", "unit"), Plan: ("unit_id", "unit"), AccessLink: ("unit_id", "unit"),
    PersonRow: ("unit_id", "unit"), ReportRun: ("unit_id", "unit"),
    Area: ("plan_id", "plan"), Item: ("plan_id", "plan"),
    ItemOffice: ("item_id", "item"), Milestone: ("item_id", "item"), Occurrence: ("item_id", "item"),
    StatusUpdate: ("item_id", "item"),
    Extension: ("occurrence_id", "occurrence"), Acknowledgement: ("occurrence_id", "occurrence"),
    Evidence: ("status_update_id", "update"),
}


def _pending(session: Session) -> dict[str, set[int]]:
    return session.info.setdefault(_PENDING, {kind: set() for kind in KINDS})


def touch(session: Session, *, units: Iterable[int] = (), plans: Iterable[int] = (), items: Iterable[int] = (),
          occurrences: Iterable[int] = ()) -> None:
    """Count a write the session's objects do not show (a bulk statement) for the units it touched; they are
    bumped with the others just before the commit."""
    pending = _pending(session)
    pending["unit"].update(units)
    pending["plan"].update(plans)
    pending["item"].update(items)
    pending["occurrence"].update(occurrences)


def _values(obj, column: str) -> set:
    """The owner now and, when the flush moved the row, before."""
    try:
        history = get_history(obj, column)
        return {v for v in (*history.unchanged, *history.added, *history.deleted) if v is not None} or \
            {getattr(obj, column)} - {None}
    except SQLAlchemyError:  # an expired row of a deleted object: its owner is counted by the object itself
        return set()


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    """Note the owners of every row the flush inserted, changed or deleted."""
    pending = None
    flushed = [(obj, False) for obj in session.new] + [(obj, True) for obj in session.dirty] + \
              [(obj, False) for obj in session.deleted]
    for obj, dirty in flushed:
        owner = _OWNER.get(type(obj))
        if owner is None and not isinstance(obj, Unit):
            continue
        if dirty and not session.is_modified(obj, include_collections=False):
            continue
        pending = pending if pending is not None else _pending(session)
        if isinstance(obj, Unit):
            pending["unit"].update(_values(obj, "id") | _values(obj, "parent_id"))  # a move changes both trees
        else:
            column, kind = owner
            pending[kind].update(_values(obj, column))


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    if any(isinstance(obj, Base) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.flush()  # what is not flushed yet is counted too
    pending = session.info.pop(_PENDING, None)
    if pending and any(pending.values()):
        bump(session.connection(), **{f"{kind}s": ids for kind, ids in pending.items()})


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _chunks(ids: set[int]):
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def units_of(conn: Connection, *, units: Iterable[int] = (), plans: Iterable[int] = (), items: Iterable[int] = (),
             occurrences: Iterable[int] = (), updates: Iterable[int] = ()) -> set[int]:
    """The units the rows belong to (one small query per kind of row given)."""
    found, plans, items, occurrences = set(units), set(plans), set(items), set(occurrences)
    for chunk in _chunks(set(updates)):
        items.update(conn.scalars(select(StatusUpdate.item_id).where(StatusUpdate.id.in_(chunk))))
    for chunk in _chunks(occurrences):
        items.update(conn.scalars(select(Occurrence.item_id).where(Occurrence.id.in_(chunk))))
    for chunk in _chunks(items):
        plans.update(conn.scalars(select(Item.plan_id).where(Item.id.in_(chunk))))
    for chunk in _chunks(plans):
        found.update(conn.scalars(select(Plan.unit_id).where(Plan.id.in_(chunk))))
    found.discard(None)
    return found


def bump(conn: Connection, *, units: Iterable[int] = (), plans: Iterable[int] = (), items: Iterable[int] = (),
         occurrences: Iterable[int] = (), updates: Iterable[int] = ()) -> set[int]:
    """Raise the version of the units the rows belong to, in the connection's transaction; returns the units."""
    unit_ids = units_of(conn, units=units, plans=plans, items=items, occurrences=occurrences, updates=updates)
    now = utcnow()
    dialect_insert = conflict_insert(conn.dialect.name)
    for chunk in _chunks(unit_ids):
        existing = select(Unit.id, literal(1), literal(now, DateTime(timezone=True))).where(Unit.id.in_(chunk)) \
            .order_by(Unit.id)
        if dialect_insert is not None:
            table = UnitVersion.__table__
            statement = dialect_insert(table).from_select(["unit_id", "version", "changed_at"], existing)
            conn.execute(statement.on_conflict_do_update(
                index_elements=["unit_id"], set_={"version": table.c.version + 1, "changed_at": now}))
            continue
        # any other database: raise the rows there are, then add the missing ones
        conn.execute(update(UnitVersion).where(UnitVersion.unit_id.in_(chunk))
                     .values(version=UnitVersion.version + 1, changed_at=now))
        have = set(conn.scalars(select(UnitVersion.unit_id).where(UnitVersion.unit_id.in_(chunk))))
        rows = [{"unit_id": u, "version": 1, "changed_at": now}
                for u in conn.scalars(select(Unit.id).where(Unit.id.in_(chunk))) if u not in have]
        if rows:
            conn.execute(UnitVersion.__table__.insert(), rows)
    return unit_ids


def _tree_versions():
    """(unit, version) of a unit and every unit under it, at any depth (a recursive query; UNION stops at a
    circle). Built once: a statement built per call costs more to compile than to run."""
    tree = select(Unit.id).where(Unit.id == bindparam("unit_id")).cte("unit_tree", recursive=True)
    tree = tree.union(select(Unit.id).join(tree, Unit.parent_id == tree.c.id))
    return (select(UnitVersion.unit_id, UnitVersion.version).where(UnitVersion.unit_id.in_(select(tree.c.id)))
            .order_by(UnitVersion.unit_id))


_TREE_VERSIONS = _tree_versions()


def unit_version(db: Engine | Connection, unit_id: int) -> tuple:
    """The data version of a unit and the units under it: changes with every write to any of them (one query)."""
    if isinstance(db, Connection):
        return (unit_id, *(tuple(r) for r in db.execute(_TREE_VERSIONS, {"unit_id": unit_id})))
    with db.connect() as conn:
        return (unit_id, *(tuple(r) for r in conn.execute(_TREE_VERSIONS, {"unit_id": unit_id})))
