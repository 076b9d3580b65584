"""Periodic reports: periods, content, Word report with its chart, Excel annex, Markdown; province reports."""

from dondoc.domain.periods import PeriodError, ReportPeriod, SendDeadline, parse_period

__all__ = ["PeriodError", "ReportPeriod", "SendDeadline", "parse_period"]
