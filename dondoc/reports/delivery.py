"""Report delivery: compiling the reports due on a day and sending them, each exactly once.

For each period (Quý I, 6 tháng, Quý III, Năm) and each unit with a plan, two reports
fall due (:func:`dondoc.domain.periods.due_reports`): the *draft* for the standing
office to review, and the *final* on the unit's send deadline, for the standing
office and leadership to sign. A day missed is caught up.

:func:`deliver_due_reports` builds each due report into
``<reports>/<unit slug>/<period key>/<stage>/``, records it in ``report_runs``
*before* sending (a re-run, a retry or a crash never builds or sends it twice),
emails the files to the recipients of its stage and sends a Zalo note with the link
to its download page, each message through the one send-once step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dondoc.clock import utcnow
from dondoc.configuration import PeopleConfig
from dondoc.domain.periods import DRAFT, STAGES, DueReport, due_reports
from dondoc.domain.status import Shown
from dondoc.storage import unitversions
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.links import LinkBook
from dondoc.storage.models import ReportRun, Unit
from dondoc.usecases.context import Context
from dondoc.usecases.directory import Directory
from dondoc.usecases.sending import Outgoing, send_once

ATTACHED = (".docx", ".xlsx", ".pdf")  # what the emails carry; the rest is on the download page
TITLE = "Báo cáo kết quả thực hiện công tác cải cách hành chính"


@dataclass
class DeliveredReport:
    """A report compiled (now or by an earlier run) and delivered by this run."""

    run_id: int
    unit_id: int
    unit: str
    unit_slug: str
    period: str  # key: 2026-Q1 | 2026-H1 | 2026-Q3 | 2026
    period_title: str
    stage: str
    directory: Path
    files: list[str]
    markdown: str
    sent: int = 0
    built: bool = True

    @property
    def paths(self) -> list[Path]:
        return [self.directory / name for name in self.files]


def recipients(ctx: Context, stage: str) -> list[str]:
    specs = ctx.reporting.recipients.draft if stage == DRAFT else ctx.reporting.recipients.final
    return [spec.replace("{standing_office}", ctx.policy.standing_office) for spec in specs]


def _is_standing(spec: str, standing_office: str) -> bool:
    kind, _, value = spec.partition(":")
    same = " ".join(value.split()).casefold() == " ".join(standing_office.split()).casefold()
    return kind in ("office", "staff") and same


def _summary(totals: dict[str, int]) -> dict[str, int]:
    labels = {}
    for key, count in totals.items():
        label = Shown(key).label
        labels[label[0].upper() + label[1:]] = count
    return labels


def _message(key: str, *, unit: Unit, due: DueReport, link: str, summary: dict[str, int], attachments: list[str]):
    from notifications.messages import report_ready

    message = report_ready(title=TITLE, period=due.period.title, as_of=due.period.cutoff, link=link, ledger_key=key,
                           summary=summary)
    message.data.update({"stage": due.stage, "unit": unit.name, "send_by": due.send_by.isoformat()})
    message.attachments = list(attachments)
    return message


def _with_zalo(people: PeopleConfig, spec: str) -> list[str]:
    """Who of a recipient spec has a Zalo address (they also get the note with the link)."""
    return [f"person:{p.id}" for p in people.resolve(spec) if not p.placeholder and (p.zalo_user_id or p.phone)]


def _deliver(ctx: Context, run: DeliveredReport, unit: Unit, due: DueReport, day: date, *,
             summary: dict[str, int], dispatcher) -> int:
    specs = recipients(ctx, due.stage)
    standing = ctx.policy.standing_office
    with unit_of_work(ctx.engine) as session:
        book = LinkBook(session, ctx.public_url)
        pages = {
            spec: (book.standing_page(unit.id) if _is_standing(spec, standing)
                   else book.leadership_page(unit.id)) + f"/reports/{run.run_id}"
            for spec in specs
        }
    attachments = [str(p) for p in run.paths if p.suffix.lower() in ATTACHED]
    base = f"report:{unit.slug}:{run.period}:{run.stage}"
    payload = {"payload": {"run_id": run.run_id, "period": run.period, "stage": run.stage}}
    batch: list[Outgoing] = []

    def builder(link: str, files: list[str]) -> Callable[[str], object]:
        return lambda key: _message(key, unit=unit, due=due, link=link, summary=summary, attachments=files)

    people = Directory(ctx).people(unit.id)
    for spec in specs:
        # the files by email (or the outbox); a Zalo note with the link for those who have Zalo
        batch.append(Outgoing(f"{base}:email:{spec}", "report", [spec], builder(pages[spec], attachments),
                              unit_id=unit.id, channel="email", entry=payload))
        zalo = _with_zalo(people, spec)
        if zalo:
            batch.append(Outgoing(f"{base}:zalo:{spec}", "report", zalo, builder(pages[spec], []),
                                  unit_id=unit.id, channel="zalo", entry=payload))
    outcome = send_once(ctx, ctx.moment(day), batch, dispatcher)
    if not outcome.open_keys:
        with unit_of_work(ctx.engine) as session:
            session.execute(update(ReportRun).where(ReportRun.id == run.run_id, ReportRun.state != "delivered")
                            .values(state="delivered", delivered_at=utcnow()))
            unitversions.touch(session, units=[unit.id])
    return len(outcome.delivered_keys)


def _build(ctx: Context, unit: Unit, due: DueReport, day: date) -> tuple[DeliveredReport, dict[str, int]] | None:
    """Compile the report's files and record the run; None when another run recorded it meanwhile."""
    from dondoc.reports.build import build_report

    directory = ctx.settings.reports_path / unit.slug / due.period.key / due.stage
    files = build_report(ctx, unit, due.period, directory, signed_on=day)
    names = [p.name for p in files.paths]
    try:
        with unit_of_work(ctx.engine) as session:
            row = ReportRun(unit_id=unit.id, period=due.period.key, stage=due.stage, as_of=due.period.cutoff,
                            directory=str(directory), files=names, state="compiled")
            session.add(row)
            session.flush()
            run_id = row.id
    except IntegrityError:
        return None
    run = DeliveredReport(run_id, unit.id, unit.name, unit.slug, due.period.key, due.period.title, due.stage,
                          directory, names, files.markdown_text)
    return run, _summary(files.content.totals)


def _resume(ctx: Context, row: ReportRun, unit: Unit, due: DueReport) -> tuple[DeliveredReport, dict[str, int]]:
    """A run recorded but not delivered (a crash after compiling, or a send that reached nobody): its
    recorded files, sent now."""
    from dondoc.reports.content import compile_report
    from dondoc.reports.province import member_units

    directory = Path(row.directory)
    md = next((directory / n for n in row.files if n.endswith(".md")), None)
    markdown = md.read_text(encoding="utf-8") if md is not None and md.is_file() else ""
    unit_ids = [i for i, _ in member_units(ctx.engine, unit)] or [unit.id]  # a province: all its communes
    content = compile_report(ctx, due.period, unit_ids=unit_ids, compare_previous=False)
    run = DeliveredReport(row.id, unit.id, unit.name, unit.slug, row.period, due.period.title, row.stage, directory,
                          list(row.files), markdown, built=False)
    return run, _summary(content.totals)


def deliver_due_reports(ctx: Context, day: date, *, dispatcher=None) -> list[DeliveredReport]:
    """Compile, record and send every report due on ``day`` for every unit with a plan and every
    province above them (one call for all units). Idempotent: a delivered report is never touched again."""
    due = due_reports(day, ctx.calendar, ctx.reporting)
    if not due:
        return []
    with read_session(ctx.engine) as session:
        # every unit with a plan, and every province above such units (its report aggregates them)
        parents = select(Unit.parent_id).where(Unit.plans.any(), Unit.parent_id.is_not(None))
        units = list(session.scalars(select(Unit).where(Unit.plans.any() | Unit.id.in_(parents)).order_by(Unit.id)))
        session.expunge_all()
        runs = {(r.unit_id, r.period, r.stage): r for r in session.scalars(
            select(ReportRun).where(ReportRun.period.in_({d.period.key for d in due})))}
        session.expunge_all()
    result: list[DeliveredReport] = []
    for item in sorted(due, key=lambda d: (d.send_by, STAGES.index(d.stage))):
        for unit in units:
            row = runs.get((unit.id, item.period.key, item.stage))
            if row is not None and row.state == "delivered":
                continue
            if row is None:
                built = _build(ctx, unit, item, day)
                if built is None:  # another run recorded it first and delivers it
                    continue
                run, summary = built
            else:
                run, summary = _resume(ctx, row, unit, item)
            run.sent = _deliver(ctx, run, unit, item, day, summary=summary, dispatcher=dispatcher)
            result.append(run)
    return result


__all__ = ["DeliveredReport", "deliver_due_reports", "recipients"]
