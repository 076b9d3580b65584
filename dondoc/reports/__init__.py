"""Periodic reports (issue 6): periods and deadlines, content, .docx / .xlsx / Markdown outputs."""

from dondoc.reports.periods import PeriodError, ReportPeriod, SendDeadline, parse_period

__all__ = ["PeriodError", "ReportPeriod", "SendDeadline", "parse_period"]
