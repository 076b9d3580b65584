"""Typed models of the plain configuration tables: offices, holidays, deadline meanings, channels."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["zalo", "zns", "email", "apprise"]
CHANNELS: tuple[str, ...] = ("zalo", "zns", "email", "apprise")


class OfficeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    short_name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    in_unit_group: bool = True
    head: str | None = None
    pct_in_charge: str | None = None


class LevelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offices: list[OfficeSpec] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)


class OfficesConfig(BaseModel):
    """``offices.yaml``: canonical offices per level, their aliases, abbreviations and group phrases."""

    model_config = ConfigDict(extra="forbid")

    abbreviations: dict[str, str] = Field(default_factory=dict)
    levels: dict[str, LevelSpec] = Field(default_factory=dict)

    def level(self, name: str) -> LevelSpec:
        return self.levels.get(name) or LevelSpec()


class HolidaysConfig(BaseModel):
    """``holidays.yaml``: the government's swap days."""

    model_config = ConfigDict(extra="forbid")

    days_off: list[date] = Field(default_factory=list)
    working_days: list[date] = Field(default_factory=list)


class DeadlinesConfig(BaseModel):
    """``deadlines.yaml``: meanings for deadline texts, by text or by item (``CODE#number``)."""

    model_config = ConfigDict(extra="forbid")

    by_text: dict[str, str] = Field(default_factory=dict)
    by_item: dict[str, str] = Field(default_factory=dict)


class ZnsTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template_id: str
    data: dict[str, str] = Field(default_factory=dict)


class ZnsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_param: int = Field(default=100, ge=10, le=1000)
    templates: dict[str, ZnsTemplate] = Field(default_factory=dict)


class NotificationsConfig(BaseModel):
    """``notifications.yaml``: the default channel order and the ZNS templates per message kind."""

    model_config = ConfigDict(extra="forbid")

    default_channels: list[Channel] = Field(default_factory=lambda: ["zalo", "zns", "email"])
    zns: ZnsConfig = Field(default_factory=ZnsConfig)
