"""``people.yaml``: people, their channels, and who an office, an area or a tag stands for.

Read from the user config folder (see ``config/people.example.yaml``). Without
that file nobody has a channel, and every message goes to the outbox under the
name of the office or person it was addressed to.

People are kept per unit in the database (``dondoc people import``, the standing
office's page); a unit with none there uses the people of this file (those with
its ``unit``, or with no ``unit``).

Recipients are written as:

- ``nguyen-van-a`` or ``person:nguyen-van-a``: one person (by id);
- ``office:Phòng Văn hóa - Xã hội``: the head of the office (its staff with ``staff:``);
- ``tag:leadership``: everyone carrying that Apprise tag;
- ``area:II``: the leader (PCT) in charge of that area of the plan.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from dondoc.configuration.files import ConfigError
from dondoc.configuration.tables import CHANNELS


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    unit: str | None = None  # people.yaml: only for this unit (its name); none: every unit without its own people
    role: str | None = None
    office: str | None = None
    head: bool = False
    areas: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    email: str | None = None
    zalo_user_id: str | None = None
    phone: str | None = None
    channels: list[str] | None = None  # preference and fallback order; None: the default order
    apprise: list[str] = Field(default_factory=list)  # any other Apprise URL, used in the "apprise" step

    @field_validator("id", "name", "unit", "role", "office", "areas", "tags", "email", "zalo_user_id", "phone",
                     "apprise")
    @classmethod
    def _printable(cls, value):
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and _CONTROL.search(t) for t in texts):
            raise ValueError("có ký tự điều khiển không hợp lệ (control character); hãy gõ lại")
        return value

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value):
        if value is not None:
            unknown = [c for c in value if c not in CHANNELS]
            if unknown:
                raise ValueError(f"kênh không hỗ trợ (unknown channel): {', '.join(unknown)}; dùng {', '.join(CHANNELS)}")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value):
        return normalize_phone(value) if value else value

    @property
    def placeholder(self) -> bool:
        return self.id.startswith(("office:", "unknown:"))


class PeopleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_channels: list[str] = Field(default_factory=lambda: ["zalo", "zns", "email"])
    people: list[Person] = Field(default_factory=list)
    _office_index: dict[str, list[Person]] | None = PrivateAttr(default=None)

    def _by_office(self) -> dict[str, list[Person]]:
        if self._office_index is None:
            self._office_index = {}
            for person in self.people:
                if person.office:
                    self._office_index.setdefault(_key(person.office), []).append(person)
        return self._office_index

    def by_id(self, person_id: str) -> Person | None:
        return next((p for p in self.people if p.id == person_id), None)

    def channel_order(self, person: Person) -> list[str]:
        order = list(person.channels if person.channels is not None else self.default_channels)
        if person.apprise and "apprise" not in order:
            order.append("apprise")
        return order

    def resolve(self, spec: str) -> list[Person]:
        """The people a recipient spec stands for; an office nobody is configured for yields a placeholder."""
        kind, _, value = spec.partition(":") if ":" in spec else ("person", "", spec)
        value = value.strip()
        if kind == "person":
            person = self.by_id(value)
            return [person] if person else [Person(id=f"unknown:{value}", name=value)]
        if kind in ("office", "staff"):
            staff = self._by_office().get(_key(value), [])
            chosen = staff if kind == "staff" else [p for p in staff if p.head] or staff[:1]
            return chosen or [Person(id=f"office:{value}", name=value, office=value)]
        if kind == "tag":
            return [p for p in self.people if value in p.tags]
        if kind == "area":
            return [p for p in self.people if value in p.areas]
        raise ConfigError(f"Người nhận «{spec}» không hợp lệ: dùng ID, office:, staff:, tag: hoặc area:")

    def resolve_all(self, specs) -> list[Person]:
        seen: dict[str, Person] = {}
        for spec in specs:
            for person in self.resolve(spec):
                seen.setdefault(person.id, person)
        return list(seen.values())


_TAG_TITLES = {"chu-tich": "Chủ tịch UBND", "pho-chu-tich": "Phó Chủ tịch UBND", "leadership": "Lãnh đạo UBND",
               "lanh-dao": "Lãnh đạo UBND", "van-phong": "Văn phòng HĐND và UBND"}


def spec_title(spec: str) -> str:
    """How a message names a recipient spec (when nobody holds it, or it is forwarded).

    >>> spec_title("area:V"), spec_title("tag:chu-tich"), spec_title("office:Trạm Y tế")
    ('Phó Chủ tịch UBND phụ trách lĩnh vực V', 'Chủ tịch UBND', 'Trạm Y tế')
    >>> spec_title("tag:leadership"), spec_title("tag:pho-chu-tich")
    ('Lãnh đạo UBND', 'Phó Chủ tịch UBND')
    """
    kind, _, value = spec.partition(":")
    if kind == "area":
        return f"Phó Chủ tịch UBND phụ trách lĩnh vực {value}"
    if kind == "tag" and value in _TAG_TITLES:
        return _TAG_TITLES[value]
    if kind == "tag":
        return f"nhóm «{value}»"
    if kind in ("office", "staff"):
        return value
    return value or spec


def _key(office: str) -> str:
    return " ".join(office.split()).casefold()


def normalize_phone(phone: str) -> str:
    """Zalo writes phone numbers as 84xxxxxxxxx.

    >>> normalize_phone("0912 345 678")
    '84912345678'
    >>> normalize_phone("+84912345678")
    '84912345678'
    """
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits
