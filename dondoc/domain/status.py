"""Status: recording what offices report, and the shown status of every due date.

Stored status is what an office said (append-only). The *shown* status is derived
for a due date and a day (``as_of``), as ``docs/domain.md`` lays out:

>>> from datetime import date
>>> from calendars.workdays import WorkCalendar
>>> cal = WorkCalendar()
>>> shown_status("fixed", date(2026, 3, 31), None, date(2026, 4, 2), cal, 5).label
'quá hạn'
>>> shown_status("fixed", date(2026, 3, 31), date(2026, 3, 30), date(2026, 4, 2), cal, 5).colour
'green'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from calendars.workdays import WorkCalendar


class Stored(StrEnum):
    NOT_STARTED = "chua_thuc_hien"
    IN_PROGRESS = "dang_thuc_hien"
    DONE = "hoan_thanh"
    BLOCKED = "vuong_mac"

    @property
    def label(self) -> str:
        return STORED_LABELS[self]


STORED_LABELS = {
    Stored.NOT_STARTED: "chưa thực hiện",
    Stored.IN_PROGRESS: "đang thực hiện",
    Stored.DONE: "hoàn thành",
    Stored.BLOCKED: "vướng mắc",
}


class Shown(StrEnum):
    OVERDUE = "qua_han"
    DUE_SOON = "sap_den_han"
    UNSET = "chua_xac_dinh"  # the deadline text was not understood: no due date until a person sets one
    ON_TRACK = "trong_han"
    DONE_LATE = "hoan_thanh_tre_han"
    DONE_ON_TIME = "hoan_thanh_dung_han"
    AWAITING = "cho"
    CONTINUOUS = "thuong_xuyen"

    @property
    def label(self) -> str:
        return SHOWN_STYLE[self][0]

    @property
    def colour(self) -> str:
        return SHOWN_STYLE[self][1]

    @property
    def hex(self) -> str:
        return SHOWN_STYLE[self][2]


# label, colour name, hex (for pages, spreadsheets and reports)
SHOWN_STYLE: dict[Shown, tuple[str, str, str]] = {
    Shown.DONE_ON_TIME: ("hoàn thành đúng hạn", "green", "#2e7d32"),
    Shown.DONE_LATE: ("hoàn thành trễ hạn", "orange", "#ef6c00"),
    Shown.ON_TRACK: ("trong hạn", "blue", "#1565c0"),
    Shown.DUE_SOON: ("sắp đến hạn", "amber", "#ffb300"),
    Shown.OVERDUE: ("quá hạn", "red", "#c62828"),
    Shown.UNSET: ("chưa xác định thời hạn", "purple", "#6a1b9a"),
    Shown.AWAITING: ("chờ", "grey", "#757575"),
    Shown.CONTINUOUS: ("thường xuyên", "teal", "#00897b"),
}

# The kind of the one milestone an item has while its deadline text is not understood.
UNSET_KIND = "unset"

# Order in which tables list rows: what needs attention first.
ATTENTION_ORDER = {s: i for i, s in enumerate(Shown)}


def shown_status(
    kind: str,
    deadline: date | None,
    done_on: date | None,
    as_of: date,
    calendar: WorkCalendar,
    due_soon_working_days: int,
) -> Shown:
    """The shown status of one due date.

    ``deadline`` is the date that counts (extended if extended, else effective);
    ``done_on`` the date the office reported it done (None while open). An event
    milestone with no due date yet is "chờ"; a continuous one "thường xuyên"; the milestone of a
    deadline nobody could read yet is "chưa xác định thời hạn" until a person sets it.
    """
    if kind == "continuous":
        return Shown.CONTINUOUS
    if done_on is not None and done_on <= as_of:
        if deadline is None or done_on <= deadline:
            return Shown.DONE_ON_TIME
        return Shown.DONE_LATE
    if kind == UNSET_KIND:
        return Shown.UNSET
    if deadline is None:
        return Shown.AWAITING
    if as_of > deadline:
        return Shown.OVERDUE
    if calendar.working_days_between(as_of, deadline) <= due_soon_working_days:
        return Shown.DUE_SOON
    return Shown.ON_TRACK


@dataclass(frozen=True)
class OccurrenceState:
    """What the status run knows of one due date."""

    occurrence_id: int
    nominal: date
    effective: date
    extended: date | None
    done_on: date | None

    @property
    def deadline(self) -> date:
        return self.extended or self.effective


def current_occurrence(occurrences: list[OccurrenceState], as_of: date) -> OccurrenceState | None:
    """The due date a milestone is judged by on ``as_of``.

    The earliest one still open past its deadline, if any (it is overdue);
    otherwise this year's latest past one (so that a yearly item done in March
    shows as done for the rest of the year); otherwise the first whose deadline
    is today or later; otherwise the last one.

    >>> d = date
    >>> occ = [OccurrenceState(1, d(2026,3,31), d(2026,3,31), None, d(2026,3,1)),
    ...        OccurrenceState(2, d(2027,3,31), d(2027,3,31), None, None)]
    >>> current_occurrence(occ, d(2026, 2, 1)).occurrence_id
    1
    >>> current_occurrence(occ, d(2026, 6, 1)).occurrence_id
    1
    >>> current_occurrence(occ, d(2027, 1, 5)).occurrence_id
    2
    >>> current_occurrence(occ, d(2027, 4, 1)).occurrence_id
    2
    """
    if not occurrences:
        return None
    upcoming = previous = None
    for occ in occurrences:  # sorted by nominal date
        done = occ.done_on is not None and occ.done_on <= as_of
        if occ.deadline < as_of:
            if not done:
                return occ
            previous = occ
        elif upcoming is None:
            upcoming = occ
    if previous is not None and previous.deadline.year == as_of.year:
        return previous
    return upcoming or occurrences[-1]
