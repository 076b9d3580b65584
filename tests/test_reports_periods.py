"""Report periods: data cut-offs, send deadlines on working days, and the Điều 8 gap check."""

from __future__ import annotations

from datetime import date

import pytest

from calendars.workdays import vietnam_calendar
from dondoc.configuration import ConfigError, ReportingConfig, load_config
from dondoc.domain import periods
from dondoc.domain.periods import PeriodError
from dondoc.reports.docx_report import date_line

D = date
CAL = vietnam_calendar([2025, 2026, 2027])
SHIPPED = load_config(None).reporting


def parse_period(text: str, raw: dict | None = None):
    return periods.parse_period(text, ReportingConfig.model_validate(raw) if raw is not None else SHIPPED)


@pytest.mark.parametrize(
    "text, key, code, start, cutoff, previous",
    [
        ("2026-Q1", "2026-Q1", "Q1", D(2025, 12, 15), D(2026, 3, 14), "2025"),
        ("2026-H1", "2026-H1", "H1", D(2025, 12, 15), D(2026, 6, 14), "2026-Q1"),
        ("2026-Q3", "2026-Q3", "Q3", D(2026, 6, 15), D(2026, 9, 14), "2026-H1"),
        ("2026", "2026", "Y", D(2025, 12, 15), D(2026, 12, 14), "2026-Q3"),
        ("2026-Y", "2026", "Y", D(2025, 12, 15), D(2026, 12, 14), "2026-Q3"),
        (" 2027-q1 ", "2027-Q1", "Q1", D(2026, 12, 15), D(2027, 3, 14), "2026"),
    ],
)
def test_parse_period_table(text, key, code, start, cutoff, previous):
    p = parse_period(text)
    assert (p.key, p.code, p.start, p.cutoff) == (key, code, start, cutoff)
    assert p.previous(SHIPPED).key == previous


@pytest.mark.parametrize("text", ["", "2026-Q2", "Q1-2026", "26-Q1", "2026-H2", "quý 1"])
def test_bad_period_text_gives_a_vietnamese_message(text):
    with pytest.raises(PeriodError, match="Kỳ báo cáo .* không hợp lệ: dùng dạng 2026-Q1"):
        parse_period(text)


def test_titles():
    assert parse_period("2026-Q1").title == "Quý I năm 2026"
    assert parse_period("2026-H1").title == "6 tháng đầu năm 2026"
    assert parse_period("2026").title == "năm 2026"


@pytest.mark.parametrize(
    "period, level, nominal, due",
    [
        ("2026-Q1", "office_to_standing_office", D(2026, 3, 2), D(2026, 3, 2)),
        ("2026-Q1", "unit_to_level_above", D(2026, 3, 19), D(2026, 3, 19)),
        ("2026-H1", "unit_to_level_above", D(2026, 6, 19), D(2026, 6, 19)),
        ("2026-Q3", "office_to_standing_office", D(2026, 9, 2), D(2026, 9, 3)),  # 02/9 Quốc khánh (+ 01/9 off)
        ("2026-Q3", "unit_to_level_above", D(2026, 9, 19), D(2026, 9, 21)),  # Saturday -> Monday
        ("2026", "unit_to_level_above", D(2026, 12, 19), D(2026, 12, 21)),  # Saturday -> Monday
    ],
)
def test_send_deadlines_shift_to_working_days(period, level, nominal, due):
    by_level = {d.level: d for d in parse_period(period).send_deadlines(CAL, SHIPPED)}
    assert (by_level[level].nominal, by_level[level].due) == (nominal, due)


def test_gap_between_cutoff_and_send_deadline_is_reported_not_raised():
    # The shipped office deadline (before day 03) falls before the 14th cut-off: reported.
    problems = parse_period("2026-Q1").deadline_problems(CAL, SHIPPED)
    assert len(problems) == 1 and "02/03/2026" in problems[0] and "14/03/2026" in problems[0]
    # The unit deadline (19/03) leaves working days after the cut-off.
    unit = next(d for d in parse_period("2026-Q1").send_deadlines(CAL, SHIPPED) if d.level == "unit_to_level_above")
    assert unit.ok and unit.working_days_after_cutoff == 4  # 16, 17, 18, 19 March
    # A deadline on the Monday after a Saturday cut-off has exactly one working day: fine.
    raw = {
        "periods": {"Q1": {"label": "Quý I", "from": "12-15", "from_previous_year": True, "to": "03-14"}},
        "send_deadlines": {"unit_to_level_above": {"Q1": "03-16"}, "office_to_standing_office": {"Q1": "03-15"}},
    }
    deadlines = {d.level: d for d in parse_period("2026-Q1", raw).send_deadlines(CAL, ReportingConfig.model_validate(raw))}
    assert deadlines["unit_to_level_above"].working_days_after_cutoff == 1 and deadlines["unit_to_level_above"].ok
    # Sunday 15/03 shifts to Monday 16/03 too: also one working day.
    assert deadlines["office_to_standing_office"].due == D(2026, 3, 16)
    raw["send_deadlines"] = {"unit_to_level_above": {"Q1": "03-14"}}  # Saturday -> Monday 16/03: still fine
    assert parse_period("2026-Q1", raw).deadline_problems(CAL, ReportingConfig.model_validate(raw)) == []
    raw["send_deadlines"] = {"unit_to_level_above": {"Q1": "03-13"}}  # Friday before the cut-off
    assert len(parse_period("2026-Q1", raw).deadline_problems(CAL, ReportingConfig.model_validate(raw))) == 1


def test_bad_config_date_names_the_file_and_the_key(tmp_path):
    (tmp_path / "reporting.yaml").write_text('periods:\n  Q1: {label: "Quý I", from: "12-15", to: "3/14"}\n',
                                             encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert "reporting.yaml" in message and "periods.Q1.to «3/14»" in message and "MM-DD" in message


def test_unknown_period_is_a_period_error():
    with pytest.raises(PeriodError, match="chưa được khai báo"):
        parse_period("2026-Q1", {"periods": {}})


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 3, 5), "Ngọc Liên, ngày 05 tháng 3 năm 2026"),
        (D(2026, 1, 20), "Ngọc Liên, ngày 20 tháng 01 năm 2026"),
        (D(2026, 2, 9), "Ngọc Liên, ngày 09 tháng 02 năm 2026"),
        (D(2026, 12, 10), "Ngọc Liên, ngày 10 tháng 12 năm 2026"),
    ],
)
def test_date_line(day, expected):
    assert date_line("Ngọc Liên", day) == expected
