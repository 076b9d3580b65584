"""The data model.

A *unit* (commune or province) issues *plans*; a plan's appendix has *areas*
(its sections) and *items*; each item has lead and cooperating *offices* and one
or more *milestones* read from its deadline text; a dated milestone expands into
*occurrences* (one per nominal due date, with its effective due date on working
days). Offices report *status updates* (append-only); *extensions* move an
occurrence's due date while keeping the original; every change is written to
the *audit log*.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    MetaData,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dondoc.clock import utcnow


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


LEAD_PART = "lead"  # a report that sets the status (the lead office, the standing office, the CLI)
COOP_PART = "coop"  # a cooperating office's report of its own part


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[str] = mapped_column(String(20), default="commune")  # commune | province
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    offices: Mapped[list[Office]] = relationship(back_populates="unit", cascade="all, delete-orphan")
    plans: Mapped[list[Plan]] = relationship(back_populates="unit", cascade="all, delete-orphan")


class Office(Base):
    __tablename__ = "offices"
    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_offices_unit_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(60))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    in_unit_group: Mapped[bool] = mapped_column(Boolean, default=True)
    head: Mapped[str | None] = mapped_column(String(200))
    pct_in_charge: Mapped[str | None] = mapped_column(String(200))
    from_config: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="offices")


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("unit_id", "key", name="uq_plans_unit_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(100))
    issuer: Mapped[str | None] = mapped_column(String(200))
    period_start: Mapped[int] = mapped_column(Integer)
    period_end: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str | None] = mapped_column(String(500))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="plans")
    areas: Mapped[list[Area]] = relationship(back_populates="plan", cascade="all, delete-orphan", order_by="Area.position")
    items: Mapped[list[Item]] = relationship(back_populates="plan", cascade="all, delete-orphan", order_by="Item.position")


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("plan_id", "code", name="uq_areas_plan_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    pct_in_charge: Mapped[str | None] = mapped_column(String(200))

    plan: Mapped[Plan] = relationship(back_populates="areas")


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_items_plan_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    lead_text: Mapped[str] = mapped_column(Text)
    cooperating_text: Mapped[str] = mapped_column(Text, default="")
    deadline_text: Mapped[str] = mapped_column(Text)
    deadline_override: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str | None] = mapped_column(Text)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    review_problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [[column, name], …]: names in the row's office cells that match no office of the unit yet (held until mapped)
    unknown_offices: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    source_row: Mapped[int | None] = mapped_column(Integer)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="items")
    area: Mapped[Area | None] = relationship()
    offices: Mapped[list[ItemOffice]] = relationship(back_populates="item", cascade="all, delete-orphan")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Milestone.position"
    )


class ItemOffice(Base):
    __tablename__ = "item_offices"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10), primary_key=True)  # lead | coop
    via_group: Mapped[bool] = mapped_column(Boolean, default=False)

    item: Mapped[Item] = relationship(back_populates="offices")
    office: Mapped[Office] = relationship()


class Milestone(Base):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    label: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # fixed | yearly | continuous | period | event
    text: Mapped[str] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    month: Mapped[int | None] = mapped_column(Integer)
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    rrule: Mapped[str | None] = mapped_column(String(500))
    event: Mapped[str | None] = mapped_column(Text)
    triggered_on: Mapped[date | None] = mapped_column(Date)
    trigger_note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[Item] = relationship(back_populates="milestones")
    occurrences: Mapped[list[Occurrence]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan", order_by="Occurrence.nominal_due"
    )


class Occurrence(Base):
    """One due date of a milestone: nominal (as the text says) and effective (working days)."""

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("milestone_id", "nominal_due", name="uq_occurrences_milestone_due"),
        Index("ix_occurrences_effective_due", "effective_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    nominal_due: Mapped[date] = mapped_column(Date)
    effective_due: Mapped[date] = mapped_column(Date)
    extended_due: Mapped[date | None] = mapped_column(Date)
    previous_due: Mapped[date | None] = mapped_column(Date)  # the nominal date before the plan's text moved it

    milestone: Mapped[Milestone] = relationship(back_populates="occurrences")
    item: Mapped[Item] = relationship()


class StatusUpdate(Base):
    """Append-only history of what an office reported."""

    __tablename__ = "status_updates"
    __table_args__ = (Index("ix_status_updates_item_asof", "item_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id", ondelete="SET NULL"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(30))  # chua_thuc_hien | dang_thuc_hien | hoan_thanh | vuong_mac
    note: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str | None] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(20), default="cli")
    # "lead": sets the milestone's status; "coop": a cooperating office's own part, shown, never closing it
    part: Mapped[str] = mapped_column(String(10), default=LEAD_PART, server_default=LEAD_PART)


class Extension(Base):
    """An extension ('gia hạn'): the occurrence keeps its original dates beside the new one."""

    __tablename__ = "extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"), index=True)
    previous_due: Mapped[date] = mapped_column(Date)
    new_due: Mapped[date] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class Acknowledgement(Base):
    """Leadership has seen an overdue due date ("đã nắm"): escalation stops while the deadline stays."""

    __tablename__ = "acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id", ondelete="CASCADE"), index=True)
    deadline: Mapped[date] = mapped_column(Date)  # the deadline acknowledged; an extension starts afresh
    acknowledged_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PersonRow(Base):
    """A person of a unit, the offices, areas and tags they stand for, and their channels."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("unit_id", "key", name="uq_people_unit_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    office: Mapped[str | None] = mapped_column(String(200))
    head: Mapped[bool] = mapped_column(Boolean, default=False)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(300))
    zalo_user_id: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    channels: Mapped[list[str] | None] = mapped_column(JSON)
    apprise: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccessLink(Base):
    """A secret link to a page or a calendar feed, for one office, a unit's leadership or its standing office.

    ``kind`` is one of ``office``, ``office_feed``, ``leadership``, ``leadership_feed``
    and ``standing``. Only the SHA-256 of the token is used to find a link. The token
    is kept sealed with the installation's secret key (``salt``, ``sealed``; see
    :mod:`dondoc.storage.links`), so that messages and the standing office can carry
    the link while a copy of the database alone opens nothing. Rotating a link
    revokes it (``revoked_at``) and issues a new one; a revoked link answers 404.
    """

    token = None  # the clear token, set by dondoc.storage.links when it issues or reveals the link (never stored)

    __tablename__ = "access_links"
    __table_args__ = (Index("ix_access_links_scope", "kind", "unit_id", "office_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    legacy_token: Mapped[str | None] = mapped_column("token", String(100))  # before sealing; emptied at start-up
    salt: Mapped[str | None] = mapped_column(String(32))
    sealed: Mapped[str | None] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship()
    office: Mapped[Office | None] = relationship()


class CalendarEvent(Base):
    """What a calendar feed last published for one event UID: its fingerprint and SEQUENCE (RFC 5545)."""

    __tablename__ = "calendar_events"

    uid: Mapped[str] = mapped_column(String(300), primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Evidence(Base):
    """A file an office attached to a status update (kept under <home>/evidence/, named by its SHA-256)."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    status_update_id: Mapped[int] = mapped_column(ForeignKey("status_updates.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReportRun(Base):
    """One compiled periodic report (a draft or the final), recorded once per unit, period and stage."""

    __tablename__ = "report_runs"
    __table_args__ = (UniqueConstraint("unit_id", "period", "stage", name="uq_report_runs_unit_period_stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(20))  # 2026-Q1 | 2026-H1 | 2026-Q3 | 2026
    stage: Mapped[str] = mapped_column(String(10))  # draft | final
    as_of: Mapped[date] = mapped_column(Date)
    directory: Mapped[str] = mapped_column(String(500))
    files: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), default="compiled")  # compiled | delivered
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Sweep(Base):
    """One morning's set-based chase of every item, done once by the first item run of that morning.

    ``key`` names the morning (its local date); the run that inserts the row does the sweep, stamps
    ``finished_at`` with its counts, and the item runs after it find their messages already delivered.
    A claim whose run died (no ``finished_at`` after the lease) is taken over by the next run."""

    __tablename__ = "sweeps"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
