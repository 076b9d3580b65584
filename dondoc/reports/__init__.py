"""Periodic reports: periods and deadlines, content, .docx (with a status chart) / .xlsx / Markdown outputs, province reports."""

from dondoc.reports.periods import PeriodError, ReportPeriod, SendDeadline, parse_period

__all__ = ["PeriodError", "ReportPeriod", "SendDeadline", "parse_period"]
