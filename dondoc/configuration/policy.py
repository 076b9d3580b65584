"""``escalation.yaml``: when reminders go out before a due date and who is escalated to after it.

Every count is in working days; times are local (``DONDOC_TIMEZONE``).

>>> policy = Policy()
>>> policy.reminder_days, policy.send_at.isoformat(), policy.quiet_hours.contains(time(18, 0))
([10, 3, 1, 0], '08:00:00', True)
"""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=1, le=9)
    after_working_days: int = Field(ge=0, le=250)
    targets: list[str]
    repeat_every_working_days: int = Field(default=5, ge=1, le=250)
    max_repeats: int = Field(default=0, ge=0, le=50)
    digest: bool = False


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: time = time(17, 30)
    end: time = time(7, 30)

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


class Reminders(BaseModel):
    model_config = ConfigDict(extra="forbid")

    working_days_before: list[int] = Field(default_factory=lambda: [10, 3, 1, 0])  # kept largest first, each once
    copy_cooperating: bool = True

    @field_validator("working_days_before")
    @classmethod
    def _largest_first(cls, value: list[int]) -> list[int]:
        if any(n < 0 or n > 250 for n in value):
            raise ValueError("số ngày làm việc từ 0 đến 250")
        return sorted(set(value), reverse=True)


class StillOverdue(BaseModel):
    """After the last repeat of the last level, an item neither done, acknowledged nor extended keeps a slow cadence."""

    model_config = ConfigDict(extra="forbid")

    every_working_days: int = Field(default=5, ge=0, le=250)  # 0: not chased any more
    targets: list[str] = Field(default_factory=lambda: ["office:{lead_office}"])


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: list[Level] = Field(default_factory=list)
    still_overdue: StillOverdue = Field(default_factory=StillOverdue)


class Digest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    send_at: time = time(16, 0)


class Nudge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day_of_month: int = Field(default=1, ge=1, le=28)
    standing_office: str = "Phòng Văn hóa - Xã hội"


class Undelivered(BaseModel):
    """Who is told, once, about messages nobody could deliver by their give-up time."""

    model_config = ConfigDict(extra="forbid")

    report_to: list[str] = Field(default_factory=lambda: ["office:{standing_office}"])
    escalations_also_to: list[str] = Field(default_factory=lambda: ["tag:chu-tich"])


class Policy(BaseModel):
    """The chasing policy, as the file lays it out."""

    model_config = ConfigDict(extra="forbid")

    send_at: time = time(8, 0)
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    reminders: Reminders = Field(default_factory=Reminders)
    escalation: Escalation = Field(default_factory=Escalation)
    digest: Digest = Field(default_factory=Digest)
    nudge: Nudge = Field(default_factory=Nudge)
    undelivered: Undelivered = Field(default_factory=Undelivered)

    @property
    def reminder_days(self) -> list[int]:
        """Lead times, largest first, each once (0 is the due day itself)."""
        return self.reminders.working_days_before

    @property
    def copy_cooperating(self) -> bool:
        return self.reminders.copy_cooperating

    @property
    def levels(self) -> list[Level]:
        return self.escalation.levels

    @property
    def still_overdue(self) -> StillOverdue:
        return self.escalation.still_overdue

    @property
    def digest_send_at(self) -> time:
        return self.digest.send_at

    @property
    def nudge_day(self) -> int:
        return self.nudge.day_of_month

    @property
    def standing_office(self) -> str:
        return self.nudge.standing_office

    def undelivered_targets(self, *, escalations: bool) -> list[str]:
        """Who hears of messages given up ({standing_office} filled in)."""
        specs = self.undelivered.report_to + (self.undelivered.escalations_also_to if escalations else [])
        return list(dict.fromkeys(s.replace("{standing_office}", self.standing_office) for s in specs))
