"""The one way a message is sent: record → claim → send → mark by the outcome.

Every reminder, escalation, digest, progress request, nudge and report message
goes through :func:`send_once`. Each message has a ledger key naming what fires;
it is recorded in the chasing ledger before anything is sent, claimed by exactly
one run, handed to the dispatcher, and marked ``sent`` only when a channel took
it for every person it stands for. When nobody was reached it is marked
``failed`` and the next run that meets it sends it again; when the delivery log
shows a channel already took it (a run stopped between sending and marking), it
is marked without sending again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from dondoc.storage import ledger
from dondoc.storage.db import unit_of_work
from dondoc.usecases.context import Context


@dataclass
class Outgoing:
    """One message to send once."""

    key: str  # the ledger key: what fires, for whom
    purpose: str  # reminder | escalation | digest | progress | nudge | report
    recipients: list[str]
    build: Callable[[str], object]  # the message, from its ledger key
    channels: tuple[str, ...] | None = None  # only these channels (None: each person's own order)
    channel: str = "auto"  # as the ledger records it
    entry: dict = field(default_factory=dict)  # other ledger columns: item, occurrence, due, level, stage, payload
    on_sent: Callable[[object], None] | None = None  # more to mark, in the transaction that marks it sent


@dataclass
class SendOutcome:
    sent: list[str] = field(default_factory=list)  # keys a channel took in this run
    failed: list[str] = field(default_factory=list)  # keys that reached nobody (a later run tries again)
    skipped: list[str] = field(default_factory=list)  # keys sent before, or taken by another run


def record(ctx: Context, day: date, batch: list[Outgoing], *, state: str = ledger.PENDING) -> dict[str, str]:
    """Record the messages not recorded yet; returns every key's state."""
    keys = [o.key for o in batch]
    known = ledger.states(ctx.engine, keys)
    ledger.record(ctx.engine, [
        dict(key=o.key, purpose=o.purpose, recipient=", ".join(o.recipients)[:300], channel=o.channel, state=state,
             as_of=day, **o.entry)
        for o in batch if o.key not in known
    ])
    return ledger.states(ctx.engine, keys)


def send_once(ctx: Context, day: date, batch: list[Outgoing], dispatcher=None) -> SendOutcome:
    """Send each message of ``batch`` at most once (see the module's description)."""
    outcome = SendOutcome()
    if not batch:
        return outcome
    known = record(ctx, day, batch)
    sender, owned = dispatcher, False
    try:
        for out in batch:
            if known.get(out.key) not in (*ledger.CLAIMABLE, ledger.SENDING) or not ledger.claim(ctx.engine, out.key):
                outcome.skipped.append(out.key)
                continue
            if ledger.reached_someone(ctx.engine, out.key):  # sent before a crash, not yet marked
                _mark_sent(ctx, out)
                outcome.skipped.append(out.key)
                continue
            if sender is None:
                sender, owned = ctx.dispatcher(), True
            try:
                report = sender.send(out.build(out.key), out.recipients, channels=out.channels)
            except BaseException as exc:  # this run stops here: the message goes back to be sent by the next one
                ledger.mark_failed(ctx.engine, out.key, f"Lượt gửi bị dừng ({type(exc).__name__}).")
                raise
            if report.outcomes and report.ok:
                _mark_sent(ctx, out)
                outcome.sent.append(out.key)
            else:
                ledger.mark_failed(ctx.engine, out.key, _why(report, out))
                outcome.failed.append(out.key)
    finally:
        if owned:
            sender.close()
    return outcome


def _mark_sent(ctx: Context, out: Outgoing) -> None:
    with unit_of_work(ctx.engine) as session:
        ledger.mark_sent(session, out.key)
        if out.on_sent is not None:
            out.on_sent(session)


def _why(report, out: Outgoing) -> str:
    if not report.outcomes:
        return f"Không có ai nhận ({', '.join(out.recipients)}) (no recipient)."
    return "; ".join(f"{o.person}: {o.error}" for o in report.outcomes if not o.delivered)
