"""``dondoc sync``: make the Prefect deployments match the database.

Every active item has one deployment of the item flow (``flows/item.py:item_flow``)
named for people, so that the Prefect UI lists items apart and in appendix order:
``<commune> · Mục <number, zero-padded> · <start of the item's text>`` (see :func:`deployment_name`),
tagged ``dondoc``, ``dondoc:item``, ``unit:<slug>``, ``office:<lead office>`` and ``area:<code>``, with
parameters ``{"item_id": id}`` and the item flow's parameter schema, published (``as_of`` can be set from the
UI or ``prefect deployment run … --param as_of=2026-04-15``).
Its schedule holds the item's checkpoints (from :func:`dondoc.usecases.schedules.item_schedules`)
over a rolling horizon of ``DONDOC_SYNC_HORIZON_DAYS`` days as ONE ``RRuleSchedule``
in the configured time zone: an RRULE when the times are evenly spaced, otherwise
``DTSTART`` + ``RDATE`` in local clock time. An item with nothing to chase in the
horizon keeps its deployment without a schedule (it can still be run by hand).

The reconciliation reads the database in a few queries and the Prefect
deployments in pages, then creates/updates (one upsert each, the schedule inside it:
see :func:`deployment_body`) and deletes deployments concurrently; a deployment whose
name, tags, parameters, schedule, pool and entrypoint already match is left alone, so a
second run changes nothing. Each upsert stands alone, so an interrupted sync (even
``kill -9``) leaves some deployments written and the next run writes the rest.

Time goes to the Prefect server: an upsert costs it about 50 ms of one core (a dozen
queries and the created event), whatever the client does, and Prefect has no route that
creates several deployments at once. So the sync keeps the server busy
(``DONDOC_SYNC_CONCURRENCY`` requests in flight, the next one ready while the server
works) and sends only the fields it sets: leaving out ``concurrency_limit`` (which the
Prefect client sends as ``null``) spares the server a reload of the deployment per upsert.
Only deployments tagged ``dondoc`` whose parameters carry ``item_id`` are ever deleted: that, not the name,
identifies an item's deployment, so a renamed item (new text, new naming) gets its new deployment and loses
the old one in the same run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dondoc.app import Dondoc
from dondoc.orchestration.names import allowed, deployment_name, flow_parameter_schema
from dondoc.orchestration.prefect_server import ensure_work_pool, pull_steps, run_sync
from dondoc.orchestration.rrules import checkpoint_count, rrule_for
from dondoc.settings import Settings
from dondoc.usecases.schedules import item_schedules

TAG = "dondoc"
ITEM_TAG = "dondoc:item"
ITEM_FLOW_NAME = "dondoc-item"
ITEM_ENTRYPOINT = "flows/item.py:item_flow"
PAGE = 200
BULK = 50  # Prefect's bulk operation limit
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Desired:
    """What one item's deployment must look like."""

    item_id: int
    name: str
    tags: tuple[str, ...]
    rrule: str | None
    timezone: str
    description: str

    @property
    def parameters(self) -> dict[str, Any]:
        return {"item_id": self.item_id}


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    scheduled: int = 0  # deployments with a schedule (something to chase in the horizon)
    checkpoints: int = 0
    horizon: tuple[date, date] | None = None
    names: dict[str, str] = field(default_factory=dict)  # name -> created|updated|deleted

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def as_json(self) -> dict:
        return {
            "created": self.created, "updated": self.updated, "deleted": self.deleted, "unchanged": self.unchanged,
            "scheduled": self.scheduled, "checkpoints": self.checkpoints,
            "horizon": [d.isoformat() for d in self.horizon] if self.horizon else None,
        }


# -- the horizon --------------------------------------------------------------------------------

def horizon_for(start: date, settings: Settings) -> tuple[date, date]:
    return start, start + timedelta(days=settings.sync_horizon_days - 1)


# -- the database side ----------------------------------------------------------------------

def desired_deployments(
    app: Dondoc,
    *,
    start: date,
    end: date,
    as_of: date,
    item_ids: list[int] | None = None,
    checkpoints: dict[int, list[datetime]] | None = None,
) -> dict[str, Desired]:
    """Name -> desired deployment for every active item (or the given ones)."""
    settings = app.settings
    tz = ZoneInfo(settings.timezone)
    low = datetime.combine(start, time.min, tz)
    high = datetime.combine(end, time.max, tz)
    desired: dict[str, Desired] = {}
    rows = item_schedules(app, start=start, end=end, as_of=as_of, item_ids=item_ids, checkpoints=checkpoints)
    for row in sorted(rows, key=lambda r: r.item_id):
        tags = {TAG, ITEM_TAG, f"unit:{row.unit_slug}"} | {f"office:{name}" for name in row.leads}
        if row.area:
            tags.add(f"area:{row.area}")
        moments = [m for m in row.checkpoints if low <= _aware(m, tz) <= high]
        name = deployment_name(row.unit_name, row.number, row.content)
        if name in desired:  # the same number and text in two plans of one commune: the plan tells them apart
            name = allowed(f"{name} ({row.plan_code})")
        desired[name] = Desired(
            item_id=row.item_id,
            name=name,
            tags=tuple(sorted(tags)),
            rrule=rrule_for(moments, settings.timezone),
            timezone=settings.timezone,
            description=f"{row.unit_name} · Mục {row.number}: {_shorten(row.content)}",
        )
    return desired


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the Prefect side -----------------------------------------------------------------------

# the runs an item's schedule starts carry this: the first of a morning sends every item's messages of that
# morning at once (see :func:`dondoc.usecases.chasing.chase_checkpoint`); a run started by hand does not
SCHEDULED_RUN = {"sweep": True}


def schedules_for(desired: Desired) -> list[dict[str, Any]]:
    """The deployment's schedules as the Prefect API takes them: the item's checkpoints as one active RRule
    schedule whose runs carry :data:`SCHEDULED_RUN`, or none. What the sync writes and what it compares
    (:func:`_schedule_key`) both start here."""
    if not desired.rrule:
        return []
    return [{"schedule": {"rrule": desired.rrule, "timezone": desired.timezone}, "active": True,
             "parameters": dict(SCHEDULED_RUN)}]


def _schedule_key(schedule: dict[str, Any]) -> tuple:
    """What must match in one schedule: a :func:`schedules_for` entry, or a server's schedule as JSON."""
    inner = schedule.get("schedule") or {}
    return (inner.get("rrule", "<other>"), inner.get("timezone"), bool(schedule.get("active", True)),
            tuple(sorted((schedule.get("parameters") or {}).items())))


def deployment_body(desired: Desired, *, flow_id, pool: str, parameter_schema: dict[str, Any]) -> dict[str, Any]:
    """The ``POST /deployments/`` body of an item's deployment (an upsert by flow and name), schedule included:
    only the fields the sync sets, so that the server does no work for the others."""
    return {
        "flow_id": str(flow_id),
        "name": desired.name,
        "parameters": desired.parameters,
        "tags": list(desired.tags),
        "schedules": schedules_for(desired),
        "work_pool_name": pool,
        "entrypoint": ITEM_ENTRYPOINT,
        "pull_steps": pull_steps(),
        "description": desired.description,
        # the schema is published (the UI's run form, `--param as_of=`) but not enforced by the
        # server: enforcing it made Prefect's scheduler hold its SQLite database for about a minute
        # while it planned the items' runs, and a burst of 40 item runs on `dondoc up` then took over
        # 200 s instead of about 100 s. The item flow still checks its parameters when it starts.
        "enforce_parameter_schema": False,
        "parameter_openapi_schema": parameter_schema,
    }


def _current(deployment) -> tuple:
    return (
        tuple(sorted(deployment.tags)),
        dict(deployment.parameters or {}),
        tuple(sorted(_schedule_key(s.model_dump(mode="json")) for s in deployment.schedules)),
        deployment.work_pool_name,
        deployment.entrypoint,
        deployment.pull_steps,
        deployment.description,
        bool(deployment.enforce_parameter_schema),
        deployment.parameter_openapi_schema,
    )


def _wanted(desired: Desired, pool: str) -> tuple:
    schedules = tuple(sorted(_schedule_key(s) for s in schedules_for(desired)))
    return (desired.tags, desired.parameters, schedules, pool, ITEM_ENTRYPOINT, pull_steps(), desired.description,
            False, flow_parameter_schema(ITEM_ENTRYPOINT))


async def read_item_deployments(client) -> dict[str, Any]:
    """Every deployment tagged ``dondoc`` whose parameters name an item, by name (paged)."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterTags
    from prefect.client.schemas.sorting import DeploymentSort

    found: dict[str, Any] = {}
    offset = 0
    while True:
        page = await client.read_deployments(
            deployment_filter=DeploymentFilter(tags=DeploymentFilterTags(all_=[TAG])),
            sort=DeploymentSort.NAME_ASC, limit=PAGE, offset=offset,
        )
        for deployment in page:
            if "item_id" in (deployment.parameters or {}):
                found[deployment.name] = deployment
        if len(page) < PAGE:
            return found
        offset += PAGE


async def apply(
    client,
    desired: dict[str, Desired],
    *,
    settings: Settings,
    prune: bool = True,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
) -> SyncReport:
    """Create, update and (with ``prune``) delete item deployments so Prefect matches ``desired``."""
    pool = settings.prefect_pool
    report = SyncReport(scheduled=sum(1 for d in desired.values() if d.rrule))
    if not dry_run:
        await ensure_work_pool(client, pool)
    existing = await read_item_deployments(client)
    if not prune:
        existing_for = {n: d for n, d in existing.items() if n in desired}
    else:
        existing_for = existing
    to_upsert = [d for name, d in desired.items()
                 if name not in existing_for or _current(existing_for[name]) != _wanted(d, pool)]
    to_delete = [d for name, d in existing_for.items() if name not in desired]
    report.unchanged = len(desired) - len(to_upsert)
    total = len(desired) + len(to_delete)
    done = report.unchanged
    if progress:
        progress(done, total)
    flow_id = None if dry_run or not to_upsert else await client.create_flow_from_name(ITEM_FLOW_NAME)
    schema = flow_parameter_schema(ITEM_ENTRYPOINT)
    gate = asyncio.Semaphore(settings.sync_concurrency)

    async def upsert(d: Desired) -> None:
        nonlocal done
        verb = "updated" if d.name in existing_for else "created"
        if not dry_run:
            body = deployment_body(d, flow_id=flow_id, pool=pool, parameter_schema=schema)
            async with gate:
                await client.request("POST", "/deployments/", json=body)
        setattr(report, verb, getattr(report, verb) + 1)
        report.names[d.name] = verb
        done += 1
        if progress:
            progress(done, total)

    async def delete(chunk: list) -> None:
        nonlocal done
        if not dry_run:
            async with gate:
                await delete_deployments(client, [d.id for d in chunk])
        for deployment in chunk:
            report.names[deployment.name] = "deleted"
        report.deleted += len(chunk)
        done += len(chunk)
        if progress:
            progress(done, total)

    chunks = [to_delete[i : i + BULK] for i in range(0, len(to_delete), BULK)]
    await asyncio.gather(*(delete(c) for c in chunks), *(upsert(d) for d in to_upsert))
    return report


async def delete_deployments(client, ids: list) -> None:
    """Delete deployments by id, 50 per request (Prefect's bulk limit)."""
    for i in range(0, len(ids), BULK):
        chunk = [str(x) for x in ids[i : i + BULK]]
        response = await client._client.post(
            "/deployments/bulk_delete", json={"deployments": {"id": {"any_": chunk}}, "limit": len(chunk)}
        )
        response.raise_for_status()


async def sync_async(
    app: Dondoc,
    *,
    as_of: date,
    start: date | None = None,
    item_ids: list[int] | None = None,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    checkpoints: dict[int, list[datetime]] | None = None,
    client=None,
) -> SyncReport:
    """Reconcile the item deployments (all items, or only ``item_ids`` without deleting others)."""
    from prefect.client.orchestration import get_client

    settings = app.settings
    start, end = horizon_for(start or as_of, settings)
    desired = await asyncio.to_thread(
        desired_deployments, app, start=start, end=end, as_of=as_of, item_ids=item_ids, checkpoints=checkpoints,
    )
    if client is None:
        async with get_client() as own:
            report = await _apply_items(own, desired, settings, item_ids, dry_run, progress)
    else:
        report = await _apply_items(client, desired, settings, item_ids, dry_run, progress)
    report.horizon = (start, end)
    report.checkpoints = sum(checkpoint_count(d.rrule) for d in desired.values())
    return report


async def _apply_items(client, desired, settings, item_ids, dry_run, progress) -> SyncReport:
    if item_ids is None:
        return await apply(client, desired, settings=settings, dry_run=dry_run, progress=progress)
    # Re-syncing a few items: delete the deployments of those that were removed, touch no other.
    report = await apply(client, desired, settings=settings, prune=False, dry_run=dry_run, progress=progress)
    existing = await read_item_deployments(client)
    gone = [d for d in existing.values() if d.parameters.get("item_id") in item_ids and d.name not in desired]
    if gone and not dry_run:
        await delete_deployments(client, [d.id for d in gone])
    for deployment in gone:
        report.deleted += 1
        report.names[deployment.name] = "deleted"
    return report


def sync(app: Dondoc, *, as_of: date, **kwargs) -> SyncReport:
    """Synchronous :func:`sync_async`."""
    return run_sync(sync_async(app, as_of=as_of, **kwargs))
