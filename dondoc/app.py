"""The application object: everything Đôn Đốc does, built once from settings and a clock.

The command line, the web pages, the Prefect tasks, ``dondoc up``, the benchmarks
and the tests all build a :class:`Dondoc` and call its use cases; none of them
reads a YAML file, runs a query or holds a rule of its own::

    app = Dondoc.build(Settings(home=tmp), clock=FixedClock(datetime(2026, 3, 16, 8)))
    app.migrate()
    app.import_file(Path("examples/ke-hoach-cchc-xa-ngoc-lien-2026-2030.txt"), unit_name="Xã Ngọc Liên")
    app.record_update("43", "hoan_thanh", product="Kế hoạch số 12/KH-UBND")
    print(app.status().totals)

It owns the database engine (migrated once, at start-up, by :meth:`migrate`), the
typed configuration, the working-day calendar, the clock and the dispatcher of
messages (see :class:`dondoc.usecases.context.Context`).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from dondoc.clock import Clock
from dondoc.configuration import AppConfig
from dondoc.settings import Settings
from dondoc.storage import db
from dondoc.usecases.context import Context

# The use cases are imported where they are called: a flow run that chases one item loads the
# chasing code, not the plan parsers or the report writers.


NEW_OFFICE = "__new__"  # what a mapping says when an unmatched name is a new office of the unit


class Dondoc(Context):
    """Settings, configuration, database, clock and calendar (the :class:`Context`), and the use cases."""

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock | None = None, config: AppConfig | None = None,
              migrate: bool = False) -> Dondoc:
        """The application for ``settings``; with ``migrate``, the database schema is brought up to date."""
        app = cls(settings, clock=clock, config=config)
        if migrate:
            app.migrate()
        return app

    # -- the database --------------------------------------------------------------------------
    migrated = False

    def migrate(self) -> None:
        """Bring the schema up to date when it is behind (one small query when it is not); once per object."""
        if self.migrated:
            return
        self.settings.home_path.mkdir(parents=True, exist_ok=True)
        if db.current_revision(self.engine) != db.head_revision():
            db.migrate(self.engine)
            from dondoc.storage.links import seal_stored_tokens

            with db.unit_of_work(self.engine) as session:  # links stored in clear by an earlier version
                seal_stored_tokens(session)
        self.migrated = True

    def session(self):
        """A session for reading (the use cases' lookups by name)."""
        return db.read_session(self.engine)

    # -- plans ---------------------------------------------------------------------------------
    def import_plan(self, parsed, **options):
        from dondoc.usecases.importing import import_plan

        return import_plan(self, parsed, **options)

    def import_file(self, path: Path, **options):
        from dondoc.usecases import plans

        return plans.import_file(self, Path(path), **options)

    def import_examples(self):
        from dondoc.usecases import plans

        return plans.import_examples(self)

    def map_office(self, name: str, *, to: str | None, unit: str | None = None) -> int:
        """Say what an unmatched office name stands for (``to``: an office of the unit; None: a new office);
        the items holding it get their office now. Returns how many items still hold a name."""
        from dondoc.storage.lookups import named_or_only_unit
        from dondoc.usecases import importing, plans

        with self.session() as session:
            unit_id = named_or_only_unit(session, unit).id
        plans.map_office_names(self, unit_id, {name.strip(): to or NEW_OFFICE}, new_office=NEW_OFFICE, actor="cli")
        return importing.resolve_held_names(self, unit_id)

    def place_unit(self, name: str, parent: str):
        """Put a unit under another (a commune under its province); the upper unit is created when missing."""
        from dondoc.usecases import units

        return units.place_unit(self, name, parent)

    def review_items(self, plan: str | None = None, unit_id: int | None = None):
        from dondoc.usecases import plans

        return plans.review_items(self, plan, unit_id)

    def build_demo(self, **options):
        from dondoc.usecases.demo import build_demo

        return build_demo(self, **options)

    # -- what offices and leadership record ----------------------------------------------------
    def record_update(self, ref: str | int, status: str, *, on: date | None = None, **options):
        from dondoc.usecases import updates

        return updates.record_update(self, ref, status, on=on or self.today(), **options)

    def extend(self, ref: str | int, new_due: date, *, by: str, on: date | None = None, **options):
        from dondoc.usecases import updates

        return updates.extend(self, ref, new_due, by=by, on=on or self.today(), **options)

    def acknowledge(self, ref: str | int, *, by: str, on: date | None = None, **options):
        from dondoc.usecases import updates

        return updates.acknowledge(self, ref, by=by, on=on or self.today(), **options)

    def trigger(self, ref: str | int, *, on: date | None = None, **options):
        from dondoc.usecases import updates

        return updates.trigger_event(self, ref, on=on or self.today(), **options)

    def set_deadline(self, ref: str | int, text: str | None, **options):
        from dondoc.usecases import updates

        return updates.set_deadline_meaning(self, ref, text, **options)

    def item_id(self, ref: str | int, plan: str | None = None, unit: str | None = None) -> int:
        from dondoc.storage.lookups import find_item

        with self.session() as session:
            return find_item(session, ref, plan, unit).id

    # -- where we stand ------------------------------------------------------------------------
    def status(self, as_of: date | None = None, *, unit: str | None = None, plan: str | None = None,
               office: str | None = None, area: str | None = None):
        """The status run, for everything or narrowed by unit (with the units under it), plan, lead office or
        area (names as typed)."""
        from dondoc.storage.lookups import find_offices, find_plan, find_unit, unit_tree_ids
        from dondoc.storage.statusrun import run_status

        unit_ids = plan_ids = office_ids = None
        if unit or plan or office:
            with self.session() as session:
                if unit:  # a province's run includes its communes and wards
                    unit_ids = unit_tree_ids(session, find_unit(session, unit).id)
                if plan:
                    plan_ids = [find_plan(session, plan, unit).id]
                if office:
                    office_ids = [o.id for o in find_offices(session, office, unit_ids[0] if unit_ids else None)]
        return run_status(self.engine, as_of or self.today(), self.calendar, due_soon_working_days=self.due_soon,
                          unit_ids=unit_ids, plan_ids=plan_ids, office_ids=office_ids, area=area)

    # -- chasing and periodic messages ---------------------------------------------------------
    def chase(self, at: datetime | None = None, *, item_ids: list[int] | None = None, unit: str | None = None,
              dispatcher=None):
        """What is due at ``at`` for some items; without ``item_ids`` the catch-up of every item (of ``unit``)."""
        from dondoc.storage.lookups import find_unit
        from dondoc.usecases import chasing

        unit_id = None
        if unit is not None:
            with self.session() as session:
                unit_id = find_unit(session, unit).id
        return chasing.chase(self, self.local(at), item_ids=item_ids, unit_id=unit_id, dispatcher=dispatcher)

    def chase_checkpoint(self, item_id: int, at: datetime | None = None, *, sweep: bool = True, dispatcher=None):
        """An item's scheduled run: the morning's sweep of every item when no run did it, then the item."""
        from dondoc.usecases import chasing

        return chasing.chase_checkpoint(self, self.local(at), item_id, sweep=sweep, dispatcher=dispatcher)

    def send_digest(self, at: datetime | None = None, *, dispatcher=None) -> int:
        from dondoc.usecases import periodic

        return periodic.send_digest(self, self.local(at), dispatcher)

    def send_progress_requests(self, at: datetime | None = None, *, dispatcher=None) -> int:
        from dondoc.usecases import periodic

        return periodic.send_progress_requests(self, self.local(at), dispatcher)

    def nudge_awaiting(self, at: datetime | None = None, *, dispatcher=None) -> int:
        from dondoc.usecases import periodic

        return periodic.nudge_awaiting(self, self.local(at), dispatcher)

    # -- reports -------------------------------------------------------------------------------
    def parse_period(self, text: str):
        from dondoc.domain.periods import parse_period

        return parse_period(text, self.reporting)

    def build_report(self, unit: str | None, period: str, output: Path, *, signed_on: date | None = None,
                     number: str = "…/BC-UBND"):
        """The periodic report of a unit (the only unit with a plan when ``unit`` is None)."""
        from dondoc.reports.build import build_report
        from dondoc.storage.lookups import named_or_only_unit

        the_period = self.parse_period(period)
        with self.session() as session:
            the_unit = named_or_only_unit(session, unit)
            session.expunge(the_unit)
        return build_report(self, the_unit, the_period, Path(output), signed_on=signed_on or self.today(),
                            number=number)

    def deliver_reports(self, day: date | None = None, *, dispatcher=None):
        from dondoc.reports.delivery import deliver_due_reports

        return deliver_due_reports(self, day or self.today(), dispatcher=dispatcher)

    # -- spreadsheets, calendars, links --------------------------------------------------------
    def export_sheet(self, office: str, path: Path | None = None, *, unit: str | None = None,
                     as_of: date | None = None) -> tuple[int, str, Path]:
        """The office's open items as a spreadsheet to fill in: (rows, office name, path written)."""
        from dondoc.storage.lookups import find_one_office
        from dondoc.text import slugify
        from dondoc.usecases.sheets import export_sheet

        day = as_of or self.today()
        with self.session() as session:
            found = find_one_office(session, office, unit)
            office_id, name = found.id, found.name
        path = Path(path) if path else Path(f"cap-nhat-{slugify(name)}-{day:%Y%m%d}.xlsx")
        return export_sheet(self, office_id, day, path), name, path

    def import_sheet(self, path: Path, *, on: date | None = None, by: str | None = None):
        from dondoc.usecases.sheets import import_sheet

        return import_sheet(self, Path(path), on=on or self.today(), by=by)

    def feed(self, office: str | None = None, *, unit: str | None = None, leadership: bool = False,
             as_of: date | None = None, continuous: bool = True):
        """A calendar feed as a person names it: (feed, whose, the link to subscribe to)."""
        from dondoc.usecases import feeds

        scope, who = feeds.feed_scope(self, office, unit, leadership)
        built = feeds.build_feed(self.engine, scope, feeds.options_from(self, as_of or self.today(), continuous))
        return built, who, feeds.feed_url(self, scope, continuous)

    def links(self, unit: str | None = None):
        from dondoc.usecases.access import links_for

        return links_for(self, unit)

    def rotate_link(self, kind: str, *, unit: str | None = None, office: str | None = None):
        from dondoc.usecases.access import rotate_named

        return rotate_named(self, kind, unit=unit, office=office)

    # -- people and the check -------------------------------------------------------------------
    def check(self):
        """Every recipient that reaches nobody, every person and setting in doubt (``dondoc check``)."""
        from dondoc.usecases.checking import check

        return check(self)

    def import_people(self, path: Path, *, unit: str | None = None):
        from dondoc.usecases.people import import_people

        return import_people(self, path, unit)

    def unit_people_by_id(self, unit_id: int):
        """(unit name, its people) as messages resolve them."""
        from dondoc.usecases.directory import Directory

        directory = Directory(self)
        return directory.unit_names().get(unit_id, ("",))[0], directory.people(unit_id)

    def not_delivered_in(self, unit_id: int, *, limit: int = 200):
        from dondoc.usecases.undelivered import not_delivered

        return not_delivered(self, unit_id=unit_id, limit=limit)

    def unit_people(self, unit: str | None = None):
        """(unit name, its people) as messages resolve them."""
        from dondoc.storage.lookups import named_or_only_unit
        from dondoc.usecases.directory import Directory

        with self.session() as session:
            target = named_or_only_unit(session, unit, with_plans=False)
            unit_id, name = target.id, target.name
        return name, Directory(self).people(unit_id)

    # -- the delivery log ----------------------------------------------------------------------
    def deliveries(self, *, key: str | None = None, limit: int = 50):
        """Attempts to deliver messages, newest first."""
        from notifications.ledger import list_deliveries

        with self.session() as session:
            return list_deliveries(session, ledger_key=key, limit=limit)

    def not_delivered(self, *, unit: str | None = None, limit: int = 200):
        """Deliveries failed, unknown or given up (``dondoc deliveries --failed``, the standing office's page)."""
        from dondoc.storage.lookups import find_unit
        from dondoc.usecases.undelivered import not_delivered

        unit_id = None
        if unit is not None:
            with self.session() as session:
                unit_id = find_unit(session, unit).id
        return not_delivered(self, unit_id=unit_id, limit=limit)

    def resend(self, delivery_id: int):
        """Send a logged message again to the person of one delivery (all their channels); once a channel
        took it, that delivery is no longer tried again nor reported as given up."""
        from dondoc.usecases.undelivered import resend

        return resend(self, delivery_id)

    def notify_test(self, person_id: str):
        """A test message on each of a person's channels."""
        with self.dispatcher() as dispatcher:
            return dispatcher.send_test(person_id)

    def save_zalo_tokens(self, access_token: str, refresh_token: str):
        """Store the first Zalo OA token pair (later pairs are rotated by the Zalo channel itself)."""
        from notifications.zalo_api import TokenStore

        store = TokenStore(self.settings.zalo_token_path)
        with store.locked():
            store.write(access_token.strip(), refresh_token.strip())
        return store.path


_process: Dondoc | None = None


def process_app(settings: Settings, *, migrate: bool = False) -> Dondoc:
    """The application of this process (a command, a flow run), built once for ``settings``; built again
    only when the settings were reloaded. With ``migrate``, the schema is brought up to date first."""
    global _process
    if _process is None or _process.settings is not settings:
        _process = Dondoc.build(settings)
    if migrate:
        _process.migrate()
    return _process


def use_process_app(app: Dondoc | None) -> None:
    """Make ``app`` the application of this process (tests give it a fixed clock); None forgets it."""
    global _process
    _process = app
