"""Report delivery: which reports fall due on a day, and compiling and sending them exactly once.

For each period (Quý I, 6 tháng, Quý III, Năm) and each unit with a plan, two reports
fall due (``config/reporting.yaml``):

- the *draft*, ``draft_working_days_before`` working days before the unit's send
  deadline to the level above (never before the first working day after the data
  cut-off), for the standing office to review;
- the *final*, on that send deadline, for the standing office and leadership to sign.

A day missed (the server was down) is caught up: a draft until the day before its
final, a final until ``catch_up_working_days`` working days after its deadline.

>>> from calendars.workdays import WorkCalendar
>>> [(r.period.key, r.stage, r.day.isoformat()) for r in report_schedule(2026, WorkCalendar(), _DOCTEST_RAW)]
[('2026-Q1', 'draft', '2026-03-16'), ('2026-Q1', 'final', '2026-03-19')]

:func:`deliver_due_reports` builds each due report into
``<reports>/<unit slug>/<period key>/<stage>/``, records it in ``report_runs``
*before* sending (a re-run, a retry or a crash never builds or sends it twice),
emails the files to the recipients of its stage and sends a Zalo note with the link
to its download page, each message recorded once in the chasing ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from calendars.workdays import WorkCalendar
from dondoc.chasing import Policy
from dondoc.periodic import Outgoing, send_once
from dondoc.db import read_session, unit_of_work
from dondoc.links import LinkBook
from dondoc.models import ReportRun, Unit, utcnow
from dondoc.reports.periods import CODES, PeriodError, ReportPeriod, make_period
from dondoc.settings import Settings

DRAFT = "draft"
FINAL = "final"
STAGES = (DRAFT, FINAL)
LEVEL = "unit_to_level_above"
ATTACHED = (".docx", ".xlsx", ".pdf")  # what the emails carry; the rest is on the download page
TITLE = "Báo cáo kết quả thực hiện công tác cải cách hành chính"

_DOCTEST_RAW = {
    "periods": {"Q1": {"label": "Quý I", "from": "12-15", "from_previous_year": True, "to": "03-14"}},
    "send_deadlines": {"unit_to_level_above": {"Q1": "03-19"}},
}


@dataclass(frozen=True)
class DeliveryConfig:
    """The delivery settings of ``reporting.yaml``."""

    draft_working_days_before: int = 3
    catch_up_working_days: int = 5
    draft_recipients: tuple[str, ...] = ("office:{standing_office}",)
    final_recipients: tuple[str, ...] = ("office:{standing_office}", "tag:leadership")

    @classmethod
    def from_raw(cls, raw: dict) -> DeliveryConfig:
        recipients = raw.get("recipients") or {}
        values = dict(
            draft_working_days_before=int(raw.get("draft_working_days_before", cls.draft_working_days_before)),
            catch_up_working_days=int(raw.get("catch_up_working_days", cls.catch_up_working_days)),
            draft_recipients=tuple(recipients.get(DRAFT, cls.draft_recipients)),
            final_recipients=tuple(recipients.get(FINAL, cls.final_recipients)),
        )
        if values["draft_working_days_before"] < 0 or values["catch_up_working_days"] < 0:
            raise PeriodError("draft_working_days_before và catch_up_working_days trong reporting.yaml phải ≥ 0.")
        return cls(**values)

    def recipients(self, stage: str, standing_office: str) -> list[str]:
        specs = self.draft_recipients if stage == DRAFT else self.final_recipients
        return [spec.replace("{standing_office}", standing_office) for spec in specs]


@dataclass(frozen=True)
class DueReport:
    """One stage of one period's report: due on ``day``, caught up until ``until`` (inclusive)."""

    period: ReportPeriod
    stage: str  # draft | final
    day: date
    until: date
    send_by: date  # the unit -> level above send deadline (working day)

    def covers(self, day: date) -> bool:
        return self.day <= day <= self.until


def _raw(raw: dict | None) -> dict:
    if raw is not None:
        return raw
    from dondoc.configuration import load_raw
    from dondoc.settings import get_settings

    return load_raw("reporting.yaml", get_settings().user_config_dir)


def report_schedule(year: int, calendar: WorkCalendar, raw: dict | None = None) -> list[DueReport]:
    """The draft and final days of every period of ``year`` that has a unit -> level above deadline."""
    raw = _raw(raw)
    config = DeliveryConfig.from_raw(raw)
    schedule: list[DueReport] = []
    for code in CODES:
        if code not in (raw.get("periods") or {}) or code not in ((raw.get("send_deadlines") or {}).get(LEVEL) or {}):
            continue
        period = make_period(year, code, raw)
        deadline = next(d for d in period.send_deadlines(calendar, raw) if d.level == LEVEL)
        final = deadline.due
        earliest = calendar.add_working_days(period.cutoff, 1)
        draft = max(calendar.add_working_days(final, -config.draft_working_days_before), earliest)
        if draft < final:
            schedule.append(DueReport(period, DRAFT, draft, date.fromordinal(final.toordinal() - 1), final))
        schedule.append(DueReport(period, FINAL, final, calendar.add_working_days(final, config.catch_up_working_days),
                                  final))
    return schedule


def due_reports(day: date, calendar: WorkCalendar, raw: dict | None = None) -> list[DueReport]:
    """The reports due (or still to catch up) on ``day``; nothing on a day off."""
    if not calendar.is_working_day(day):
        return []
    raw = _raw(raw)
    return [r for year in (day.year - 1, day.year) for r in report_schedule(year, calendar, raw) if r.covers(day)]


# ------------------------------------------------------------------ delivering


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


def _is_standing(spec: str, standing_office: str) -> bool:
    kind, _, value = spec.partition(":")
    same = " ".join(value.split()).casefold() == " ".join(standing_office.split()).casefold()
    return kind in ("office", "staff") and same


def _summary(totals: dict[str, int]) -> dict[str, int]:
    from dondoc.status import Shown

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


class _People:
    """Who of a recipient spec has a Zalo address (they also get the note with the link)."""

    def __init__(self, dispatcher, engine: Engine):
        self.dispatcher, self.engine, self._people = dispatcher, engine, None

    def with_zalo(self, spec: str) -> list[str]:
        if self._people is None:
            if self.dispatcher is not None:
                self._people = self.dispatcher.people
            else:
                from notifications.people import load_people

                self._people = load_people()
        return [f"person:{p.id}" for p in self._people.resolve(spec) if not p.placeholder and (p.zalo_user_id or p.phone)]


def _deliver(engine: Engine, run: DeliveredReport, unit: Unit, due: DueReport, day: date, *, policy: Policy,
             config: DeliveryConfig, summary: dict[str, int], people: _People, dispatcher) -> int:
    specs = config.recipients(due.stage, policy.standing_office)
    with unit_of_work(engine) as session:
        book = LinkBook(session, policy.public_url)
        links = {
            spec: (book.standing_page(unit.id) if _is_standing(spec, policy.standing_office)
                   else book.leadership_page(unit.id)) + f"/reports/{run.run_id}"
            for spec in specs
        }
    attachments = [str(p) for p in run.paths if p.suffix.lower() in ATTACHED]
    base = f"report:{unit.slug}:{run.period}:{run.stage}"
    payload = {"run_id": run.run_id, "period": run.period, "stage": run.stage}
    batch: dict[str, Outgoing] = {}

    def builder(link: str, files: list[str]) -> Callable[[str], object]:
        return lambda key: _message(key, unit=unit, due=due, link=link, summary=summary, attachments=files)

    for spec in specs:
        # the files by email (or the outbox); a Zalo note with the link for those who have Zalo
        batch[f"{base}:email:{spec}"] = Outgoing([spec], payload, builder(links[spec], attachments), ("email",), "email")
        zalo = people.with_zalo(spec)
        if zalo:
            batch[f"{base}:zalo:{spec}"] = Outgoing(zalo, payload, builder(links[spec], []), ("zalo", "zns"), "zalo")
    sent = send_once(engine, day, "report", batch, dispatcher)
    with unit_of_work(engine) as session:
        session.execute(update(ReportRun).where(ReportRun.id == run.run_id, ReportRun.state != "delivered")
                        .values(state="delivered", delivered_at=utcnow()))
    return sent


def _build(engine: Engine, unit: Unit, due: DueReport, day: date, *, settings: Settings,
           calendar: WorkCalendar) -> tuple[DeliveredReport, dict[str, int]] | None:
    """Compile the report's files and record the run; None when another run recorded it meanwhile."""
    from dondoc.reports.build import build_report

    directory = settings.reports_path / unit.slug / due.period.key / due.stage
    files = build_report(engine, unit, due.period, directory, calendar=calendar,
                         due_soon_working_days=settings.due_soon_working_days, signed_on=day)
    names = [p.name for p in files.paths]
    try:
        with unit_of_work(engine) as session:
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


def _resume(engine: Engine, row: ReportRun, unit: Unit, due: DueReport, *, settings: Settings,
            calendar: WorkCalendar, raw: dict) -> tuple[DeliveredReport, dict[str, int]]:
    """A run recorded but not delivered (a crash after compiling): its recorded files, sent now."""
    from dondoc.reports.content import compile_report

    directory = Path(row.directory)
    md = next((directory / n for n in row.files if n.endswith(".md")), None)
    markdown = md.read_text(encoding="utf-8") if md is not None and md.is_file() else ""
    from dondoc.reports.province import member_units

    unit_ids = [i for i, _ in member_units(engine, unit)] or [unit.id]  # a province: all its communes
    content = compile_report(engine, due.period, unit_ids=unit_ids, calendar=calendar,
                             due_soon_working_days=settings.due_soon_working_days, compare_previous=False, raw=raw)
    run = DeliveredReport(row.id, unit.id, unit.name, unit.slug, row.period, due.period.title, row.stage, directory,
                          list(row.files), markdown, built=False)
    return run, _summary(content.totals)


def deliver_due_reports(
    engine: Engine,
    day: date,
    *,
    settings: Settings,
    policy: Policy,
    calendar: WorkCalendar,
    dispatcher=None,
    raw: dict | None = None,
) -> list[DeliveredReport]:
    """Compile, record and send every report due on ``day`` for every unit with a plan and every
    province above them (set-based: one call for all units). Idempotent: a report recorded and delivered is never touched again."""
    raw = _raw(raw)
    due = due_reports(day, calendar, raw)
    if not due:
        return []
    config = DeliveryConfig.from_raw(raw)
    with read_session(engine) as session:
        # every unit with a plan, and every province above such units (its report aggregates them)
        parents = select(Unit.parent_id).where(Unit.plans.any(), Unit.parent_id.is_not(None))
        units = list(session.scalars(select(Unit).where(Unit.plans.any() | Unit.id.in_(parents)).order_by(Unit.id)))
        session.expunge_all()
        runs = {(r.unit_id, r.period, r.stage): r for r in session.scalars(
            select(ReportRun).where(ReportRun.period.in_({d.period.key for d in due})))}
        session.expunge_all()
    people = _People(dispatcher, engine)
    result: list[DeliveredReport] = []
    for item in sorted(due, key=lambda d: (d.send_by, STAGES.index(d.stage))):
        for unit in units:
            row = runs.get((unit.id, item.period.key, item.stage))
            if row is not None and row.state == "delivered":
                continue
            if row is None:
                built = _build(engine, unit, item, day, settings=settings, calendar=calendar)
                if built is None:  # another run recorded it first and delivers it
                    continue
                run, summary = built
            else:
                run, summary = _resume(engine, row, unit, item, settings=settings, calendar=calendar, raw=raw)
            run.sent = _deliver(engine, run, unit, item, day, policy=policy, config=config, summary=summary,
                                people=people, dispatcher=dispatcher)
            result.append(run)
    return result


__all__ = [
    "DRAFT", "FINAL", "DeliveredReport", "DeliveryConfig", "DueReport", "deliver_due_reports", "due_reports",
    "report_schedule",
]
