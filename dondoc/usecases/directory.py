"""Who a recipient stands for, inside one unit.

A unit's people are those stored for it (``dondoc people import``, the standing
office's page); a unit with none stored uses ``people.yaml`` (people whose ``unit``
is that unit, and people with no ``unit``). A target nobody of the unit holds
goes to the unit's standing office, recorded as forwarded for that target; with
nobody configured at all it goes to the outbox under the name it was addressed to.
"""

from __future__ import annotations

from sqlalchemy import select

from dondoc.configuration import PeopleConfig, Person
from dondoc.storage.ledger import NewRecipient
from dondoc.storage.models import Unit
from dondoc.storage.people import unit_people
from dondoc.text import fold
from dondoc.usecases.context import Context


class Directory:
    """People per unit for one run (read once per unit)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._people: dict[int | None, PeopleConfig] = {}
        self._units: dict[int, tuple[str, str]] | None = None

    def unit_names(self) -> dict[int, tuple[str, str]]:
        if self._units is None:
            with self.ctx.engine.connect() as conn:
                self._units = {r.id: (r.name, r.slug) for r in conn.execute(select(Unit.id, Unit.name, Unit.slug))}
        return self._units

    def people(self, unit_id: int | None) -> PeopleConfig:
        if unit_id not in self._people:
            configured = self.ctx.config.people
            stored = unit_people(self.ctx.engine, unit_id) if unit_id is not None else []
            if stored:
                persons = [Person(**fields) for fields in stored]
            else:
                names = {fold(n) for n in self.unit_names().get(unit_id, ())}
                persons = [p for p in configured.people if p.unit is None or fold(p.unit) in names]
            self._people[unit_id] = PeopleConfig(default_channels=configured.default_channels, people=persons)
        return self._people[unit_id]

    def recipients(self, unit_id: int | None, specs: list[str]) -> list[NewRecipient]:
        """The people ``specs`` stand for in the unit, each once."""
        people = self.people(unit_id)
        standing = self.ctx.policy.standing_office
        chosen: dict[str, NewRecipient] = {}
        for spec in specs:
            found, forwarded = [p for p in people.resolve(spec) if not p.placeholder], None
            if not found:
                forwarded = spec
                found = [p for p in people.resolve(f"office:{standing}") if not p.placeholder]
            if not found:  # nobody configured to hold it: the outbox, under the name addressed
                named = [p for p in people.resolve(spec) if p.id.startswith("office:")]
                forwarded = None if named else spec
                found = named or [placeholder(f"office:{standing}")]
            for person in found:
                chosen.setdefault(person.id, NewRecipient(person.id, unit_id, forwarded))
        return list(chosen.values())

    def person(self, unit_id: int | None, key: str) -> Person:
        return self.people(unit_id).by_id(key) or placeholder(key)


def placeholder(key: str) -> Person:
    """Someone nobody is configured for: reached only through the outbox, under the name addressed."""
    kind, _, name = key.partition(":")
    if not name:
        return Person(id=f"unknown:{key}", name=key)
    return Person(id=key if kind in ("office", "unknown") else f"unknown:{name}", name=name,
                  office=name if kind == "office" else None)
