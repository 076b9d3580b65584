"""Writes that follow a plan's life: status updates, extensions, event triggers, deadline overrides.

Every function runs inside one unit of work and writes an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from dondoc.configuration import AppConfig
from dondoc.db import unit_of_work
from dondoc.models import Acknowledgement, AuditEntry, Extension, Item, Milestone, Occurrence, Plan, StatusUpdate
from dondoc.plans import LookupFailed, find_item
from dondoc.schedule import apply_deadline, deadline_text_for, read_deadline, work_calendar
from dondoc.settings import Settings
from dondoc.status import Stored

MAX_NOTE = 4000
MAX_PRODUCT = 1000


class InvalidUpdate(ValueError):
    """An update that cannot be recorded; the message says why."""


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
    if label.isdigit() and 1 <= int(label) <= len(active):
        return [active[int(label) - 1]]
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
                    StatusUpdate.as_of <= on,
                )
            )
        )
        open_ = [(m, o) for m, o in dated if o.id not in done_ids]
        if open_:
            return min(open_, key=lambda mo: (mo[1].extended_due or mo[1].effective_due, mo[0].position))
        return max(dated, key=lambda mo: mo[1].nominal_due)
    undated = [m for m in milestones if m.kind in ("continuous", "event")]
    if undated:
        return undated[0], None
    raise LookupFailed(f"Mục {item.number} không có mốc nào để cập nhật (no milestone).")


def record_update(
    engine: Engine,
    ref: str,
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
) -> Recorded:
    """Append one status report. ``attach(session, update_id)`` adds rows that belong to it (an
    evidence file) in the same transaction: the report and its attachments are stored together or not at all."""
    try:
        stored = Stored(status)
    except ValueError:
        allowed = ", ".join(s.value for s in Stored)
        raise InvalidUpdate(f"Trạng thái «{status}» không hợp lệ (invalid status); dùng một trong: {allowed}") from None
    if note and len(note) > MAX_NOTE:
        raise InvalidUpdate(f"Ghi chú dài quá {MAX_NOTE} ký tự (note too long).")
    if product and len(product) > MAX_PRODUCT:
        raise InvalidUpdate(f"Sản phẩm dài quá {MAX_PRODUCT} ký tự (product too long).")
    if stored is Stored.BLOCKED and not (note and note.strip()):
        raise InvalidUpdate("Trạng thái vướng mắc cần ghi rõ lý do bằng --note (a blocked item needs a reason).")
    with unit_of_work(engine) as session:
        item = find_item(session, ref, plan, unit)
        item = session.scalar(
            select(Item)
            .where(Item.id == item.id)
            .options(selectinload(Item.milestones).selectinload(Milestone.occurrences), selectinload(Item.plan))
        )
        m, occ = _target(item, _pick_milestone(item, milestone), on, due, session)
        update = StatusUpdate(
            item_id=item.id,
            milestone_id=m.id,
            occurrence_id=occ.id if occ else None,
            status=stored.value,
            note=note.strip() if note else None,
            product=product.strip() if product else None,
            evidence=evidence,
            reported_by=by,
            as_of=on,
            source=source,
        )
        session.add(update)
        session.flush()
        if attach is not None:
            attach(session, update.id)
        session.add(
            AuditEntry(
                actor=by,
                action="status.update",
                entity="item",
                entity_id=item.id,
                details={"status": stored.value, "as_of": on.isoformat(), "occurrence": occ.id if occ else None},
            )
        )
        return Recorded(update.id, f"{item.plan.code}#{item.number}", m.label or m.kind, occ.nominal_due if occ else None)


def extend(
    engine: Engine,
    ref: str,
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
    if not by.strip():
        raise InvalidUpdate("Cần ghi người cho gia hạn (--by) (who grants the extension).")
    with unit_of_work(engine) as session:
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
    engine: Engine,
    ref: str,
    *,
    on: date,
    due: date,
    note: str | None = None,
    by: str | None = None,
    milestone: str | None = None,
    plan: str | None = None,
    unit: str | None = None,
    calendar=None,
) -> tuple[str, date]:
    """Record that the awaited event happened on ``on``; its milestone is then due on ``due``."""
    if due < on:
        raise InvalidUpdate("Hạn phải sau ngày phát sinh (the due date comes after the trigger).")
    with unit_of_work(engine) as session:
        item = find_item(session, ref, plan, unit)
        events = [m for m in _pick_milestone(item, milestone) if m.kind == "event"]
        waiting = [m for m in events if m.triggered_on is None] or events
        if not waiting:
            raise InvalidUpdate(f"Mục {item.number} không có mốc chờ sự kiện (no event milestone).")
        m = waiting[0]
        m.triggered_on, m.trigger_note = on, note
        m.occurrences.clear()
        session.flush()
        effective = calendar.effective_due(due) if calendar else due
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
    engine: Engine,
    ref: str,
    text: str | None,
    *,
    config: AppConfig,
    settings: Settings,
    by: str | None = None,
    plan: str | None = None,
    unit: str | None = None,
):
    """Give an item's deadline a meaning by hand (``text`` None clears the override)."""
    with unit_of_work(engine) as session:
        item = find_item(session, ref, plan, unit)
        the_plan = session.get(Plan, item.plan_id)
        item.deadline_override = text.strip() if text else None
        wanted = deadline_text_for(item.number, item.deadline_text, item.deadline_override, the_plan.code, config)
        deadline = read_deadline(wanted, the_plan.period_start, the_plan.period_end)
        apply_deadline(session, item, the_plan, deadline, work_calendar(config, settings))
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


def acknowledge(engine: Engine, ref: str, *, by: str, on: date, note: str | None = None,
                plan: str | None = None, unit: str | None = None) -> list[date]:
    """Leadership acknowledges an item's overdue due dates: their escalation stops."""
    from dondoc.chasing import open_dues

    if not by.strip():
        raise InvalidUpdate("Cần ghi người xác nhận (--by) (who acknowledges).")
    with unit_of_work(engine) as session:
        item = find_item(session, ref, plan, unit)
    overdue = [d for d in open_dues(engine, on, [item.id]) if d.deadline < on and not d.acknowledged]
    if not overdue:
        raise InvalidUpdate(f"Mục {item.number} không có hạn nào đang quá hạn để xác nhận (nothing overdue).")
    with unit_of_work(engine) as session:
        for due in overdue:
            session.add(Acknowledgement(occurrence_id=due.occurrence_id, deadline=due.deadline, acknowledged_by=by,
                                        note=note, at=datetime.combine(on, time(0, 0), tzinfo=timezone.utc)))
    return [d.deadline for d in overdue]
