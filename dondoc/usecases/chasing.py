"""Chasing ("đôn đốc"): what is due at a moment for some items (or all), sent once to each person.

The rules are :mod:`dondoc.domain.chasing`; the open due dates come from
:func:`dondoc.storage.dues.open_dues` (set-based); each message goes through
:func:`dondoc.usecases.sending.send_once`. Leaders' levels (``digest: true``) are
only recorded here; the daily digest (:mod:`dondoc.usecases.periodic`) sends them.
Nothing is sent in quiet hours or on a day off: the run says until when it defers.
A chase over every item (the catch-up, ``dondoc chase``) also sends every delivery
due for another try, and tells each standing office once about the messages given up.

An item's scheduled run (:func:`chase_checkpoint`) first takes the morning's sweep when no other run
has: one set-based chase of every item's messages of that morning, so that a morning of thousands of
item runs is delivered as fast as one process sends, not as fast as the runs start. The runs after it
find their messages delivered (each still sends what is left for its item, so a sweep that died loses
nothing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from dondoc.configuration.people import spec_title
from dondoc.domain.chasing import Action, OpenDue, actions_for, is_quiet, next_send_time
from dondoc.storage import ledger, recipients, sweeps
from dondoc.storage.dues import open_dues
from dondoc.storage.links import MessageLinks
from dondoc.storage.models import Plan
from dondoc.usecases.context import Context
from dondoc.storage.lookups import unit_items
from dondoc.usecases.directory import Directory
from dondoc.usecases.sending import Outgoing, Tally, record, redeliver, send_once
from dondoc.usecases.undelivered import report_given_up


@dataclass
class ChaseResult:
    """What a chase did, counted per (message, person); leaders' escalations per message."""

    sent: int = 0
    failed: int = 0
    redelivered: int = 0
    skipped: int = 0
    deferred: int = 0
    digested: int = 0
    given_up: int = 0
    deferred_until: datetime | None = None
    messages: list[str] = field(default_factory=list)
    swept: dict | None = None  # the morning's sweep, when this run did it: its counts

    def count(self, tally: Tally) -> None:
        self.sent += tally.sent
        self.failed += tally.failed
        self.redelivered += tally.redelivered
        self.skipped += tally.skipped
        self.messages = list(dict.fromkeys(self.messages + tally.delivered_keys))

    def counts(self) -> dict:
        return {
            "sent": self.sent, "failed": self.failed, "redelivered": self.redelivered, "skipped": self.skipped,
            "deferred": self.deferred, "digested": self.digested, "given_up": self.given_up,
            "deferred_until": self.deferred_until.isoformat() if self.deferred_until else None,
        }

    def as_json(self) -> dict:
        return {**self.counts(), "messages": list(self.messages), "swept": self.swept}


def plan_actions(ctx: Context, day: date, item_ids: list[int] | None = None) -> list[Action]:
    """Everything due on ``day`` for the items (all items when None), set-based."""
    actions: list[Action] = []
    for due in open_dues(ctx.engine, day, item_ids):
        actions.extend(actions_for(due, day, ctx.policy, ctx.calendar))
    return actions


class Wording:
    """What messages of one run say beyond the due date itself: the plans' titles, and whom each
    recipient spec addresses (read once per run)."""

    def __init__(self, ctx: Context, directory: Directory | None = None) -> None:
        self.ctx = ctx
        self.directory = directory or Directory(ctx)
        self._titles: dict[str, str] | None = None

    def plan_title(self, code: str) -> str:
        if self._titles is None:
            with self.ctx.engine.connect() as conn:
                self._titles = {c: t for c, t in conn.execute(select(Plan.code, Plan.title))}
        return self._titles.get(code, "")

    def addressee(self, unit_id: int | None, spec: str) -> str | None:
        """"Ông/Bà <name> – <role>" when the spec stands for one named person of the unit; for several,
        what the spec is called ("Chủ tịch UBND"); None when nobody holds it (the message names the office)."""
        from notifications.wording import addressee

        people = [p for p in self.directory.people(unit_id).resolve(spec) if not p.placeholder]
        if len(people) == 1:
            return addressee(people[0].name, people[0].role, people[0].office)
        return spec_title(spec) if people else None


def _item_ref(due: OpenDue, wording: Wording, days_overdue: int | None = None, link: str | None = None):
    from notifications.messages import ItemRef

    return ItemRef(
        plan=due.plan, number=due.number, content=due.content, due=due.deadline, lead_offices=list(due.leads),
        cooperating_offices=list(due.cooperating), area=due.area_code, days_overdue=days_overdue, link=link,
        plan_title=wording.plan_title(due.plan), milestone=due.label, nominal=due.nominal,
    )


def _message(ctx: Context, action: Action, links: MessageLinks, wording: Wording):
    """The message of an action, addressed to the person it reaches. Offices get their own status page
    (the standing office's page when the office has none); leaders the leadership page."""
    from notifications import messages

    due, unit_id = action.due, action.due.unit_id
    kind, _, name = action.recipient.partition(":")
    office_link = (links.office(unit_id, name, due.item_id) or links.standing(unit_id)) if kind == "office" else None
    to_name = wording.addressee(unit_id, action.recipient)
    if action.purpose == "reminder":
        cooperating = name if kind == "office" and name not in due.leads else None
        return messages.reminder(_item_ref(due, wording, link=office_link), days_left=action.days,
                                 ledger_key=action.key, public_url=ctx.public_url, cooperating=cooperating,
                                 to_name=to_name or (name if kind == "office" else None))
    if kind == "office":  # the office head: report progress and the reason, nothing to acknowledge
        link, ack = office_link or links.leadership(unit_id, due.item_id), None
    else:
        link = links.leadership(unit_id, due.item_id)
        ack = links.leadership(unit_id, due.item_id, anchor="#xu-ly")
    return messages.escalation(
        _item_ref(due, wording, action.days, link=link), level=action.level, days_overdue=action.days,
        office=name if kind == "office" else ", ".join(due.leads), ledger_key=action.key,
        public_url=ctx.public_url, ack_link=ack, to_name=to_name or spec_title(action.recipient),
    )


def _outgoing(ctx: Context, action: Action, links: MessageLinks | None, wording: Wording | None = None) -> Outgoing:
    due = action.due
    return Outgoing(
        key=action.key, purpose=action.purpose, recipients=[action.recipient], unit_id=due.unit_id,
        build=lambda key: _message(ctx, action, links, wording or Wording(ctx)),
        entry=dict(item_id=due.item_id, occurrence_id=due.occurrence_id, due=due.deadline, level=action.level,
                   stage=action.stage, payload={"days": action.days, "leads": list(due.leads)}),
    )


def chase(ctx: Context, at: datetime, *, item_ids: list[int] | None = None, unit_id: int | None = None,
          dispatcher=None, given_up: bool = True) -> ChaseResult:
    """Send what is due at ``at`` for the items (all when None; those of a unit), and every earlier
    delivery of them due for another try. Idempotent: each message reaches each person once.

    Without ``item_ids`` this is the catch-up: every item, every delivery due for another try, and (with
    ``given_up``) the summary of the messages given up to each unit's standing office."""
    local = ctx.local(at)
    day = local.date()
    result = ChaseResult()
    catch_up = item_ids is None
    if unit_id is not None and catch_up:
        item_ids = unit_items(ctx.engine, unit_id)
    actions = plan_actions(ctx, day, item_ids)
    leaders = [a for a in actions if a.digest]
    direct = [a for a in actions if not a.digest]
    # leaders' escalations wait for the digest, whatever the hour
    known = ledger.states(ctx.engine, [a.key for a in leaders])
    record(ctx, day, [_outgoing(ctx, a, None) for a in leaders], state=ledger.DIGEST)
    result.digested = sum(1 for a in leaders if a.key not in known)
    if is_quiet(local, ctx.policy, ctx.calendar, ctx.tz):
        waiting = ledger.states(ctx.engine, [a.key for a in direct])
        directory = Directory(ctx)
        result.deferred = sum(len(directory.recipients(a.due.unit_id, [a.recipient]))
                              for a in direct if a.key not in waiting)
        result.deferred += recipients.waiting(ctx.engine, local, unit_id=unit_id,
                                          item_ids=None if catch_up else item_ids)
        result.deferred_until = next_send_time(local, ctx.policy, ctx.calendar, ctx.tz) if result.deferred else None
        return result
    links = MessageLinks(ctx.engine, ctx.public_url) if direct else None
    wording = Wording(ctx) if direct else None
    sender, owned = dispatcher, dispatcher is None
    if owned:
        sender = ctx.dispatcher()
    try:
        result.count(send_once(ctx, local, [_outgoing(ctx, a, links, wording) for a in direct], sender))
        # earlier deliveries due for another try: every one (the catch-up), or the items' own
        result.count(redeliver(ctx, local, unit_id=unit_id, item_ids=None if catch_up else item_ids,
                               dispatcher=sender))
        if catch_up and given_up:
            ledger.summarize(ctx.engine)
            result.given_up = report_given_up(ctx, local, unit_id=unit_id, dispatcher=sender)
    finally:
        if owned:
            sender.close()
    return result


SWEEP_LEASE = timedelta(minutes=15)  # a sweep not finished after this is taken over by the next run


def chase_checkpoint(ctx: Context, at: datetime, item_id: int, *, sweep: bool = True,
                     dispatcher=None) -> ChaseResult:
    """An item's scheduled run at ``at``: the morning's sweep of every item if no run took it yet (with
    ``sweep``), then what is still due for the item itself (usually nothing left: the sweep sent it)."""
    local = ctx.local(at)
    swept = None
    if sweep and not is_quiet(local, ctx.policy, ctx.calendar, ctx.tz):
        key, holder = local.date().isoformat(), f"mục {item_id}, tiến trình {os.getpid()}"
        if sweeps.claim(ctx.engine, key, holder, SWEEP_LEASE):
            try:
                swept = chase(ctx, local, dispatcher=dispatcher, given_up=False).counts()
            except BaseException:
                sweeps.release(ctx.engine, key, holder)
                raise
            sweeps.finish(ctx.engine, key, holder, swept)
    result = chase(ctx, local, item_ids=[item_id], dispatcher=dispatcher)
    result.swept = swept
    return result
