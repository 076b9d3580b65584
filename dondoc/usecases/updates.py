"""Writes that follow a plan's life: status reports, extensions, acknowledgements, event triggers,
deadline meanings.

Every shell (command line, office page, standing office's page, spreadsheet) records
through these functions, and every one checks its input with :mod:`dondoc.domain.rules`
first, so a rule holds whichever way a person reports. Each runs in one unit of
work and writes an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dondoc.domain.deadlines import deadline_text_for, read_deadline
from dondoc.domain.rules import MAX_NOTE, InvalidUpdate, check_person, check_report, check_text, parse_status
from dondoc.domain.status import UNSET_KIND, Stored
from dondoc.storage.db import unit_of_work
from dondoc.storage.dues import open_dues
from dondoc.storage.lookups import LookupFailed, find_item
from dondoc.storage.milestones import apply_deadline
from dondoc.storage.models import COOP_PART, LEAD_PART, ItemOffice, Acknowledgement, AuditEntry, Extension, Item, Milestone, Occurrence, Plan, StatusUpdate
from dondoc.text import ascii_digits
from dondoc.usecases.context import Context


@dataclass(frozen=True)
class Recorded:
    update_id: int
    item: str
    milestone: str | None
    due: date | None


def _pick_milestone(item: Item, label: str | None) -> list[Milestone]:
    active = [m for m in item.milestones if m.active]
    if label is None:
        return active
    index = ascii_digits(label, 3)
    if index is not None and 1 <= index <= len(active):
        return [active[index - 1]]
    chosen = [m for m in active if (m.label or "").casefold() == label.casefold()]
    if not chosen:
        names = "; ".join(f"{i}. {m.label or m.kind}" for i, m in enumerate(active, 1))
        raise LookupFailed(f"Mục không có mốc «{label}» (unknown milestone). Các mốc: {names}")
    return chosen


def _target(item: Item, milestones: list[Milestone], on: date, due: date | None, session: Session):
    """The milestone and due date an update is about.

    With ``due`` given: the occurrence with that nominal or effective date. Otherwise
    the earliest due date (by deadline) not yet done on ``on``; an item with only
    continuous or untriggered event milestones takes the first of them.
    """
    dated = [(m, o) for m in milestones for o in m.occurrences]
    if due is not None:
        for m, o in dated:
            if due in (o.nominal_due, o.effective_due, o.extended_due):
                return m, o
        raise LookupFailed(f"Mục {item.number} không có hạn ngày {due.isoformat()} (no such due date).")
    if dated:
        done_ids = set(
            session.scalars(
                select(StatusUpdate.occurrence_id).where(
                    StatusUpdate.item_id == item.id,
                    StatusUpdate.status == Stored.DONE.value,
                    StatusUpdate.part == LEAD_PART,
                    StatusUpdate.as_of <= on,
                )
            )
        )
        open_ = [(m, o) for m, o in dated if o.id not in done_ids]
        if open_:
            return min(open_, key=lambda mo: (mo[1].extended_due or mo[1].effective_due, mo[0].position))
        return max(dated, key=lambda mo: mo[1].nominal_due)
    undated = [m for m in milestones if m.kind in ("continuous", "event", UNSET_KIND)]
    if undated:
        return undated[0], None
    raise LookupFailed(f"Mục {item.number} không có mốc nào để cập nhật (no milestone).")


def record_update(
    ctx: Context,
    ref: str | int,
    status: str,
    *,
    on: date,
    note: str | None = None,
    product: str | None = None,
    evidence: str | None = None,
    by: str | None = None,
    milestone: str | None = None,
    due: date | None = None,
    plan: str | None = None,
    unit: str | None = None,
    source: str = "cli",
    attach: Callable[[Session, int], None] | None = None,
    office_id: int | None = None,
) -> Recorded:
    """Append one status report. ``ref`` is an item id or a reference ("<plan code>#15", "15").
    ``attach(session, update_id)`` adds rows that belong to it (an evidence file) in the same
    transaction: the report and its attachments are stored together or not at all.
    ``office_id``: the office reporting for itself (its page, its sheet); when it only cooperates on
    the item, the report is of its own part and never sets (or closes) the lead office's milestone."""
    problems = check_report(status, note=note, product=product, by=by)
    if problems:
        raise InvalidUpdate(*problems)
    stored = parse_status(status)
    with unit_of_work(ctx.engine) as session:
        item = find_item(session, ref, plan, unit)
        item = session.scalar(
            select(Item)
            .where(Item.id == item.id)
            .options(selectinload(Item.milestones).selectinload(Milestone.occurrences), selectinload(Item.plan))
        )
        m, occ = _target(item, _pick_milestone(item, milestone), on, due, session)
        update_id = append_update(session, item.id, m.id, occ.id if occ else None, stored, on=on, note=note,
                                  product=product, evidence=evidence, by=by, source=source,
                                  part=part_of(session, item.id, office_id))
        if attach is not None:
            attach(session, update_id)
        return Recorded(update_id, f"{item.plan.code}#{item.number}", m.label or m.kind, occ.nominal_due if occ else None)


def part_of(session: Session, item_id: int, office_id: int | None) -> str:
    """Whose part a report is: the lead's unless the reporting office only cooperates on the item."""
    if office_id is None:
        return LEAD_PART
    roles = set(session.scalars(select(ItemOffice.role).where(ItemOffice.item_id == item_id,
                                                              ItemOffice.office_id == office_id)))
    return COOP_PART if roles and "lead" not in roles else LEAD_PART


def append_update(session: Session, item_id: int, milestone_id: int, occurrence_id: int | None, status: Stored, *,
                  on: date, note: str | None, product: str | None, by: str | None, source: str,
                  evidence: str | None = None, audit: dict | None = None, part: str = LEAD_PART) -> int:
    """Store one status report (checked already) and its audit entry; returns the report's id."""
    update = StatusUpdate(item_id=item_id, milestone_id=milestone_id, occurrence_id=occurrence_id, status=status.value,
                          note=note.strip() if note else None, product=product.strip() if product else None,
                          evidence=evidence, reported_by=by, as_of=on, source=source, part=part)
    session.add(update)
    session.flush()
    session.add(AuditEntry(actor=by, action="status.update", entity="item", entity_id=item_id,
                           details={"status": status.value, "as_of": on.isoformat(), "occurrence": occurrence_id,
                                    "source": source, "part": part, **(audit or {})}))
    return update.id


def extend(
    ctx: Context,
    ref: str | int,
    new_due: date,
    *,
    by: str,
    reason: str | None = None,
    milestone: str | None = None,
    due: date | None = None,
    on: date,
    plan: str | None = None,
    unit: str | None = None,
) -> tuple[str, date, date]:
    """Move a due date; the original nominal and effective dates stay as they were."""
    problems = check_person(by, "cho gia hạn") + check_text("Lý do", reason, MAX_NOTE)
    if problems:
        raise InvalidUpdate(*problems)
    by = by.strip()
    with unit_of_work(ctx.engine) as session:
        item = find_item(session, ref, plan, unit)
        item = session.scalar(
            select(Item).where(Item.id == item.id).options(selectinload(Item.milestones).selectinload(Milestone.occurrences))
        )
        m, occ = _target(item, _pick_milestone(item, milestone), on, due, session)
        if occ is None:
            raise InvalidUpdate(f"Mục {item.number}: mốc này chưa có hạn để gia hạn (nothing to extend).")
        previous = occ.extended_due or occ.effective_due
        if new_due <= previous:
            raise InvalidUpdate(
                f"Hạn mới {new_due:%d/%m/%Y} phải sau hạn hiện tại {previous:%d/%m/%Y} (an extension moves the date later)."
            )
        occ.extended_due = new_due
        session.add(Extension(occurrence_id=occ.id, previous_due=previous, new_due=new_due, granted_by=by, reason=reason))
        session.add(
            AuditEntry(
                actor=by,
                action="occurrence.extend",
                entity="occurrence",
                entity_id=occ.id,
                details={"from": previous.isoformat(), "to": new_due.isoformat(), "reason": reason},
            )
        )
        return item.number, previous, new_due


def trigger_event(
    ctx: Context,
    ref: str | int,
    *,
    on: date,
    due: date | None = None,
    note: str | None = None,
    by: str | None = None,
    milestone: str | None = None,
    plan: str | None = None,
    unit: str | None = None,
    working_days: int | None = None,
) -> tuple[str, date]:
    """Record that the awaited event happened on ``on``; its milestone is then due on ``due``, or
    ``working_days`` working days after ``on`` (exactly one of the two)."""
    if (due is None) == (working_days is None):
        raise InvalidUpdate("Cần ghi đúng một trong hai: hạn hoàn thành hoặc số ngày làm việc.")
    if working_days is not None:
        if not 1 <= working_days <= 365:
            raise InvalidUpdate("Số ngày làm việc phải từ 1 đến 365.")
        due = ctx.calendar.add_working_days(on, working_days)
    if due < on:
        raise InvalidUpdate("Hạn phải sau ngày phát sinh (the due date comes after the trigger).")
    problems = check_text("Ghi chú", note, MAX_NOTE)
    if problems:
        raise InvalidUpdate(*problems)
    with unit_of_work(ctx.engine) as session:
        item = find_item(session, ref, plan, unit)
        events = [m for m in _pick_milestone(item, milestone) if m.kind == "event"]
        waiting = [m for m in events if m.triggered_on is None] or events
        if not waiting:
            raise InvalidUpdate(f"Mục {item.number} không có mốc chờ sự kiện (no event milestone).")
        m = waiting[0]
        m.triggered_on, m.trigger_note = on, note
        m.occurrences.clear()
        session.flush()
        effective = ctx.calendar.effective_due(due)
        m.occurrences.append(Occurrence(item_id=item.id, nominal_due=due, effective_due=effective))
        session.add(
            AuditEntry(
                actor=by,
                action="milestone.trigger",
                entity="milestone",
                entity_id=m.id,
                details={"on": on.isoformat(), "due": due.isoformat(), "note": note},
            )
        )
        return item.number, due


def set_deadline_meaning(
    ctx: Context,
    ref: str | int,
    text: str | None,
    *,
    by: str | None = None,
    plan: str | None = None,
    unit: str | None = None,
):
    """Give an item's deadline a meaning by hand (``text`` None clears the override). A meaning the
    engine cannot read either is refused and nothing changes."""
    problems = check_text("Thời hạn", text, 500)
    if problems:
        raise InvalidUpdate(*problems)
    with unit_of_work(ctx.engine) as session:
        item = find_item(session, ref, plan, unit)
        the_plan = session.get(Plan, item.plan_id)
        wanted = deadline_text_for(item.number, item.deadline_text, text.strip() if text else None, the_plan.code,
                                   ctx.config.deadlines)
        deadline = read_deadline(wanted, the_plan.period_start, the_plan.period_end)
        if text and deadline.needs_review:
            raise InvalidUpdate(f"Mục {item.number}: thời hạn «{text.strip()}» vẫn chưa đọc được: "
                                + "; ".join(deadline.problems))
        item.deadline_override = text.strip() if text else None
        apply_deadline(session, item, the_plan, deadline, ctx.calendar)
        session.add(
            AuditEntry(
                actor=by,
                action="item.deadline_override",
                entity="item",
                entity_id=item.id,
                details={"text": text, "needs_review": deadline.needs_review},
            )
        )
        return deadline


def acknowledge(ctx: Context, ref: str | int, *, by: str, on: date, note: str | None = None,
                plan: str | None = None, unit: str | None = None) -> list[date]:
    """Leadership acknowledges an item's overdue due dates: their escalation stops."""
    problems = check_person(by, "xác nhận") + check_text("Ghi chú", note, MAX_NOTE)
    if problems:
        raise InvalidUpdate(*problems)
    by = by.strip()
    with unit_of_work(ctx.engine) as session:
        item = find_item(session, ref, plan, unit)
    overdue = [d for d in open_dues(ctx.engine, on, [item.id]) if d.deadline < on and not d.acknowledged]
    if not overdue:
        raise InvalidUpdate(f"Mục {item.number} không có hạn nào đang quá hạn để xác nhận (nothing overdue).")
    with unit_of_work(ctx.engine) as session:
        for due in overdue:
            session.add(Acknowledgement(occurrence_id=due.occurrence_id, deadline=due.deadline, acknowledged_by=by,
                                        note=note, at=datetime.combine(on, time(0, 0), tzinfo=timezone.utc)))
    return [d.deadline for d in overdue]
