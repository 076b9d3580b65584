"""Finding units, plans, items and offices again from what a person typed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dondoc.domain.labels import short_plan_title
from dondoc.domain.offices import normalize_name
from dondoc.storage.models import Item, Office, Plan, Unit
from dondoc.text import fold, slugify


class LookupFailed(LookupError):
    """A unit, plan, item or office named by a person was not found (or is ambiguous)."""


def find_unit(session: Session, name: str) -> Unit:
    units = list(session.scalars(select(Unit)))
    key = fold(name).strip()
    exact = [u for u in units if fold(u.name) == key or u.slug == slugify(name)]
    if exact:
        return exact[0]
    partial = [u for u in units if key in fold(u.name)]
    if len(partial) == 1:
        return partial[0]
    known = ", ".join(u.name for u in units) or "(chưa có)"
    raise LookupFailed(f"Không tìm thấy đơn vị «{name}» (unknown unit). Các đơn vị đã có: {known}")


def unit_tree_ids(session: Session, unit_id: int) -> list[int]:
    """The unit and every unit under it (a province's communes and wards, their own sub-units), set-based by
    level: one query per level of the tree."""
    return list(unit_branches(session, unit_id))


def named_or_only_unit(session: Session, name: str | None, *, with_plans: bool = True) -> Unit:
    """The unit ``name`` names; without a name, the only unit (with a plan, by default) there is."""
    if name:
        return find_unit(session, name)
    query = select(Unit).where(Unit.plans.any()) if with_plans else select(Unit)
    units = list(session.scalars(query))
    if len(units) != 1:
        names = ", ".join(u.name for u in units) or "(chưa có)"
        raise LookupFailed(f"Hãy chọn đơn vị bằng --unit (several units, or none). Các đơn vị: {names}")
    return units[0]


def find_plan(session: Session, plan: str | None = None, unit: str | None = None) -> Plan:
    """A plan named by its title (or a unique part of it, or its short title "KH CCHC 2026–2030"), by its code,
    or the only plan (of the unit)."""
    query = select(Plan)
    if unit:
        query = query.where(Plan.unit_id == find_unit(session, unit).id)
    plans = list(session.scalars(query.order_by(Plan.id)))
    if plan:
        chosen = _plans_named(plans, plan)
        if len(chosen) != 1:
            which = _listed(chosen or plans) or "(chưa có)"
            first = "Có nhiều kế hoạch khớp" if chosen else "Không tìm thấy kế hoạch"
            raise LookupFailed(f"{first} «{plan}». Hãy ghi tên kế hoạch (hoặc một phần tên) trong số: {which}")
        return chosen[0]
    if len(plans) == 1:
        return plans[0]
    if not plans:
        raise LookupFailed("Chưa có kế hoạch nào; hãy chạy «dondoc import» trước.")
    raise LookupFailed("Có nhiều kế hoạch, hãy chọn bằng --plan \"<tên kế hoạch>\": "
                       + _listed(plans))


def _listed(plans: list[Plan]) -> str:
    """Plans as a person tells them apart: «title» (unit)."""
    return "; ".join(f"«{p.title}» ({p.unit.name})" for p in plans)


def _plans_named(plans: list[Plan], name: str) -> list[Plan]:
    exact = [p for p in plans if p.code == name or str(p.id) == name]
    if exact:
        return exact
    key = " ".join(fold(name).split())
    titled = [p for p in plans if fold(p.title) == key or fold(short_plan_title(p.title)) == key]
    return titled or [p for p in plans if key and key in " ".join(fold(p.title).split())]


def find_item(session: Session, ref: str | int, plan: str | None = None, unit: str | None = None) -> Item:
    """An item by its id (an ``int``), by "<plan code>#<number>", or by number within the chosen plan."""
    if isinstance(ref, int):
        item = session.get(Item, ref)
        if item is None or item.removed_at is not None:
            raise LookupFailed(f"Không có mục {ref} (unknown item).")
        return item
    if "#" in ref:
        plan, ref = ref.rsplit("#", 1)
    number = ref.strip().rstrip(".")
    the_plan = find_plan(session, plan, unit)
    item = session.scalar(
        select(Item).where(Item.plan_id == the_plan.id, Item.number == number, Item.removed_at.is_(None))
    )
    if item is None:
        raise LookupFailed(f"Kế hoạch {the_plan.code} không có mục số {number} (unknown item).")
    return item


def find_offices(session: Session, name: str, unit_id: int | None = None) -> list[Office]:
    """Offices whose name or alias matches ``name`` (accents and case ignored; partial names allowed)."""
    query = select(Office)
    if unit_id is not None:
        query = query.where(Office.unit_id == unit_id)
    offices = list(session.scalars(query))
    key = normalize_name(name)
    exact = [o for o in offices if key in {normalize_name(n) for n in (o.name, o.short_name or "", *(o.aliases or []))}]
    if exact:
        return exact
    partial = [o for o in offices if key and key in normalize_name(o.name)]
    if partial:
        return partial
    raise LookupFailed(f"Không tìm thấy cơ quan «{name}» (unknown office).")


def find_one_office(session: Session, name: str, unit: str | None = None) -> Office:
    """The one office ``name`` stands for (within ``unit`` when given); ambiguous names are refused."""
    unit_id = find_unit(session, unit).id if unit else None
    offices = find_offices(session, name, unit_id)
    if len({o.id for o in offices}) > 1:
        names = "; ".join(f"{o.name} ({o.unit.name})" for o in offices)
        raise LookupFailed(f"«{name}» khớp với nhiều cơ quan, hãy ghi rõ hơn hoặc dùng --unit (ambiguous office): {names}")
    return offices[0]


def unit_items(engine, unit_id: int) -> list[int]:
    """The ids of a unit's items (not removed)."""
    with engine.connect() as conn:
        return list(conn.scalars(select(Item.id).join(Plan, Plan.id == Item.plan_id)
                                 .where(Plan.unit_id == unit_id, Item.removed_at.is_(None))))


def unit_branches(session: Session, unit_id: int) -> dict[int, int]:
    """Every unit of ``unit_id``'s tree mapped to the unit directly under ``unit_id`` it lies in (a commune's
    own sub-units count with the commune); ``unit_id`` maps to itself. One query per level of the tree."""
    branch = {unit_id: unit_id}
    level = [unit_id]
    while level:
        rows = session.execute(select(Unit.id, Unit.parent_id).where(Unit.parent_id.in_(level))).all()
        level = []
        for child, parent in rows:
            if child not in branch:
                branch[child] = child if parent == unit_id else branch[parent]
                level.append(child)
    return branch


def has_child_units(session: Session, unit_id: int) -> bool:
    """Whether any unit is placed under ``unit_id`` (a province with its communes)."""
    return session.scalar(select(Unit.id).where(Unit.parent_id == unit_id).limit(1)) is not None


def unit_names(session: Session, unit_ids: list[int]) -> dict[int, str]:
    """The units' names, by id (one query)."""
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()) if unit_ids else {}


def units_with_plans(session: Session, unit_ids: list[int]) -> set[int]:
    """Those of the units that hold a plan (one query)."""
    return set(session.scalars(select(Plan.unit_id).where(Plan.unit_id.in_(unit_ids)).distinct())) if unit_ids else set()
