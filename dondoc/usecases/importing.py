"""Importing a parsed plan into the database.

:func:`import_plan` checks everything first (offices, deadline texts) and then
writes in one transaction: a file with an unknown office changes nothing.
Re-importing the same plan (same unit and title) updates it in place: items are
matched by their number and keep their identity and history. An office name that
matches no office of the unit does not stop the import: the item is stored with the
offices that did match, the name is held on it (``Item.unknown_offices``) and listed
in the report, until the standing office maps it (:func:`resolve_held_names`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dondoc.clock import utcnow
from dondoc.configuration import OfficesConfig
from dondoc.domain.deadlines import deadline_text_for, read_deadline
from dondoc.domain.offices import OfficeDirectory, OfficeRef
from dondoc.importer import ParsedPlan
from dondoc.storage.db import unit_of_work
from dondoc.storage.milestones import apply_deadline
from dondoc.storage.models import Area, AuditEntry, Item, ItemOffice, Office, Plan, Unit
from dondoc.text import fold, slugify
from dondoc.usecases.context import Context

from dondoc.usecases.import_report import (  # noqa: F401 (the report's types are part of this module's API)
    COOP_COLUMN,
    LEAD_COLUMN,
    ImportReport,
    ItemChange,
    OfficeProblem,
    UnknownOffices,
    changes_of,
)


def guess_level(unit_name: str, header: str | None = None) -> str:
    """The unit's kind from its name ("Phường Ba Đình"), else from the plan's header ("ỦY BAN NHÂN DÂN PHƯỜNG …").

    >>> guess_level("Xã Ngọc Liên"), guess_level("Phường Hạc Thành"), guess_level("Ba Đình", "Phường Ba Đình")
    ('commune', 'ward', 'ward')
    >>> guess_level("Tỉnh Thanh Hóa"), guess_level("Ngọc Liên")
    ('province', 'commune')
    >>> guess_level("Đặc khu Phú Quốc"), guess_level("Sở Nội vụ"), guess_level("Ban Quản lý Khu kinh tế")
    ('special_zone', 'department', 'department')
    """
    for text in (unit_name, header or ""):
        folded = fold(text).strip()
        if folded.startswith(("tinh ", "thanh pho ")):
            return "province"
        if folded.startswith("phuong "):
            return "ward"
        if folded.startswith("dac khu "):
            return "special_zone"
        if folded.startswith(("so ", "ban quan ly ", "thanh tra tinh")):
            return "department"
        if folded.startswith(("xa ", "thi tran ")):
            return "commune"
    return "commune"


def plan_key(parsed: ParsedPlan) -> str:
    return slugify(parsed.title or Path(parsed.source).stem)[:200]


def office_directory(offices: OfficesConfig, level: str, stored: list[Office] | None = None) -> OfficeDirectory:
    """The unit's offices: those in config for its level, plus offices stored for the unit."""
    spec = offices.level(level)
    entries: list[tuple[OfficeRef, list[str]]] = []
    names: set[str] = set()
    by_name = {o.name: o for o in stored or []}
    for o in spec.offices:
        db = by_name.get(o.name)
        aliases = [*o.aliases, *(db.aliases or [])] if db else list(o.aliases)  # stored aliases add to config's
        entries.append((OfficeRef(db.id if db else o.name, o.name, o.in_unit_group), aliases))
        names.add(o.name)
    for db in stored or []:
        if db.name not in names:
            entries.append((OfficeRef(db.id, db.name, db.in_unit_group), list(db.aliases or [])))
    return OfficeDirectory(entries, spec.groups, offices.abbreviations)


def _resolve_offices(parsed: ParsedPlan, directory: OfficeDirectory) -> tuple[dict[str, tuple], list[OfficeProblem]]:
    resolved: dict[str, tuple] = {}
    problems: list[OfficeProblem] = []
    for item in parsed.items:
        lead = directory.resolve(item.lead)
        coop = directory.resolve(item.cooperating, exclude=lead.offices)
        for column, res in ((LEAD_COLUMN, lead), (COOP_COLUMN, coop)):
            problems.extend(OfficeProblem(item.source_row, column, item.number, n) for n in res.unknown)
        if not lead.offices and not lead.unknown:
            problems.append(OfficeProblem(item.source_row, LEAD_COLUMN, item.number, item.lead or "(trống)"))
        resolved[item.number] = (lead, coop)
    return resolved, problems


def import_plan(
    ctx: Context,
    parsed: ParsedPlan,
    *,
    unit_name: str,
    level: str | None = None,
    title: str | None = None,
    period: tuple[int, int] | None = None,
    create_offices: bool = False,
    source_bytes: bytes | None = None,
    actor: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Store ``parsed`` for the unit; names that match no office are held (see the module's docstring).
    With ``create_offices`` they become offices of the unit instead."""
    unit_name = unit_name.strip()
    level = level or guess_level(unit_name, parsed.unit_name)
    plan_title = (title or parsed.title or Path(parsed.source).stem).strip()
    if period is None:
        start = parsed.period_start or ctx.today().year
        end = parsed.period_end or start + ctx.settings.default_plan_years - 1
        period = (start, end)
    calendar, config = ctx.calendar, ctx.config
    key = slugify(title) if title else plan_key(parsed)
    # Reading the deadline texts is the slow part: done before the write transaction, so other
    # writers wait only for the writing (a text changed by a stored or configured meaning is read inside).
    readings = {pi.deadline: read_deadline(pi.deadline, period[0], period[1]) for pi in parsed.items}

    with unit_of_work(ctx.engine) as session:
        unit = session.scalar(select(Unit).where(Unit.name == unit_name))
        if unit is None:
            unit = Unit(name=unit_name, slug=unique_value(session, Unit.slug, slugify(unit_name)), level=level)
            session.add(unit)
            session.flush()
        stored_offices = list(session.scalars(select(Office).where(Office.unit_id == unit.id)))
        directory = office_directory(config.offices, unit.level, stored_offices)
        resolved, problems = _resolve_offices(parsed, directory)
        report_created: list[str] = []
        offices_by_key = ensure_offices(session, unit, config.offices, stored_offices)
        if problems and create_offices:
            for p in problems:
                if p.name not in offices_by_key and p.name != "(trống)":
                    office = Office(unit=unit, name=p.name[:200], aliases=[], in_unit_group=False, from_config=False)
                    session.add(office)
                    offices_by_key[p.name] = office
                    report_created.append(p.name)
            session.flush()
            directory = office_directory(config.offices, unit.level, list(offices_by_key.values()))
            resolved, problems = _resolve_offices(parsed, directory)
            if problems:
                raise UnknownOffices(parsed.source, unit_name, problems)

        plan = session.scalar(
            select(Plan)
            .where(Plan.unit_id == unit.id, Plan.key == key)
            .options(selectinload(Plan.items).selectinload(Item.milestones), selectinload(Plan.areas))
        )
        created = plan is None
        if plan is None:
            plan = Plan(
                unit=unit,
                key=key,
                code=unique_value(session, Plan.code, f"{unit.slug}-{period[0]}-{period[1]}"),
                title=plan_title,
                period_start=period[0],
                period_end=period[1],
            )
            session.add(plan)
        plan.title = plan_title
        plan.number = parsed.number
        plan.issuer = parsed.issuer
        plan.period_start, plan.period_end = period
        plan.source_file = Path(parsed.source).name
        plan.source_sha256 = hashlib.sha256(source_bytes).hexdigest() if source_bytes is not None else None
        plan.updated_at = utcnow()
        session.flush()

        areas = {a.code: a for a in plan.areas}
        for pa in parsed.areas:
            area = areas.get(pa.code)
            if area is None:
                area = Area(plan=plan, code=pa.code, title=pa.title, position=pa.position)
                session.add(area)
                areas[pa.code] = area
            area.title, area.position = pa.title, pa.position

        report = ImportReport(unit.name, plan.code, plan.title, created, areas=len(parsed.areas))
        report.offices_created = report_created
        report.unknown_offices = problems  # held with their items until the standing office maps them
        held: dict[str, list[list[str]]] = {}
        for p in problems:
            held.setdefault(p.item, []).append([p.column, p.name])
        existing = {i.number: i for i in plan.items}
        seen: set[str] = set()
        for index, pi in enumerate(parsed.items, 1):
            seen.add(pi.number)
            item = existing.get(pi.number)
            fields = dict(
                position=pi.position,
                content=pi.content,
                lead_text=pi.lead,
                cooperating_text=pi.cooperating,
                deadline_text=pi.deadline,
                product=pi.product,
                source_row=pi.source_row,
                area=areas.get(pi.area_code) if pi.area_code else None,
            )
            is_new = item is None
            what: list[str] = []
            if item is None:
                item = Item(plan=plan, number=pi.number, **fields)
                session.add(item)
            else:
                what = changes_of(item, fields)
                if item.area is not fields["area"]:
                    what.append("lĩnh vực")
                if item.removed_at is not None:
                    what.insert(0, "trở lại kế hoạch")
                    report.items_restored.append(pi.number)
                for k, v in fields.items():
                    setattr(item, k, v)
                item.removed_at = None
            lead, coop = resolved[pi.number]
            if _set_item_offices(item, lead, coop, offices_by_key) and not is_new:
                what.append("cơ quan")
            item.unknown_offices = held.get(pi.number)
            text = deadline_text_for(pi.number, pi.deadline, item.deadline_override, plan.code, config.deadlines)
            deadline = readings.get(text) or read_deadline(text, period[0], period[1])
            change = apply_deadline(session, item, plan, deadline, calendar)
            if change.meaning and not is_new:  # a new meaning says more than new words
                what = [w for w in what if w != "lời văn thời hạn"] + ["thời hạn"]
            if deadline.needs_review:
                report.needs_review.append((pi.number, text, list(deadline.problems)))
            if is_new:
                report.items_added += 1
            elif what:
                item.updated_at = utcnow()
                report.items_updated += 1
                report.changes.append(ItemChange(pi.number, tuple(what), tuple(change.moved), tuple(change.retired),
                                                 tuple(change.restored)))
            else:
                report.items_unchanged += 1
            if progress:
                progress(index, len(parsed.items))
        for number, item in existing.items():
            if number not in seen and item.removed_at is None:
                item.removed_at = utcnow()
                report.items_removed += 1
                report.removed.append(number)
        session.add(
            AuditEntry(
                actor=actor,
                action="plan.import" if created else "plan.reimport",
                entity="plan",
                entity_id=None,
                details={
                    "plan": plan.code,
                    "source": plan.source_file,
                    "added": report.items_added,
                    "updated": report.items_updated,
                    "removed": report.items_removed,
                    "changes": {c.number: list(c.what) for c in report.changes},
                    "removed_items": report.removed,
                    "restored_items": report.items_restored,
                    "offices_created": report_created,
                },
            )
        )
        session.flush()
    return report


def _set_item_offices(item: Item, lead, coop, offices_by_key: dict) -> bool:
    wanted: dict[tuple[int, str], bool] = {}
    for role, res in (("lead", lead), ("coop", coop)):
        for ref in res.offices:
            office = offices_by_key[ref.key] if ref.key in offices_by_key else offices_by_key[ref.name]
            wanted.setdefault((id(office), role), ref.key in res.via_group)
    current = {(id(link.office), link.role): link for link in item.offices}
    if set(current) == set(wanted) and all(current[k].via_group == v for k, v in wanted.items()):
        return False
    item.offices.clear()
    objects = {id(o): o for o in offices_by_key.values()}
    for (oid, role), via in wanted.items():
        item.offices.append(ItemOffice(office=objects[oid], role=role, via_group=via))
    return True


def ensure_offices(session: Session, unit: Unit, offices: OfficesConfig, stored: list[Office]) -> dict:
    """Create the unit's config offices that are not stored yet; map office id/name -> Office."""
    by_name = {o.name: o for o in stored}
    for spec in offices.level(unit.level).offices:
        office = by_name.get(spec.name)
        if office is None:
            office = Office(
                unit=unit,
                name=spec.name,
                short_name=spec.short_name,
                aliases=list(spec.aliases),
                in_unit_group=spec.in_unit_group,
                head=spec.head,
                pct_in_charge=spec.pct_in_charge,
                from_config=True,
            )
            session.add(office)
            by_name[spec.name] = office
    session.flush()
    mapping: dict = {}
    for office in by_name.values():
        mapping[office.id] = office
        mapping[office.name] = office
    return mapping


def unique_value(session: Session, column, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is not yet stored in ``column``."""
    value, n = base, 1
    while session.scalar(select(column).where(column == value).limit(1)) is not None:
        n += 1
        value = f"{base}-{n}"
    return value


def resolve_held_names(ctx: Context, unit_id: int) -> int:
    """Match the office names held on the unit's items again (after the standing office mapped some):
    the items get the offices now known. Returns how many items still hold a name."""
    with unit_of_work(ctx.engine) as session:
        unit = session.get(Unit, unit_id)
        stored = list(session.scalars(select(Office).where(Office.unit_id == unit.id)))
        offices_by_key = ensure_offices(session, unit, ctx.config.offices, stored)
        directory = office_directory(ctx.config.offices, unit.level, [o for k, o in offices_by_key.items()
                                                                       if isinstance(k, int)])
        waiting = 0
        for item in session.scalars(select(Item).join(Plan).where(Plan.unit_id == unit_id,
                                                                  Item.unknown_offices.is_not(None))):
            lead = directory.resolve(item.lead_text)
            coop = directory.resolve(item.cooperating_text, exclude=lead.offices)
            _set_item_offices(item, lead, coop, offices_by_key)
            names = [[LEAD_COLUMN, n] for n in lead.unknown] + [[COOP_COLUMN, n] for n in coop.unknown]
            if not lead.offices and not lead.unknown:
                names.append([LEAD_COLUMN, "(trống)"])
            item.unknown_offices = names or None
            waiting += bool(names)
        return waiting
