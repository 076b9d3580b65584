"""Deadline texts of a plan's appendix, read into milestones; nominal due dates.

Pure functions over dates: no I/O, no clock, no settings.  The caller passes the
plan years and the date windows.  See docs/domain.md, "What a deadline text means".

>>> d = parse_deadline("- KH: Quý I hàng năm. - Thông báo, kết luận: Ngay sau cuộc kiểm tra.",
...                    plan_start_year=2026, plan_end_year=2030)
>>> [(m.kind.value, m.label, m.month) for m in d.milestones]
[('yearly', 'KH', 3), ('event', 'Thông báo, kết luận', None)]
>>> due_dates(d.milestones[0], date(2026, 1, 1), date(2027, 12, 31))
[datetime.date(2026, 3, 31), datetime.date(2027, 3, 31)]

How the wider wording of commune and ward plans is read (docs/domain.md; every reading is listed in
tests/fixtures/deadline_cells_wider.tsv):

- a list of periods sharing a year is one fixed milestone each: "Quý II, III/2027" is due 30/06/2027 and
  30/09/2027; "trong tháng 8 và tháng 9 năm 2027" likewise (a bare numeral is a quarter or a month like
  the element before it, written the same way; "Quý IV, I/2027" or "Quý I, tháng 5/2027" is flagged);
- a range is one period, due at the end of its last part: "Quý I - II/2027" 01/01-30/06/2027,
  "Tháng 7/2026 - 9/2026" 01/07-30/09/2026;
- "Q3/2027", "Quý 3/2027", "quý 3 năm 2027" are "Quý III/2027"; so are the typos "Quý III2026",
  "Quý III 2026", "Quý III/ 2026"; "X3/2027" (a letter before the month) is flagged, "T3/2027" is March;
- a list of reports is yearly at the end of each report's period, each month once: "định kỳ quý,
  6 tháng, năm" = months 3, 6, 9, 12 (quý: 3, 6, 9, 12; 6 tháng: 6; 9 tháng: 9; năm: 12; tháng: all);
- "Năm 2027 và các năm tiếp theo", "Quý II/2027 và những năm tiếp theo", "2027 và hằng năm", "Hằng năm
  từ năm 2027" are yearly from 2027 (the plan's first year if earlier; flagged if after the plan);
  "Năm 2027 - hằng năm" keeps its fixed milestone beside it; "Từ năm 2027" alone stays continuous;
- weeks: "tuần cuối (của) tháng 3/2026" is due on the month's last day, "tuần đầu tháng 4/2026" on the
  7th (quarters and years alike); "tuần cuối tháng 12 hằng năm" is yearly; any other week is flagged;
- a bracket holding no date after a dated phrase is a note in the milestone's text: "Năm 2027 (sau khi
  có hướng dẫn của Bộ Nội vụ)" is fixed 31/12/2027; a bracket after a bare recurrence says when in
  it ("Hằng năm (Quý I)" = "Quý I hằng năm"); any other date in a bracket is flagged;
- a day inside a recurrence ("Trước ngày 10/6 và 10/12 hằng năm" = 09/06 and 09/12, "trước ngày 22 hằng
  tháng", "trước ngày 15 tháng cuối quý" = 14/3, 14/6, 14/9, 14/12, "Hằng năm (trước ngày 20/11)") is
  read into :attr:`Milestone.day`, but flagged while ``calendars._rules.YEARLY_DAYS`` is off: the
  stored milestone and ``dondoc.domain.deadlines.signature`` do not carry the day yet.  A day that
  is the month's last ("ngày 31/3 hằng năm", "trước ngày 01/7 hằng năm") is just that month.

The grammar itself lives in :mod:`calendars._phrases`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from calendars import _phrases, _rules

__all__ = [
    "Deadline",
    "DeadlineTextError",
    "Milestone",
    "MilestoneKind",
    "UnreadableDeadline",
    "due_dates",
    "milestone_due_dates",
    "parse_deadline",
    "parse_deadline_strict",
]


class MilestoneKind(StrEnum):
    """What kind of due date a milestone has (docs/domain.md, "What a deadline text means")."""

    FIXED = "fixed"  # one due date: the end of the named period
    YEARLY = "yearly"  # one due date each year: the last day of `month` (or its `day`)
    CONTINUOUS = "continuous"  # no due date; progress asked for at every reporting period
    PERIOD = "period"  # work spread over a period; due at its end
    EVENT = "event"  # waits for something outside the plan


@dataclass(frozen=True)
class Milestone:
    """One milestone of a deadline cell.

    ``start``: continuous/period, when work starts; yearly, 1 January of ``first_year``
    when bounded; fixed and event, None.  ``due``: fixed and period only.
    ``month``: yearly only, the month whose last day is due each year.
    ``day``: yearly only, the day of ``month`` due each year instead of its last day (None: the
    last day).  The parser sets it only while ``calendars._rules.YEARLY_DAYS`` is on: the stored
    milestone and ``dondoc.domain.deadlines.signature`` do not carry it yet.
    ``first_year``: yearly, the first year due: the plan's first year, or a later year the text
    names ("Năm 2027 và các năm tiếp theo").
    """

    kind: MilestoneKind
    label: str | None
    text: str
    start: date | None = None
    due: date | None = None
    month: int | None = None
    first_year: int | None = None
    last_year: int | None = None
    event: str | None = None
    day: int | None = None

    @property
    def rrule(self) -> str | None:
        """The yearly rule as an RFC 5545 RRULE (yearly milestones only).

        >>> m = Milestone(MilestoneKind.YEARLY, None, "Quý II hằng năm", month=6, first_year=2026, last_year=2030)
        >>> m.rrule
        'FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=-1;UNTIL=20301231'
        >>> from dateutil.rrule import rrulestr
        >>> [d.date().isoformat() for d in rrulestr(m.rrule, dtstart=date(2026, 1, 1))]
        ['2026-06-30', '2027-06-30', '2028-06-30', '2029-06-30', '2030-06-30']
        >>> Milestone(MilestoneKind.YEARLY, None, "trước ngày 10/6 hằng năm", month=6, day=9, last_year=2030).rrule
        'FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=9;UNTIL=20301231'
        """
        if self.kind is not MilestoneKind.YEARLY:
            return None
        rule = f"FREQ=YEARLY;BYMONTH={self.month or 12};BYMONTHDAY={self.day or -1}"
        if self.last_year is not None:
            rule += f";UNTIL={self.last_year:04d}1231"
        return rule


@dataclass(frozen=True)
class Deadline:
    """A deadline cell as read: its milestones, and what could not be read."""

    text: str
    milestones: tuple[Milestone, ...]
    needs_review: bool
    problems: tuple[str, ...] = ()


class DeadlineTextError(ValueError):
    """Base class of the errors about deadline texts."""


class UnreadableDeadline(DeadlineTextError):
    """A deadline text that cannot be read with confidence; the message says what to set by hand.

    ``deadline`` holds what was read (the understood milestones and the problems);
    it is None when the error was raised with a plain message.
    """

    def __init__(self, deadline: Deadline | str) -> None:
        if isinstance(deadline, Deadline):
            self.deadline: Deadline | None = deadline
            self.text, self.problems = deadline.text, deadline.problems
            msg = f"Không đọc được thời hạn “{_rules.quote(deadline.text)}” (unreadable deadline): " + " ".join(
                deadline.problems
            )
        else:
            self.deadline, self.text, self.problems, msg = None, None, (), str(deadline)
        super().__init__(msg)


def _plan_year_problem(start: int | None, end: int | None) -> str | None:
    for y in (start, end):
        if y is not None and not 1 <= y <= 9998:
            return f"Năm của kế hoạch không hợp lệ ({y}) (invalid plan year): hãy kiểm tra lại thời kỳ của kế hoạch."
    if start is not None and end is not None and start > end:
        return (
            f"Năm bắt đầu kế hoạch ({start}) sau năm kết thúc ({end}) (plan years reversed): "
            "hãy kiểm tra lại thời kỳ của kế hoạch."
        )
    return None


def _milestone(piece: _rules.Piece, first_year: int | None, last_year: int | None) -> Milestone:
    kind = MilestoneKind(piece.kind)
    if kind is MilestoneKind.YEARLY:
        if piece.first_year is not None:  # "Năm 2027 và các năm tiếp theo": from 2027, within the plan
            first_year = piece.first_year if first_year is None else max(first_year, piece.first_year)
        return Milestone(
            kind,
            piece.label,
            piece.text,
            start=date(first_year, 1, 1) if first_year is not None else None,
            month=piece.month or 12,
            first_year=first_year,
            last_year=last_year,
            day=piece.day,
        )
    if kind is MilestoneKind.EVENT:
        return Milestone(kind, piece.label, piece.text, event=piece.text)
    if kind is MilestoneKind.FIXED:
        return Milestone(kind, piece.label, piece.text, due=piece.due)
    return Milestone(kind, piece.label, piece.text, start=piece.start, due=piece.due)


def parse_deadline(text: str, *, plan_start_year: int | None = None, plan_end_year: int | None = None) -> Deadline:
    """Read a deadline cell into milestones.  Never raises for any ``str``.

    What is not understood sets ``needs_review`` and adds a Vietnamese message to
    ``problems`` (quoting the fragment and saying what to set by hand); understood
    fragments are still returned as milestones, and ``text`` keeps the cell verbatim.
    Yearly milestones run from ``plan_start_year`` to ``plan_end_year`` (unbounded when None).

    >>> d = parse_deadline("- Kế hoạch: hàng năm. - BC kết quả thực hiện: theo quy định, hướng dẫn của Sở Tư pháp",
    ...                    plan_start_year=2026, plan_end_year=2030)
    >>> [(m.kind.value, m.label) for m in d.milestones], d.needs_review
    ([('yearly', 'Kế hoạch'), ('event', 'BC kết quả thực hiện')], False)
    >>> d.milestones[0].first_year, d.milestones[0].last_year, d.milestones[0].month
    (2026, 2030, 12)
    >>> d.milestones[1].event
    'theo quy định, hướng dẫn của Sở Tư pháp'
    >>> parse_deadline("Ban hành kế hoạch: chậm nhất tháng 01/2026").milestones[0].due
    datetime.date(2026, 1, 31)
    >>> parse_deadline("trước ngày 15/01/2026").milestones[0].due
    datetime.date(2026, 1, 14)
    >>> m = parse_deadline("Giai đoạn 2026 - 2030").milestones[0]
    >>> m.kind.value, m.start, m.due
    ('period', datetime.date(2026, 1, 1), datetime.date(2030, 12, 31))
    >>> d = parse_deadline("Tuần sau")
    >>> d.needs_review, d.milestones
    (True, ())
    >>> print(d.problems[0])  # doctest: +ELLIPSIS
    Không hiểu thời hạn “Tuần sau”: hãy đặt loại mốc ...
    """
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    problems: list[str] = []
    milestones: list[Milestone] = []
    try:
        plan_problem = _plan_year_problem(plan_start_year, plan_end_year)
        if plan_problem is not None:
            problems.append(plan_problem)
            plan_start_year = plan_end_year = None
        pieces, found = _phrases.read(raw)
        problems.extend(found)
        for p in pieces:
            if p.first_year is not None and plan_end_year is not None and p.first_year > plan_end_year:
                problems.append(_rules.message("after_plan", piece=p.text, year=str(plan_end_year)))
                continue
            milestones.append(_milestone(p, plan_start_year, plan_end_year))
    except Exception as exc:  # a safety net: a bug must not stop an import of 8,000 items
        problems.append(
            f"Lỗi khi đọc thời hạn “{_rules.quote(raw)}” (internal error: {type(exc).__name__}): "
            "hãy đặt thời hạn bằng tay."
        )
    if not milestones and not problems:
        problems.append(_rules.message("unknown", text=raw))
    return Deadline(raw, tuple(milestones), bool(problems) or not milestones, tuple(problems))


def parse_deadline_strict(text: str, **kw: int | None) -> Deadline:
    """Like :func:`parse_deadline`, but raise :class:`UnreadableDeadline` when it needs review.

    >>> parse_deadline_strict("Quý II/2026").milestones[0].due
    datetime.date(2026, 6, 30)
    >>> parse_deadline_strict("Quý V/2026")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    calendars.deadlines.UnreadableDeadline: Không đọc được thời hạn “Quý V/2026” (unreadable deadline): Quý không hợp lệ ...
    """
    deadline = parse_deadline(text, **kw)
    if deadline.needs_review:
        raise UnreadableDeadline(deadline)
    return deadline


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def due_dates(milestone: Milestone, start: date, end: date) -> list[date]:
    """Nominal due dates of ``milestone`` within ``[start, end]`` (inclusive), sorted.

    fixed/period: ``[due]`` when in the window; yearly: the last day of ``month`` (or its
    ``day``, in the years that have it) of every year in the window, within
    ``first_year``..``last_year``; continuous and event: none.

    >>> m = Milestone(MilestoneKind.YEARLY, None, "Quý II hằng năm", month=6, first_year=2026, last_year=2030)
    >>> due_dates(m, date(2025, 1, 1), date(2027, 6, 29))
    [datetime.date(2026, 6, 30)]
    >>> due_dates(Milestone(MilestoneKind.FIXED, None, "Năm 2026", due=date(2026, 12, 31)),
    ...           date(2026, 1, 1), date(2026, 12, 31))
    [datetime.date(2026, 12, 31)]
    >>> due_dates(Milestone(MilestoneKind.CONTINUOUS, None, "Thường xuyên"), date(2026, 1, 1), date(2030, 12, 31))
    []
    """
    if start > end:
        return []
    if milestone.kind in (MilestoneKind.FIXED, MilestoneKind.PERIOD):
        due = milestone.due
        return [due] if due is not None and start <= due <= end else []
    if milestone.kind is not MilestoneKind.YEARLY:
        return []
    month = milestone.month or 12
    first = start.year if milestone.first_year is None else max(start.year, milestone.first_year)
    last = end.year if milestone.last_year is None else min(end.year, milestone.last_year)
    out = []
    for year in range(first, last + 1):
        if milestone.day is None:
            due = _month_end(year, month)
        elif milestone.day <= calendar.monthrange(year, month)[1]:
            due = date(year, month, milestone.day)
        else:  # as RFC 5545 does: a day the month lacks that year is skipped
            continue
        if start <= due <= end:
            out.append(due)
    return out


def milestone_due_dates(deadline: Deadline, start: date, end: date) -> list[tuple[Milestone, list[date]]]:
    """Every milestone of ``deadline`` with its due dates in ``[start, end]``.

    >>> d = parse_deadline("Ban hành kế hoạch: Quý I/2026. Thực hiện: Trong năm 2026 và giai đoạn 2026 - 2030")
    >>> [(m.label, m.kind.value, dues) for m, dues in milestone_due_dates(d, date(2026, 1, 1), date(2026, 12, 31))]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('Ban hành kế hoạch', 'fixed', [datetime.date(2026, 3, 31)]),
     ('Thực hiện', 'fixed', [datetime.date(2026, 12, 31)]),
     ('Thực hiện', 'period', [])]
    """
    return [(m, due_dates(m, start, end)) for m in deadline.milestones]
