"""The chasing rules ("đôn đốc"), pure functions over dates: reminders before a due date,
escalation after it, the days something may fire, and when quiet hours end.

The policy is :class:`dondoc.configuration.Policy` (``config/escalation.yaml``):
reminders at lead times in working days before the (extended) due date; escalation
levels with a delay after it, targets, repeats with a cap; after the last repeat a
slow cadence (weekly by default, to the lead office) for as long as the item stays
overdue; a level fires only while the due date is open and not acknowledged; an extension moves the deadline and so
starts afresh; leaders' levels go into one daily digest per leader; nothing is sent
in quiet hours or on days off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from calendars.workdays import WorkCalendar
from dondoc.configuration import Level, Policy


@dataclass(frozen=True)
class OpenDue:
    """One due date still open on the day considered."""

    occurrence_id: int
    item_id: int
    milestone_id: int
    plan: str
    number: str
    content: str
    area_code: str | None
    label: str | None
    nominal: date
    deadline: date  # extended if extended, else effective
    leads: tuple[str, ...]
    cooperating: tuple[str, ...]
    acknowledged: bool = False
    unit_id: int | None = None


@dataclass(frozen=True)
class Action:
    purpose: str  # reminder | escalation | overdue (the slow cadence after the last escalation)
    due: OpenDue
    level: int  # 0 for reminders
    stage: int  # reminder: working days before; escalation: repeat number
    recipient: str
    digest: bool
    days: int  # reminder: working days left; escalation: days overdue

    @property
    def key(self) -> str:
        d = self.due
        return (
            f"{self.purpose}:{d.plan}#{d.number}:m{d.milestone_id}:{d.deadline.isoformat()}"
            f":L{self.level}:s{self.stage}:{self.recipient}"
        )


def checkpoint_days(deadline: date, policy: Policy, calendar: WorkCalendar, until: date | None = None) -> list[date]:
    """The days on which something may fire for a due date: reminders, then escalations and repeats, then
    (up to ``until``) the slow cadence of an item still overdue."""
    days = {calendar.add_working_days(deadline, -n) if n else deadline for n in policy.reminder_days}
    for level in policy.levels:
        for repeat in range(level.max_repeats + 1):
            days.add(calendar.add_working_days(deadline, level.after_working_days + repeat * level.repeat_every_working_days))
    every = policy.still_overdue.every_working_days
    if until is not None and every and policy.levels:
        day = calendar.add_working_days(deadline, last_escalation(policy) + every)
        while day <= until:
            days.add(day)
            day = calendar.add_working_days(day, every)
    return sorted(days)


def last_escalation(policy: Policy) -> int:
    """Working days after the deadline of the last repeat of any level."""
    return max((lv.after_working_days + lv.max_repeats * lv.repeat_every_working_days for lv in policy.levels), default=0)


# The lead office of an item whose lead office name matched no office yet: nobody holds it, so its messages
# go to the standing office, marked "(Chuyển cho cơ quan chủ trì chưa xác định)".
NO_LEAD = "cơ quan chủ trì chưa xác định"


def _leads(due: OpenDue) -> list[str]:
    return list(due.leads) or [NO_LEAD]


def targets(level: Level, due: OpenDue) -> list[str]:
    """The recipient specs of a level for one due date ({lead_office} and {area_code} filled in)."""
    specs: list[str] = []
    for target in level.targets:
        if "{lead_office}" in target:
            specs.extend(target.replace("{lead_office}", office) for office in _leads(due))
        elif "{area_code}" in target:
            if due.area_code:
                specs.append(target.replace("{area_code}", due.area_code))
        else:
            specs.append(target)
    return list(dict.fromkeys(specs))


def actions_for(due: OpenDue, day: date, policy: Policy, calendar: WorkCalendar) -> list[Action]:
    """What is due on ``day`` for one open due date: the latest reminder stage reached, and for
    each escalation level reached its latest repeat. Earlier stages missed are not sent again
    (one message per stage, never a flood after a pause)."""
    actions: list[Action] = []
    if day <= due.deadline:
        left = calendar.working_days_between(day, due.deadline)
        reached = [n for n in policy.reminder_days if left <= n]
        if reached:
            stage = min(reached)
            offices = _leads(due)
            if policy.copy_cooperating:  # each cooperating office gets its own copy, with its own page link
                offices += [o for o in due.cooperating if o not in due.leads]
            for office in offices:
                actions.append(Action("reminder", due, 0, stage, f"office:{office}", False, left))
        return actions
    if due.acknowledged:
        return actions
    late = calendar.working_days_between(due.deadline, day)
    for level in policy.levels:
        if late < level.after_working_days:
            continue
        repeat = min((late - level.after_working_days) // level.repeat_every_working_days, level.max_repeats)
        for spec in targets(level, due):
            actions.append(Action("escalation", due, level.level, repeat, spec, level.digest, (day - due.deadline).days))
    slow = policy.still_overdue
    beyond = late - last_escalation(policy)
    if policy.levels and slow.every_working_days and beyond >= slow.every_working_days:
        stage = beyond // slow.every_working_days
        level = Level(level=1, after_working_days=0, targets=slow.targets)
        for spec in targets(level, due):
            actions.append(Action("overdue", due, 0, stage, spec, False, (day - due.deadline).days))
    return actions


def escalation_level(due: OpenDue, day: date, policy: Policy, calendar: WorkCalendar) -> int:
    """The highest level the policy reaches on ``day`` (whether or not an acknowledgement stopped it)."""
    actions = actions_for(replace(due, acknowledged=False), day, policy, calendar)
    return max((a.level for a in actions if a.purpose == "escalation"), default=0)


def is_quiet(moment: datetime, policy: Policy, calendar: WorkCalendar, tz: ZoneInfo) -> bool:
    """Nothing is sent in quiet hours or on a day off."""
    local = moment.astimezone(tz)
    return not calendar.is_working_day(local.date()) or policy.quiet_hours.contains(local.time())


def next_send_time(moment: datetime, policy: Policy, calendar: WorkCalendar, tz: ZoneInfo) -> datetime:
    """The first moment at or after ``moment`` outside quiet hours on a working day."""
    local = moment.astimezone(tz)
    day = local.date()
    quiet = policy.quiet_hours
    if calendar.is_working_day(day) and not quiet.contains(local.time()):
        return local
    if calendar.is_working_day(day) and local.time() < quiet.end and quiet.start > quiet.end:
        return datetime.combine(day, max(policy.send_at, quiet.end), tzinfo=tz)
    day = calendar.add_working_days(day, 1)
    return datetime.combine(day, max(policy.send_at, quiet.end), tzinfo=tz)
