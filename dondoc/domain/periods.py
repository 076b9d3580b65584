"""Report periods (Quý I, 6 tháng, Quý III, Năm), their data cut-offs and send deadlines.

Cut-offs follow config/reporting.yaml (Nghị định 09/2019/NĐ-CP, Điều 12):

>>> p = parse_period("2026-Q1", raw=_DEFAULT_RAW_FOR_DOCTEST)
>>> p.start, p.cutoff
(datetime.date(2025, 12, 15), datetime.date(2026, 3, 14))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from calendars.workdays import WorkCalendar

CODES = ("Q1", "H1", "Q3", "Y")
LEVELS = ("office_to_standing_office", "unit_to_level_above")
LEVEL_LABELS = {
    "office_to_standing_office": "cơ quan gửi cơ quan thường trực",
    "unit_to_level_above": "đơn vị gửi cấp trên",
}
_PATTERN = re.compile(r"^\s*(\d{4})(?:\s*-\s*(Q1|H1|Q3|Y))?\s*$", re.IGNORECASE)

_DEFAULT_RAW_FOR_DOCTEST = {
    "periods": {"Q1": {"label": "Quý I", "from": "12-15", "from_previous_year": True, "to": "03-14"}},
}


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

    def previous(self, raw: dict | None = None) -> ReportPeriod:
        """The report before this one: Q1 <- last year's annual, H1 <- Q1, Q3 <- H1, Y <- Q3."""
        year, code = {"Q1": (self.year - 1, "Y"), "H1": (self.year, "Q1"), "Q3": (self.year, "H1"), "Y": (self.year, "Q3")}[
            self.code
        ]
        return make_period(year, code, raw)

    def send_deadlines(self, calendar: WorkCalendar, raw: dict | None = None) -> list[SendDeadline]:
        raw = _raw(raw)
        result = []
        for level in LEVELS:
            when = (raw.get("send_deadlines", {}).get(level) or {}).get(self.code)
            if not when:
                continue
            month, day = _month_day(when, f"send_deadlines.{level}.{self.code}")
            nominal = date(self.year, month, day)
            due = calendar.effective_due(nominal)
            result.append(SendDeadline(level, nominal, due, calendar.working_days_between(self.cutoff, due)))
        return result

    def deadline_problems(self, calendar: WorkCalendar, raw: dict | None = None) -> list[str]:
        """Violations of "at least one working day between cut-off and send deadline", as messages."""
        return [
            f"Kỳ {self.key}: hạn gửi ({d.label}) {d.due:%d/%m/%Y} không cách ngày chốt số liệu "
            f"{self.cutoff:%d/%m/%Y} ít nhất 1 ngày làm việc (Nghị định 09/2019/NĐ-CP, Điều 8)."
            for d in self.send_deadlines(calendar, raw)
            if not d.ok
        ]


def _raw(raw: dict | None) -> dict:
    if raw is not None:
        return raw
    from dondoc.configuration import load_raw
    from dondoc.settings import get_settings

    return load_raw("reporting.yaml", get_settings().user_config_dir)


def _month_day(text, where: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in str(text).split("-"))
        date(2000, month, day)  # a leap year: accepts 02-29
    except (ValueError, TypeError) as exc:
        raise PeriodError(f"Ngày '{text}' trong reporting.yaml ({where}) không đúng dạng MM-DD.") from exc
    return month, day


def make_period(year: int, code: str, raw: dict | None = None) -> ReportPeriod:
    raw = _raw(raw)
    spec = (raw.get("periods") or {}).get(code)
    if not spec:
        raise PeriodError(f"Kỳ báo cáo '{code}' chưa được khai báo trong reporting.yaml.")
    fm, fd = _month_day(spec["from"], f"periods.{code}.from")
    tm, td = _month_day(spec["to"], f"periods.{code}.to")
    start_year = year - 1 if spec.get("from_previous_year") else year
    return ReportPeriod(year, code, spec.get("label", code), date(start_year, fm, fd), date(year, tm, td))


def parse_period(text: str, raw: dict | None = None) -> ReportPeriod:
    """"2026-Q1", "2026-H1", "2026-Q3", "2026" (or "2026-Y") to a period."""
    match = _PATTERN.match(text or "")
    if not match:
        raise PeriodError(
            f"Kỳ báo cáo '{text}' không hợp lệ: dùng dạng 2026-Q1 (Quý I), 2026-H1 (6 tháng), "
            f"2026-Q3 (Quý III) hoặc 2026 (năm)."
        )
    year = int(match.group(1))
    code = (match.group(2) or "Y").upper()
    return make_period(year, code, raw)
