"""``reporting.yaml``: report periods with their data cut-offs, send deadlines, progress requests, delivery.

Dates are written "MM-DD".

>>> ReportingConfig.model_validate({"periods": {"Q1": {"label": "Quý I", "from": "12-15", "to": "03-14",
...     "from_previous_year": True}}}).periods["Q1"].start
'12-15'
>>> month_day("02-29")
(2, 29)
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

PeriodCode = Literal["Q1", "H1", "Q3", "Y"]
SendLevel = Literal["office_to_standing_office", "unit_to_level_above"]


def month_day(text: str) -> tuple[int, int]:
    """(month, day) of "MM-DD"; raises ValueError for anything else."""
    month, day = (int(x) for x in str(text).split("-"))
    date(2000, month, day)  # a leap year: accepts 02-29
    return month, day


def _check_month_day(text: str) -> str:
    try:
        month_day(text)
    except (ValueError, TypeError):
        raise ValueError("ngày dạng MM-DD, ví dụ 03-14 (month-day)") from None
    return text


MonthDay = Annotated[str, AfterValidator(_check_month_day)]


class PeriodSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    label: str
    start: MonthDay = Field(alias="from")
    to: MonthDay
    from_previous_year: bool = False


class Recipients(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draft: list[str] = Field(default_factory=lambda: ["office:{standing_office}"])
    final: list[str] = Field(default_factory=lambda: ["office:{standing_office}", "tag:leadership"])


class Signer(BaseModel):
    """Who signs a unit's reports: the lines of the signature block (Nghị định 30/2020)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None  # full name under the signature; unset: an empty line, written in by hand
    title: str | None = None  # unset: "CHỦ TỊCH" (a department: "GIÁM ĐỐC")
    on_behalf: str | None = None  # unset: "TM. ỦY BAN NHÂN DÂN" (a department's director signs in person)


class ReportingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    periods: dict[PeriodCode, PeriodSpec] = Field(default_factory=dict)
    send_deadlines: dict[SendLevel, dict[PeriodCode, MonthDay]] = Field(default_factory=dict)
    progress_request_working_days_before: int = Field(default=5, ge=0, le=60)
    draft_working_days_before: int = Field(default=3, ge=0, le=60)
    catch_up_working_days: int = Field(default=5, ge=0, le=60)
    recipients: Recipients = Field(default_factory=Recipients)
    signers: dict[str, Signer] = Field(default_factory=dict)  # by unit name ("Xã Ngọc Liên")

    def signer(self, unit: str) -> Signer:
        """The unit's signer; the defaults (Chủ tịch, no name) when not configured."""
        return self.signers.get(unit) or Signer()

    def deadline(self, level: str, code: str) -> str | None:
        return (self.send_deadlines.get(level) or {}).get(code)
