"""Messages given up: each unit's standing office (and leadership, for escalations) is told once.

A delivery still failing at its give-up time is ``given_up`` (:func:`dondoc.storage.recipients.give_up`).
The next catch-up sends one summary per unit listing every such delivery not reported
yet, and marks them reported in the transaction that records the summary, so each is
told exactly once. A summary that itself cannot be delivered is not summarized again:
it stays on the standing office's page and in ``dondoc deliveries --failed``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from dondoc.clock import aware
from dondoc.configuration.people import spec_title
from dondoc.storage import ledger, recipients
from dondoc.storage.links import MessageLinks
from dondoc.usecases.context import Context
from dondoc.usecases.directory import Directory
from dondoc.usecases.sending import Outgoing, send_once

WHAT = {
    "reminder": "Nhắc hạn Mục {number}",
    "escalation": "Cảnh báo cấp {level}: Mục {number}",
    "overdue": "Cảnh báo vẫn quá hạn: Mục {number}",
    "digest": "Tổng hợp gửi lãnh đạo",
    "progress": "Đề nghị báo cáo tiến độ",
    "nudge": "Danh sách nhiệm vụ chờ sự kiện",
    "report": "Báo cáo định kỳ",
    "undelivered": "Báo tin không gửi được",
    "link": "Gửi đường dẫn trang",
}


def describe(purpose: str, number: str | None, level: int) -> str:
    """What a ledger entry was, as the standing office reads it."""
    return WHAT.get(purpose, "Tin nhắn").format(number=number or "?", level=level)


STATES = {
    "failed": "chưa tới, sẽ gửi lại",
    "unknown": "có thể đã tới (máy chủ không trả lời), sẽ gửi lại",
    "sending": "đang gửi",
    "given_up": "đã thôi gửi",
}


@dataclass(frozen=True)
class NotDelivered:
    """A delivery not (yet) made, as the standing office and ``dondoc deliveries --failed`` show it."""

    id: int
    what: str
    subject: str
    person: str
    state: str  # failed | unknown | sending | given_up
    state_label: str
    attempts: int
    error: str
    next_try: datetime | None
    give_up_at: datetime | None
    reported: bool
    since: date


def not_delivered(ctx: Context, *, unit_id: int | None = None, limit: int = 200) -> list[NotDelivered]:
    directory = Directory(ctx)
    rows = []
    for r in recipients.not_delivered(ctx.engine, unit_id=unit_id, limit=limit):
        person = directory.person(r.unit_id, r.person).name
        if r.forwarded_for:
            person += f" (thay cho {spec_title(r.forwarded_for)})"
        local = (lambda t: t and ctx.local(aware(t)))
        rows.append(NotDelivered(r.id, describe(r.purpose, r.number, r.level), r.subject or "", person, r.state,
                                 STATES.get(r.state, r.state), r.attempts, r.error or "",
                                 local(r.next_attempt_at) if r.state in ("failed", "unknown") else None,
                                 local(r.give_up_at), r.reported_at is not None, r.as_of))
    return rows


def resend(ctx: Context, delivery_id: int):
    """Send one logged message again, by hand, to the person of one attempt (as the unit's people know them
    now); once a channel took it, that delivery is no longer tried again nor reported."""
    target = recipients.recipient_of_attempt(ctx.engine, delivery_id)
    person = Directory(ctx).person(target.unit_id, target.person) if target is not None else None
    with ctx.dispatcher() as dispatcher:
        report = dispatcher.resend(delivery_id, person=person, delivery_key=target and target.delivery_key)
    for outcome in report.outcomes:
        if outcome.delivered:
            recipients.mark_delivered_by_hand(ctx.engine, report.ledger_key, outcome.person, ctx.now())
    return report


def report_given_up(ctx: Context, at: datetime, *, unit_id: int | None = None, dispatcher=None) -> int:
    """Send each unit's summary of the deliveries given up and not reported yet; returns how many it lists."""
    from notifications.messages import Undelivered, undelivered

    local = ctx.local(at)
    rows = ledger.given_up_unreported(ctx.engine, unit_id)
    if not rows:
        return 0
    by_unit: dict[int | None, list] = defaultdict(list)
    for row in rows:
        by_unit[row.unit_id].append(row)
    directory = Directory(ctx)
    links = MessageLinks(ctx.engine, ctx.public_url)

    def summary(unit: int | None, unit_rows: list):
        def build(key: str):
            listed = []
            for r in unit_rows:
                person = directory.person(r.unit_id, r.person).name
                if r.forwarded_for:
                    person += f" (thay cho {spec_title(r.forwarded_for)})"
                listed.append(Undelivered(what=describe(r.purpose, r.number, r.level), subject=r.subject or "",
                                          person=person, error=r.error or "không rõ lý do", since=r.as_of))
            name = directory.unit_names().get(unit, ("",))[0]
            return undelivered(listed, unit=name, office=ctx.policy.standing_office, as_of=local.date(),
                               ledger_key=key, link=links.standing(unit) if unit is not None else None)

        return build

    def reported(ids: list[int]):
        return lambda session: ledger.mark_reported(session, ids, local)

    batch = []
    for unit, unit_rows in by_unit.items():
        escalations = any(r.purpose in ("escalation", "overdue") for r in unit_rows)
        ids = [r.id for r in unit_rows]
        batch.append(Outgoing(f"undelivered:{unit}:{max(ids)}", "undelivered",
                              ctx.policy.undelivered_targets(escalations=escalations), summary(unit, unit_rows),
                              unit_id=unit, entry={"payload": {"deliveries": len(ids)}}, on_record=reported(ids)))
    send_once(ctx, local, batch, dispatcher)
    return len(rows)
