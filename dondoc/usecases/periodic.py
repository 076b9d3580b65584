"""Periodic messages: the daily leadership digest, progress requests before each report
deadline, the monthly nudge about items awaiting a trigger.

Each is set-based (the ledger, or the status run) and sends one message per leader,
office or unit through :func:`dondoc.usecases.sending.send_once`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from dondoc.domain.chasing import is_quiet
from dondoc.domain.periods import progress_deadlines
from dondoc.domain.status import Shown
from dondoc.storage import ledger
from dondoc.storage.links import MessageLinks
from dondoc.storage.statusrun import StatusRow, run_status
from dondoc.configuration.people import spec_title
from dondoc.usecases.chasing import Wording
from dondoc.usecases.context import Context
from dondoc.usecases.directory import Directory
from dondoc.usecases.sending import Outgoing, send_once

OPEN = {Shown.OVERDUE, Shown.DUE_SOON, Shown.ON_TRACK, Shown.CONTINUOUS}


def _ref(row: StatusRow):
    from notifications.messages import ItemRef

    return ItemRef(
        plan=row.plan,
        number=row.item.rsplit("#", 1)[-1],
        content=row.content,
        due=row.extended_due or row.effective_due,
        lead_offices=list(row.lead),
        area=row.area_code,
        days_overdue=row.days_overdue,
        status=row.shown.label,
        plan_title=row.plan_title,
        milestone=row.label,
        nominal=row.nominal_due,
    )


def send_progress_requests(ctx: Context, at: datetime, dispatcher=None) -> int:
    """From the ask day until the send deadline: one request per office listing its open and
    continuous items, once per period. Returns how many were sent."""
    from notifications import messages

    local = ctx.local(at)
    day = local.date()
    if is_quiet(local, ctx.policy, ctx.calendar, ctx.tz):
        return 0
    current = [d for d in progress_deadlines(day.year, ctx.calendar, ctx.reporting) if d.ask_on <= day <= d.send_by]
    if not current:
        return 0
    deadline = current[0]
    report = run_status(ctx.engine, day, ctx.calendar, due_soon_working_days=ctx.due_soon)
    by_office: dict[tuple[str, str], list[StatusRow]] = defaultdict(list)
    for row in report.rows:
        if row.shown in OPEN:
            for office in row.lead:
                by_office[(row.unit, office)].append(row)
    links = MessageLinks(ctx.engine, ctx.public_url)
    wording = Wording(ctx)

    def request(unit: str, office: str):
        def build(key: str):
            unit_id = links.unit_of(unit)
            rows = by_office[(unit, office)]
            items = [_ref(r) for r in rows]
            for item, row in zip(items, rows):
                item.link = links.office(unit_id, office, row.item_id)
            return messages.progress_request(
                items, office=office, period=deadline.label, report_by=deadline.send_by, ledger_key=key,
                public_url=ctx.public_url, link=links.office(unit_id, office),
                to_name=wording.addressee(unit_id, f"office:{office}"),
            )

        return build

    batch = [Outgoing(f"progress:{unit}:{office}:{deadline.period}", "progress", [f"office:{office}"],
                      request(unit, office), unit_id=links.unit_of(unit), entry={"payload": {"period": deadline.period}})
             for unit, office in by_office]
    return len(send_once(ctx, local, batch, dispatcher).delivered_keys)


def nudge_awaiting(ctx: Context, at: datetime, dispatcher=None) -> int:
    """Once a month (first working day on or after the policy's nudge day): the standing office of
    each unit gets the list of items still awaiting their trigger, and of those whose deadline nobody could
    read yet (until a person sets it). Returns how many were sent."""
    from notifications import messages

    local = ctx.local(at)
    day = local.date()
    policy = ctx.policy
    first = ctx.calendar.effective_due(date(day.year, day.month, policy.nudge_day))
    if day < first or first.month != day.month or is_quiet(local, policy, ctx.calendar, ctx.tz):
        return 0
    report = run_status(ctx.engine, day, ctx.calendar, due_soon_working_days=ctx.due_soon)
    by_unit: dict[str, list[StatusRow]] = defaultdict(list)
    for row in [*report.unset, *report.awaiting]:
        by_unit[row.unit].append(row)
    links = MessageLinks(ctx.engine, ctx.public_url)
    wording = Wording(ctx)

    def nudge(unit: str):
        def build(key: str):
            page = links.standing(links.unit_of(unit))
            items = [_ref(r) for r in by_unit[unit]]
            for item, row in zip(items, by_unit[unit]):
                item.status = (f"chưa xác định thời hạn: «{row.deadline_text[:200]}»" if row.shown is Shown.UNSET
                               else f"chờ: {row.event or row.deadline_text}")
                item.link = page
            return messages.nudge(items, unit=unit, office=policy.standing_office, month=day, ledger_key=key,
                                  public_url=ctx.public_url, link=page,
                                  to_name=wording.addressee(links.unit_of(unit), f"office:{policy.standing_office}"))

        return build

    batch = [Outgoing(f"nudge:{unit}:{day:%Y-%m}", "nudge", [f"office:{policy.standing_office}"], nudge(unit),
                      unit_id=links.unit_of(unit), entry={"payload": {"items": len(rows)}})
             for unit, rows in by_unit.items()]
    return len(send_once(ctx, local, batch, dispatcher).delivered_keys)


def send_digest(ctx: Context, at: datetime, dispatcher=None) -> int:
    """One message per leader of each unit listing the items escalated to them since their last digest,
    and those escalated before that are still overdue (working days only). Returns how many were sent."""
    from notifications import messages
    from notifications.messages import ItemRef
    from notifications.wording import addressee

    local = ctx.local(at)
    day = local.date()
    if not ctx.calendar.is_working_day(day):
        return 0
    fresh, older = ledger.digest_rows(ctx.engine, day)
    if not fresh:
        return 0
    directory = Directory(ctx)

    def holders(unit_id: int, spec: str) -> list[str]:
        """Who receives a leader's digest: each person holding the spec (one digest per person, whatever
        areas and tags they hold), or the spec itself when nobody does (the standing office gets it)."""
        found = [p.id for p in directory.people(unit_id).resolve(spec) if not p.placeholder]
        return [f"person:{p}" for p in found] or [spec]

    by_leader: dict[tuple[int, str], list] = defaultdict(list)
    for r in fresh:
        for holder in holders(r.unit_id, r.recipient):
            by_leader[(r.unit_id, holder)].append(r)
    still: dict[tuple[int, str], list] = defaultdict(list)
    for r in older:
        for holder in holders(r.unit_id, r.recipient):
            still[(r.unit_id, holder)].append(r)
    links = MessageLinks(ctx.engine, ctx.public_url)
    # the unit's counts as the status run gives them, and what it says of each due date (milestone, plan)
    status = run_status(ctx.engine, day, ctx.calendar, due_soon_working_days=ctx.due_soon,
                        unit_ids=sorted({u for u, _ in by_leader}))
    counts: dict[str, dict[Shown, int]] = defaultdict(lambda: defaultdict(int))
    shown_rows = {}
    for row in status.rows:
        counts[row.unit][row.shown] += 1
        shown_rows.setdefault((row.item_id, row.extended_due or row.effective_due), row)

    def ref(r) -> ItemRef:
        deadline = r.extended_due or r.effective_due
        row = shown_rows.get((r.item_id, deadline))
        return ItemRef(plan=r.plan_code, number=r.number, content=r.content, due=deadline,
                       lead_offices=list((r.payload or {}).get("leads", [])), area=r.area_code,
                       days_overdue=(day - deadline).days, link=links.leadership(r.unit_id, r.item_id),
                       plan_title=row.plan_title if row else "", milestone=row.label if row else None,
                       nominal=row.nominal_due if row else None)

    def digest(unit_id: int, leader: str, entries: list):
        def build(key: str):
            seen: dict[int, object] = {}
            for r in entries + still[(unit_id, leader)]:
                seen.setdefault(r.occurrence_id, r)
            items = sorted((ref(r) for r in seen.values()), key=lambda i: -(i.days_overdue or 0))
            people = [p for p in directory.people(unit_id).resolve(leader) if not p.placeholder]
            names = (addressee(people[0].name, people[0].role, people[0].office) if len(people) == 1
                     else ", ".join(p.name for p in people) or spec_title(leader))
            unit = directory.unit_names().get(unit_id, ("",))[0]
            return messages.digest(items, leader=names, as_of=day, ledger_key=key, public_url=ctx.public_url,
                                   link=links.leadership(unit_id) or ctx.public_url, unit=unit,
                                   unit_overdue=counts[unit][Shown.OVERDUE], unit_due_soon=counts[unit][Shown.DUE_SOON])

        return build

    def collected(entries: list, key: str):
        return lambda session: ledger.mark_digested(session, sorted({r.id for r in entries}), key)

    batch = []
    for (unit_id, leader), entries in by_leader.items():
        key = f"digest:{unit_id}:{leader}:{day.isoformat()}"
        batch.append(Outgoing(key, "digest", [leader], digest(unit_id, leader, entries), unit_id=unit_id,
                              entry={"payload": {"entries": len(entries)}}, on_record=collected(entries, key)))
    return len(send_once(ctx, local, batch, dispatcher).delivered_keys)
