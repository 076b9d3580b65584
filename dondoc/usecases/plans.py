"""What the standing office does around plans: import a file, the example plans, the items whose
deadline waits for a meaning, and the office names to map.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.lookups import find_plan
from dondoc.storage.models import AuditEntry, Item, Office, Plan, Unit
from dondoc.text import fold
from dondoc.usecases.context import Context
from dondoc.usecases.importing import (
    ImportReport,
    OfficeProblem,
    UnknownOffices,
    ensure_offices,
    import_plan,
    office_directory,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_PLANS = {"ke-hoach-cchc-xa-ngoc-lien-2026-2030.txt": "Xã Ngọc Liên",
                 "ke-hoach-cchc-xa-truong-xuan-2026-2030.txt": "Xã Trường Xuân"}


class WrongUnit(ValueError):
    """A plan file issued by another unit than the one importing it."""


def import_file(ctx: Context, path: Path, *, unit_name: str | None = None, expect_unit: str | None = None,
                **options) -> ImportReport:
    """Parse ``path`` and import it (see :func:`import_plan`). ``expect_unit``: refuse a plan whose
    header names another unit (the standing office imports for its own unit only)."""
    from dondoc.importer import ImportFormatError, parse_plan_file

    parsed = parse_plan_file(path)
    name = unit_name or expect_unit or parsed.unit_name
    if not name:
        raise ImportFormatError(f"Tệp {path.name} không ghi đơn vị ban hành; hãy chỉ rõ bằng --unit (unit required).")
    if expect_unit and parsed.unit_name and fold(parsed.unit_name).strip() != fold(expect_unit).strip():
        raise WrongUnit(f"Tệp {path.name} là kế hoạch của {parsed.unit_name}, không phải của {expect_unit} "
                        "(the plan belongs to another unit).")
    return import_plan(ctx, parsed, unit_name=name, source_bytes=path.read_bytes(), **options)


def has_plans(ctx: Context) -> bool:
    with ctx.engine.connect() as conn:
        return conn.execute(select(Plan.id).limit(1)).first() is not None


def import_examples(ctx: Context) -> list[ImportReport]:
    """The two example plans, when the database holds no plan yet."""
    if has_plans(ctx):
        return []
    return [import_file(ctx, EXAMPLES / name, unit_name=unit)
            for name, unit in EXAMPLE_PLANS.items() if (EXAMPLES / name).is_file()]


@dataclass(frozen=True)
class ReviewRow:
    """An item whose deadline text was not read: it waits for a person to give it a meaning."""

    item_id: int
    plan: str
    number: str
    content: str
    deadline_text: str
    problems: list[str]
    unit: str = ""  # the unit's name: what «dondoc set-deadline --unit» takes


def review_items(ctx: Context, plan: str | None = None, unit_id: int | None = None) -> list[ReviewRow]:
    """Items whose deadline needs a meaning set by hand, in appendix order."""
    with read_session(ctx.engine) as session:
        query = (select(Item, Plan.code, Unit.name).select_from(Item).join(Plan, Plan.id == Item.plan_id)
                 .join(Unit, Unit.id == Plan.unit_id)
                 .where(Item.needs_review.is_(True), Item.removed_at.is_(None)))
        if plan:
            query = query.where(Plan.id == find_plan(session, plan).id)
        if unit_id is not None:
            query = query.where(Plan.unit_id == unit_id)
        rows = session.execute(query.order_by(Plan.id, Item.position)).all()
        return [ReviewRow(item.id, code, item.number, item.content, item.deadline_text, list(item.review_problems or []),
                          unit=unit)
                for item, code, unit in rows]


def map_office_names(ctx: Context, unit_id: int, choices: dict[str, str], *, new_office: str,
                     actor: str = "standing") -> None:
    """Remember what the standing office said each unknown name stands for: an office of the unit
    (the name becomes one of its aliases) or ``new_office`` (an office of that name is created)."""
    with unit_of_work(ctx.engine) as session:
        unit = session.get(Unit, unit_id)
        stored = list(session.scalars(select(Office).where(Office.unit_id == unit.id)))
        by_name = {o.name: o for o in ensure_offices(session, unit, ctx.config.offices, stored).values()}
        for name, choice in choices.items():
            if not name or not choice:
                continue
            if choice == new_office:
                if name[:200] not in by_name:
                    office = Office(unit=unit, name=name[:200], aliases=[], in_unit_group=False, from_config=False)
                    session.add(office)
                    by_name[office.name] = office
                    session.add(AuditEntry(actor=actor, action="office.create", entity="office",
                                           details={"name": name, "via": actor}))
                continue
            office = by_name.get(choice)
            if office is None:
                raise UnknownOffices("", unit.name, [OfficeProblem(None, "", "", choice)])
            if name not in (office.aliases or []):
                office.aliases = [*(office.aliases or []), name]
                session.add(AuditEntry(actor=actor, action="office.alias", entity="office", entity_id=office.id,
                                       details={"alias": name, "via": actor}))


def known_office_names(ctx: Context, unit_id: int, level: str) -> list[str]:
    """Every office name an unknown name may be mapped to, sorted."""
    with read_session(ctx.engine) as session:
        stored = list(session.scalars(select(Office).where(Office.unit_id == unit_id)))
        return sorted(ref.name for ref in office_directory(ctx.config.offices, level, stored).offices)
