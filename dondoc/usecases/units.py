"""Units under units: a province (tỉnh) and its communes, wards and special zones (xã, phường, đặc khu).

A province's status run, pages, feed and report add up the units placed under it. ``place_unit`` puts a
unit under another one, creating the upper unit (its kind read from its name) when it does not exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from dondoc.storage.db import unit_of_work
from dondoc.storage.lookups import LookupFailed, find_unit
from dondoc.storage.models import Unit
from dondoc.text import slugify
from dondoc.usecases.importing import guess_level, unique_value


@dataclass(frozen=True)
class Placed:
    unit: str
    parent: str
    parent_created: bool
    siblings: int  # units now under the parent, this one included


def place_unit(ctx, name: str, parent_name: str) -> Placed:
    """Put unit ``name`` under ``parent_name`` (created when missing). Refuses a circle."""
    with unit_of_work(ctx.engine) as session:
        unit = find_unit(session, name)
        created = False
        try:
            parent = find_unit(session, parent_name)
        except LookupFailed:
            parent_name = " ".join(parent_name.split())
            if not parent_name:
                raise
            parent = Unit(name=parent_name, slug=unique_value(session, Unit.slug, slugify(parent_name)),
                          level=guess_level(parent_name))
            session.add(parent)
            session.flush()
            created = True
        above, seen = parent, set()
        while above is not None and above.id not in seen:
            if above.id == unit.id:
                raise LookupFailed(f"Không thể đặt «{unit.name}» dưới «{parent.name}»: «{parent.name}» đang "
                                   f"thuộc «{unit.name}».")
            seen.add(above.id)
            above = session.get(Unit, above.parent_id) if above.parent_id else None
        unit.parent_id = parent.id
        session.flush()
        siblings = session.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == parent.id))
        return Placed(unit.name, parent.name, created, siblings)

