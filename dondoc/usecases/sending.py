"""The one way a message is sent: record → claim → send → mark by the outcome, per person.

Every reminder, escalation, digest, progress request, nudge, report message and
summary of undelivered messages goes through :func:`send_once`. Each message has a
ledger key naming what fires. Before anything is sent it is recorded
(:mod:`dondoc.storage.ledger`) with the message as rendered and one row per person
it stands for, resolved inside its unit (:mod:`dondoc.usecases.directory`). Then
each person's row is claimed by exactly one run, handed to the dispatcher and
marked by the outcome: ``delivered`` only when a channel took it (or, for a person
with no channel at all, the outbox); ``failed`` or ``unknown`` rows are tried again
by later runs (:func:`redeliver`) with a growing delay until their give-up time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from dondoc.configuration.people import spec_title
from dondoc.storage import ledger, recipients
from dondoc.storage.delivery_log import NotificationMessage, Recipient
from dondoc.usecases.context import Context
from dondoc.usecases.directory import Directory

ALLOWED = {"auto": None, "email": ("email",), "zalo": ("zalo", "zns")}  # the entry's channel → channels tried
CLAIM_CHUNK = 10  # rows claimed (and their outcomes committed) at once: a crash sends at most these again


@dataclass
class Outgoing:
    """One message to send once."""

    key: str  # the ledger key: what fires, for whom
    purpose: str  # reminder | escalation | overdue | digest | progress | nudge | report | undelivered
    recipients: list[str]
    build: Callable[[str], object]  # the message, from its ledger key
    unit_id: int | None = None  # whose people the recipients are
    channel: str = "auto"  # auto (each person's own order) | email | zalo (Zalo OA, then ZNS)
    entry: dict = field(default_factory=dict)  # other ledger columns: item, occurrence, due, level, stage, payload
    on_record: Callable[[object], None] | None = None  # more to write when it is recorded (a session)


@dataclass
class Tally:
    """What a run did, counted per (message, person)."""

    sent: int = 0  # delivered at the first try
    redelivered: int = 0  # delivered at a later try (after a failure, a lost answer or a crash)
    failed: int = 0  # tried and not delivered (tried again later)
    skipped: int = 0  # delivered before, taken by another run, waiting for its next try, or given up
    open_keys: set[str] = field(default_factory=set)  # keys someone is still to receive
    delivered_keys: list[str] = field(default_factory=list)  # keys delivered to someone by this run

    def add(self, other: Tally) -> None:
        self.sent += other.sent
        self.redelivered += other.redelivered
        self.failed += other.failed
        self.skipped += other.skipped
        self.open_keys |= other.open_keys
        self.delivered_keys = list(dict.fromkeys(self.delivered_keys + other.delivered_keys))


def give_up_at(ctx: Context, day: date) -> datetime:
    """When a message recorded on ``day`` is given up: the end of the working day
    ``DONDOC_DELIVERY_GIVE_UP_WORKING_DAYS`` after it (the start of quiet hours)."""
    last = ctx.calendar.add_working_days(day, ctx.settings.delivery_give_up_working_days)
    return datetime.combine(last, ctx.policy.quiet_hours.start, tzinfo=ctx.tz)


def record(ctx: Context, day: date, batch: list[Outgoing], *, state: str = ledger.PENDING,
           directory: Directory | None = None, cache: dict | None = None) -> dict[str, str]:
    """Record the messages not recorded yet (with their message and people); returns every key's state."""
    keys = [o.key for o in batch]
    known = ledger.states(ctx.engine, keys)
    fresh = [o for o in batch if o.key not in known]
    if fresh:
        directory = directory or Directory(ctx)
        ledger.record(ctx.engine, [_new_entry(ctx, day, o, state, directory, cache) for o in fresh])
    return ledger.states(ctx.engine, keys)


def _new_entry(ctx: Context, day: date, out: Outgoing, state: str, directory: Directory,
               cache: dict | None) -> ledger.NewEntry:
    fields = dict(key=out.key, purpose=out.purpose, unit_id=out.unit_id, recipient=", ".join(out.recipients)[:300],
                  channel=out.channel, state=state, as_of=day, **out.entry)
    if state != ledger.PENDING:  # recorded to be carried by another message (a digest): nobody to reach itself
        return ledger.NewEntry(fields, None, [], on_record=out.on_record)
    message, rendered = _built(ctx, out, cache)
    stored = dict(kind=message.kind, subject=rendered.subject, data=message.data, recipients=list(out.recipients),
                  cc=[], attachments=list(message.attachments))
    return ledger.NewEntry(fields, stored, directory.recipients(out.unit_id, out.recipients),
                           give_up_at=give_up_at(ctx, day), on_record=out.on_record)


def _built(ctx: Context, out: Outgoing, cache: dict | None):
    from notifications.messages import render

    message = out.build(out.key)
    rendered = render(message, zalo_text_max=ctx.settings.zalo_text_max)
    if cache is not None:
        cache[out.key] = (message, rendered)
    return message, rendered


def send_once(ctx: Context, at: datetime, batch: list[Outgoing], dispatcher=None) -> Tally:
    """Record each message of ``batch`` once and deliver it to each of its people at most once (see the
    module's description); a message recorded before is tried again for whoever is due for it."""
    if not batch:
        return Tally()
    at = ctx.local(at)
    day = at.date()
    directory, cache = Directory(ctx), {}
    record(ctx, day, batch, directory=directory, cache=cache)
    ids = ledger.entry_ids(ctx.engine, [o.key for o in batch])
    by_id = {ids[o.key]: o for o in batch if o.key in ids}
    for entry_id in ledger.without_recipients(ctx.engine, list(by_id)):  # recorded before delivery states existed
        out = by_id[entry_id]
        entry = _new_entry(ctx, day, out, ledger.PENDING, directory, cache)
        ledger.complete(ctx.engine, entry_id, out.key, entry)
    tally = deliver(ctx, at, entry_ids=list(by_id), dispatcher=dispatcher, directory=directory, cache=cache)
    ledger.summarize(ctx.engine, list(by_id))  # those a run that stopped delivered, too
    tally.skipped = max(_rows(ctx, list(by_id)) - tally.sent - tally.redelivered - tally.failed, 0)
    states = ledger.states(ctx.engine, list(ids))
    tally.open_keys = {k for k, s in states.items() if s not in (ledger.SENT, ledger.DIGESTED)}
    return tally


def _rows(ctx: Context, entry_ids: list[int]) -> int:
    total = 0
    with ctx.engine.connect() as conn:
        for start in range(0, len(entry_ids), ledger.CHUNK):
            chunk = entry_ids[start: start + ledger.CHUNK]
            total += conn.scalar(select(func.count(Recipient.id)).where(Recipient.entry_id.in_(chunk))) or 0
    return total


def redeliver(ctx: Context, at: datetime, *, unit_id: int | None = None, item_ids: list[int] | None = None,
              dispatcher=None) -> Tally:
    """Every delivery due for another try (failed, unknown, or left by a run that stopped), set-based:
    all, a unit's, or those chasing some items."""
    return deliver(ctx, ctx.local(at), unit_id=unit_id, item_ids=item_ids, dispatcher=dispatcher)


def deliver(ctx: Context, now: datetime, *, entry_ids: Iterable[int] | None = None, unit_id: int | None = None,
            item_ids: list[int] | None = None, dispatcher=None, directory: Directory | None = None, cache: dict | None = None) -> Tally:
    """Claim, send and mark the recipient rows due at ``now`` (of these entries, or all)."""
    tally = Tally()
    recipients.take_over_dead(ctx.engine, now)
    ledger.drop_settled(ctx.engine, now.date())
    recipients.give_up(ctx.engine, now)
    rows = recipients.due(ctx.engine, now, entry_ids=entry_ids, unit_id=unit_id, item_ids=item_ids)
    if not rows:
        return tally
    directory = directory or Directory(ctx)
    messages = _Messages(ctx, cache or {})
    messages.prefetch([r.entry_key for r in rows])
    sender, owned = dispatcher, dispatcher is None
    if sender is None:
        sender = ctx.dispatcher()
    touched: set[int] = set()
    delivered: set[str] = set()
    marks: list[dict] = []  # outcomes of the chunk being sent, written with the next claim
    try:
        for start in range(0, len(rows), CLAIM_CHUNK):
            chunk = rows[start: start + CLAIM_CHUNK]
            taken = recipients.claim(ctx.engine, [r.id for r in chunk], now, marks=marks)
            marks = []
            mine = [r for r in chunk if r.id in taken]
            for index, row in enumerate(mine):
                try:
                    outcome = _try(ctx, sender, messages, directory, row)
                except BaseException:  # this run stops: what it tried is marked, what it claimed goes back
                    recipients.claim(ctx.engine, [], now, marks=marks)
                    recipients.release(ctx.engine, [r.id for r in mine[index:]], now)
                    raise
                state = ledger.DELIVERED if outcome.delivered else ledger.UNKNOWN if outcome.unknown else ledger.FAILED
                values = recipients.outcome_values(state, now, attempts=row.attempts + 1, channel=outcome.channel,
                                                   error=outcome.error, skip=outcome.skip or row.skip_channels)
                marks.append({**values, "row_id": row.id})
                touched.add(row.entry_id)
                if outcome.delivered:
                    if row.state == ledger.PENDING:
                        tally.sent += 1
                    else:
                        tally.redelivered += 1
                    if row.entry_key not in delivered:
                        delivered.add(row.entry_key)
                        tally.delivered_keys.append(row.entry_key)
                else:
                    tally.failed += 1
        recipients.claim(ctx.engine, [], now, marks=marks)
        sender.flush()
    finally:
        if owned:
            sender.close()
        ledger.summarize(ctx.engine, touched)
    return tally


def _try(ctx: Context, sender, messages: _Messages, directory: Directory, row: recipients.Due):
    from notifications.delivery import DeliveryError, PersonOutcome

    person = directory.person(row.unit_id, row.person)
    try:
        message, rendered, stored_id, files = messages.get(row.entry_key, sender)
    except DeliveryError as exc:
        return PersonOutcome(row.person, False, None, 0, str(exc))
    if row.forwarded_for:  # nobody holds the target: the standing office gets it, and is told why
        from notifications.messages import forwarded

        rendered = forwarded(rendered, spec_title(row.forwarded_for), recipient=ctx.policy.standing_office,
                             zalo_text_max=ctx.settings.zalo_text_max)
    return sender.deliver(message, person, stored_id=stored_id, delivery_key=row.delivery_key,
                          skip=row.skip_channels, channels=ALLOWED.get(row.channel), rendered=rendered, files=files)


class _Messages:
    """Each recorded message once per run: as built when recorded, else from its stored row (read in chunks)."""

    def __init__(self, ctx: Context, cache: dict) -> None:
        self.ctx = ctx
        self.cache = cache
        self.loaded: dict[str, tuple] = {}
        self.rows: dict[str, object] = {}

    def prefetch(self, keys: list[str]) -> None:
        wanted = [k for k in dict.fromkeys(keys) if k not in self.rows]
        first = (select(func.min(NotificationMessage.id)).where(NotificationMessage.ledger_key.in_(wanted))
                 .group_by(NotificationMessage.ledger_key))
        with self.ctx.engine.connect() as conn:
            for start in range(0, len(wanted), ledger.CHUNK):
                chunk = wanted[start: start + ledger.CHUNK]
                ids = first.where(NotificationMessage.ledger_key.in_(chunk))
                for row in conn.execute(select(NotificationMessage).where(NotificationMessage.id.in_(ids))):
                    self.rows[row.ledger_key] = row

    def get(self, key: str, sender):
        if key not in self.loaded:
            from notifications.delivery import DeliveryError
            from notifications.messages import Message, render

            if key not in self.rows:
                self.prefetch([key])
            row = self.rows.get(key)
            if row is None:
                raise DeliveryError(f"Không còn nội dung tin {key} để gửi lại.")
            if key in self.cache:
                message, rendered = self.cache[key]
            else:
                message = Message(row.kind, row.data, key, attachments=row.attachments or [])
                rendered = render(message, zalo_text_max=self.ctx.settings.zalo_text_max)
            self.loaded[key] = (message, rendered, row.id, sender.files(message))
        return self.loaded[key]
