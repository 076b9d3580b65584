"""Report periods (Quý I, 6 tháng, Quý III, Năm), their data cut-offs and send deadlines, and
the days reports and progress requests fall due. Pure: the reporting configuration
(:class:`dondoc.configuration.ReportingConfig`) and the working-day calendar come in.

Cut-offs follow ``config/reporting.yaml`` (Nghị định 09/2019/NĐ-CP, Điều 12):

>>> from calendars.workdays import WorkCalendar
>>> p = parse_period("2026-Q1", _DOCTEST)
>>> p.start, p.cutoff
(datetime.date(2025, 12, 15), datetime.date(2026, 3, 14))
>>> [(r.period.key, r.stage, r.day.isoformat()) for r in report_schedule(2026, WorkCalendar(), _DOCTEST)]
[('2026-Q1', 'draft', '2026-03-16'), ('2026-Q1', 'final', '2026-03-19')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from calendars.workdays import WorkCalendar
from dondoc.configuration.reporting import ReportingConfig, month_day

CODES = ("Q1", "H1", "Q3", "Y")
LEVELS = ("office_to_standing_office", "unit_to_level_above")
LEVEL_LABELS = {
    "office_to_standing_office": "cơ quan gửi cơ quan thường trực",
    "unit_to_level_above": "đơn vị gửi cấp trên",
}
_PATTERN = re.compile(r"^\s*(\d{4})(?:\s*-\s*(Q1|H1|Q3|Y))?\s*$", re.IGNORECASE)

_DOCTEST = ReportingConfig.model_validate({
    "periods": {"Q1": {"label": "Quý I", "from": "12-15", "from_previous_year": True, "to": "03-14"}},
    "send_deadlines": {"unit_to_level_above": {"Q1": "03-19"}},
})
DRAFT = "draft"
FINAL = "final"
STAGES = (DRAFT, FINAL)
TO_LEVEL_ABOVE = "unit_to_level_above"
TO_STANDING_OFFICE = "office_to_standing_office"


class PeriodError(ValueError):
    """A report period that cannot be read."""


@dataclass(frozen=True)
class SendDeadline:
    level: str  # office_to_standing_office | unit_to_level_above
    nominal: date  # the date in config
    due: date  # shifted to a working day
    working_days_after_cutoff: int  # working days in (cutoff, due]

    @property
    def label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def ok(self) -> bool:
        """At least one working day separates the cut-off from the send deadline (Điều 8)."""
        return self.working_days_after_cutoff >= 1


@dataclass(frozen=True)
class ReportPeriod:
    year: int
    code: str  # Q1 | H1 | Q3 | Y
    label: str  # "Quý I"
    start: date  # first day of data
    cutoff: date  # last day of data (the status run's as_of)

    @property
    def key(self) -> str:
        return str(self.year) if self.code == "Y" else f"{self.year}-{self.code}"

    @property
    def title(self) -> str:
        """"Quý I năm 2026", "6 tháng đầu năm 2026", "Năm 2026"."""
        if self.code == "Y":
            return f"năm {self.year}"
        if self.code == "H1":
            return f"6 tháng đầu năm {self.year}"
        return f"{self.label} năm {self.year}"

    def previous(self, reporting: ReportingConfig) -> ReportPeriod:
        """The report before this one: Q1 <- last year's annual, H1 <- Q1, Q3 <- H1, Y <- Q3."""
        year, code = {"Q1": (self.year - 1, "Y"), "H1": (self.year, "Q1"), "Q3": (self.year, "H1"), "Y": (self.year, "Q3")}[
            self.code
        ]
        return make_period(year, code, reporting)

    def send_deadlines(self, calendar: WorkCalendar, reporting: ReportingConfig) -> list[SendDeadline]:
        result = []
        for level in LEVELS:
            when = reporting.deadline(level, self.code)
            if not when:
                continue
            month, day = month_day(when)
            nominal = date(self.year, month, day)
            due = calendar.effective_due(nominal)
            result.append(SendDeadline(level, nominal, due, calendar.working_days_between(self.cutoff, due)))
        return result

    def deadline_problems(self, calendar: WorkCalendar, reporting: ReportingConfig) -> list[str]:
        """Violations of "at least one working day between cut-off and send deadline", as messages."""
        return [
            f"Kỳ {self.key}: hạn gửi ({d.label}) {d.due:%d/%m/%Y} không cách ngày chốt số liệu "
            f"{self.cutoff:%d/%m/%Y} ít nhất 1 ngày làm việc (Nghị định 09/2019/NĐ-CP, Điều 8)."
            for d in self.send_deadlines(calendar, reporting)
            if not d.ok
        ]


def make_period(year: int, code: str, reporting: ReportingConfig) -> ReportPeriod:
    spec = reporting.periods.get(code)
    if spec is None:
        raise PeriodError(f"Kỳ báo cáo '{code}' chưa được khai báo trong reporting.yaml.")
    fm, fd = month_day(spec.start)
    tm, td = month_day(spec.to)
    start_year = year - 1 if spec.from_previous_year else year
    return ReportPeriod(year, code, spec.label, date(start_year, fm, fd), date(year, tm, td))


def parse_period(text: str, reporting: ReportingConfig) -> ReportPeriod:
    """"2026-Q1", "2026-H1", "2026-Q3", "2026" (or "2026-Y") to a period."""
    match = _PATTERN.match(text or "")
    if not match:
        raise PeriodError(
            f"Kỳ báo cáo '{text}' không hợp lệ: dùng dạng 2026-Q1 (Quý I), 2026-H1 (6 tháng), "
            f"2026-Q3 (Quý III) hoặc 2026 (năm)."
        )
    year = int(match.group(1))
    code = (match.group(2) or "Y").upper()
    return make_period(year, code, reporting)


# ------------------------------------------------------------------ when things fall due


@dataclass(frozen=True)
class ProgressDeadline:
    """An office -> standing office send deadline, and the day offices start being asked."""

    period: str  # "2026-Q1"
    label: str  # "Quý I năm 2026"
    send_by: date  # effective (working-day) deadline for offices
    ask_on: date  # the first day offices are asked


def progress_deadlines(year: int, calendar: WorkCalendar, reporting: ReportingConfig) -> list[ProgressDeadline]:
    """The office -> standing office send deadlines of ``year``, earliest first."""
    before = reporting.progress_request_working_days_before
    result = []
    for code, when in (reporting.send_deadlines.get(TO_STANDING_OFFICE) or {}).items():
        month, day = month_day(when)
        send_by = calendar.effective_due(date(year, month, day))
        spec = reporting.periods.get(code)
        name = spec.label if spec else code
        label = f"{name} {year}" if code == "Y" else f"{name} năm {year}"
        key = str(year) if code == "Y" else f"{year}-{code}"
        result.append(ProgressDeadline(key, label, send_by, calendar.add_working_days(send_by, -before)))
    return sorted(result, key=lambda r: r.send_by)


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


def report_schedule(year: int, calendar: WorkCalendar, reporting: ReportingConfig) -> list[DueReport]:
    """The draft and final days of every period of ``year`` that has a unit -> level above deadline.

    The draft is due ``draft_working_days_before`` working days before the send deadline (never
    before the first working day after the cut-off) and is caught up until the day before the
    final; the final is due on the deadline and caught up for ``catch_up_working_days``.
    """
    schedule: list[DueReport] = []
    for code in CODES:
        if code not in reporting.periods or not reporting.deadline(TO_LEVEL_ABOVE, code):
            continue
        period = make_period(year, code, reporting)
        deadline = next(d for d in period.send_deadlines(calendar, reporting) if d.level == TO_LEVEL_ABOVE)
        final = deadline.due
        earliest = calendar.add_working_days(period.cutoff, 1)
        draft = max(calendar.add_working_days(final, -reporting.draft_working_days_before), earliest)
        if draft < final:
            schedule.append(DueReport(period, DRAFT, draft, date.fromordinal(final.toordinal() - 1), final))
        schedule.append(DueReport(period, FINAL, final, calendar.add_working_days(final, reporting.catch_up_working_days),
                                  final))
    return schedule


def due_reports(day: date, calendar: WorkCalendar, reporting: ReportingConfig) -> list[DueReport]:
    """The reports due (or still to catch up) on ``day``; nothing on a day off."""
    if not calendar.is_working_day(day):
        return []
    return [r for year in (day.year - 1, day.year) for r in report_schedule(year, calendar, reporting) if r.covers(day)]
