"""What each item's Prefect deployment must hold: the item, its offices and area, and its checkpoints.

Read set-based (three queries and the checkpoint computation for all items); the
orchestration layer turns these into deployments (:mod:`dondoc.orchestration.sync`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from dondoc.storage.models import Area, Item, ItemOffice, Office, Plan, Unit
from dondoc.usecases.context import Context


@dataclass(frozen=True)
class ItemSchedule:
    item_id: int
    plan_code: str
    number: str
    content: str
    unit_slug: str
    unit_name: str
    area: str | None
    leads: tuple[str, ...]
    checkpoints: tuple[datetime, ...]


def item_schedules(ctx: Context, *, start: date, end: date, as_of: date, item_ids: list[int] | None = None,
                   checkpoints: dict[int, list[datetime]] | None = None) -> list[ItemSchedule]:
    """Every active item (or the given ones) with its checkpoints in [start, end], in appendix order."""
    filters = [Item.removed_at.is_(None)]
    if item_ids is not None:
        filters.append(Item.id.in_(item_ids))
    with ctx.engine.connect() as conn:
        items = conn.execute(
            select(Item.id, Item.number, Item.content, Plan.code, Unit.slug, Unit.name, Area.code.label("area"))
            .join(Plan, Plan.id == Item.plan_id)
            .join(Unit, Unit.id == Plan.unit_id)
            .outerjoin(Area, Area.id == Item.area_id)
            .where(*filters)
            .order_by(Plan.id, Item.position)
        ).all()
        leads: dict[int, list[str]] = defaultdict(list)
        for item_id, name in conn.execute(
            select(ItemOffice.item_id, Office.name)
            .join(Office, Office.id == ItemOffice.office_id)
            .join(Item, Item.id == ItemOffice.item_id)
            .where(ItemOffice.role == "lead", *filters)
            .order_by(ItemOffice.item_id, Office.name)
        ):
            leads[item_id].append(name)
    if checkpoints is None:
        checkpoints = ctx.checkpoints(start, end, as_of=as_of, item_ids=[row.id for row in items])
    return [ItemSchedule(row.id, row.code, row.number, row.content, row.slug, row.name, row.area,
                         tuple(leads[row.id]), tuple(checkpoints.get(row.id, ())))
            for row in items]
