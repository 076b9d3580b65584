"""``dondoc sync`` against a real Prefect server (started once for this module on a free port).

Decision tested here: every active item has exactly one deployment; an item with
nothing to chase in the horizon has one without a schedule.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from conftest import PLAN_001, build_app, seed_path
from dondoc.orchestration.prefect_server import LocalServer
from dondoc.orchestration.sync import TAG, delete_deployments, desired_deployments, read_item_deployments, sync
from dondoc.settings import get_settings
from dondoc.storage.db import unit_of_work
from dondoc.storage.models import Item, Plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AS_OF = date(2026, 1, 5)
START = date(2026, 3, 1)  # horizon 2026-03-01 .. 2026-05-29 (90 days)


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory):
    """A real ``prefect server start`` (SQLite, own PREFECT_HOME, scheduler every second); the client points at it."""
    from prefect.settings import PREFECT_API_URL, PREFECT_LOGGING_TO_API_ENABLED, temporary_settings

    server = LocalServer(
        tmp_path_factory.mktemp("prefect"), port=0,
        extra_env={"PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1"},
    )
    server.start(timeout=120)
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url, PREFECT_LOGGING_TO_API_ENABLED: False}):
            yield server.api_url
    finally:
        server.stop()


def run(coro):
    return asyncio.run(coro)


async def _with_client(fn):
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return await fn(client)


def deployments() -> dict:
    return run(_with_client(read_item_deployments))


@pytest.fixture
def plan001(sqlite_engine, prefect_api):
    """Plan 001 imported into a fresh database; no dondoc deployments left on the server."""
    existing = deployments()
    run(_with_client(lambda c: delete_deployments(c, [d.id for d in existing.values()])))
    app = build_app()
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    return app


def offices_of(engine, number: str) -> set[str]:
    from dondoc.storage.db import read_session
    from dondoc.storage.models import ItemOffice, Office

    with read_session(engine) as session:
        return set(session.scalars(select(Office.name).join(ItemOffice).join(Item, Item.id == ItemOffice.item_id)
                                   .where(Item.number == number)))


def items_by_number(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Item.number, Item.id).where(Item.removed_at.is_(None))).all())


def of_item(found: dict, item_id: int):
    """The deployment of one item: sync tells its deployments apart by the item_id parameter, not by name."""
    [deployment] = [d for d in found.values() if d.parameters["item_id"] == item_id]
    return deployment


def scheduled_times(deployment) -> list[datetime]:
    if not deployment.schedules:
        return []
    (schedule,) = deployment.schedules
    return [moment.astimezone(TZ) for moment in schedule.schedule.to_rrule()]


def test_deployment_names_read_and_sort_in_appendix_order():
    from prefect.types import BANNED_CHARACTERS

    from dondoc.orchestration.names import deployment_name

    texts = {"2": "Ban hành kế hoạch CCHC năm 2026", "10": "Tỷ lệ 100% hồ sơ trực tuyến/toàn trình & <nhanh>",
             "9": "Rà soát", "100": "Một mục rất dài " * 10, "12a": "Mục phụ"}
    names = {n: deployment_name("Xã Ngọc Liên", n, t) for n, t in texts.items()}
    assert names["2"] == "Ngọc Liên · Mục 002 · Ban hành kế hoạch CCHC năm 2026"
    assert names["10"].startswith("Ngọc Liên · Mục 010 · Tỷ lệ 100 phần trăm hồ sơ trực")
    assert [n for n, _ in sorted(names.items(), key=lambda kv: kv[1])] == ["2", "9", "10", "12a", "100"]
    assert not [name for name in names.values() if set(name) & set(BANNED_CHARACTERS) or len(name) > 80]
    assert names["100"].endswith("…")


def test_sync_creates_one_deployment_per_item_matching_the_deadline_engine(plan001):
    app, settings = plan001, plan001.settings
    engine = app.engine
    report = sync(app, as_of=AS_OF, start=START)
    ids = items_by_number(engine)
    assert (report.created, report.updated, report.deleted, report.unchanged) == (62, 0, 0, 0)
    found = deployments()
    assert len(found) == 62
    with engine.connect() as conn:
        code = conn.scalar(select(Plan.code))
    assert code == "xa-ngoc-lien-2026-2030"
    assert {d.parameters["item_id"] for d in found.values()} == set(ids.values())
    # names people read, in appendix order when sorted as text: commune, zero-padded number, start of the text
    names = sorted(found)
    assert [n.split(" · ")[1] for n in names] == [f"Mục {int(n):03d}" for n in sorted(ids, key=int)]
    assert not [n for n in names if code in n or len(n) > 80]
    d43 = of_item(found, ids["43"])
    assert d43.name.startswith("Ngọc Liên · Mục 043 · Tham mưu cho UBND xã bố trí kinh phí")
    # published for the run form, checked by the flow itself (the server's enforcement slows its scheduler)
    assert not d43.enforce_parameter_schema and d43.parameter_openapi_schema["required"] == ["item_id"]
    assert "date" in {o.get("format") for o in d43.parameter_openapi_schema["properties"]["as_of"]["anyOf"]}
    assert d43.parameters == {"item_id": ids["43"]}
    assert d43.work_pool_name == settings.prefect_pool
    assert d43.entrypoint == "flows/item.py:item_flow"
    assert {TAG, "unit:xa-ngoc-lien"} <= set(d43.tags)
    assert any(t.startswith("office:") for t in d43.tags) and any(t.startswith("area:") for t in d43.tags)
    for deployment in found.values():
        assert TAG in deployment.tags and any(t.startswith("office:") for t in deployment.tags)

    # Item 43 "Quý I/2026": due Tue 31/03/2026; reminders 10, 3, 1 and 0 working days before, at 08:00.
    times = scheduled_times(d43)
    for day in (date(2026, 3, 17), date(2026, 3, 26), date(2026, 3, 30), date(2026, 3, 31)):
        assert datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ) in times
    assert d43.schedules[0].schedule.timezone == "Asia/Ho_Chi_Minh"

    # The next scheduled times of a few items equal what the chasing core gives for the horizon.
    end = START + timedelta(days=settings.sync_horizon_days - 1)
    expected = app.checkpoints(START, end, as_of=AS_OF)
    scheduled = 0
    for number in ("1", "15", "38", "43", "49", "62"):
        want = sorted(m.astimezone(TZ) for m in expected[ids[number]])
        assert scheduled_times(of_item(found, ids[number])) == want, number
        scheduled += bool(want)
    assert scheduled >= 2
    assert report.scheduled == sum(1 for v in expected.values() if v)


def test_resync_changes_nothing_and_removed_items_lose_their_deployment(plan001):
    app = plan001
    engine = app.engine
    sync(app, as_of=AS_OF, start=START)
    before = {name: (d.id, d.updated) for name, d in deployments().items()}
    again = sync(app, as_of=AS_OF, start=START)
    assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 62)
    assert {name: (d.id, d.updated) for name, d in deployments().items()} == before

    ids = items_by_number(engine)
    with unit_of_work(engine) as session:
        session.get(Item, ids["7"]).removed_at = datetime.now(TZ)
    after = sync(app, as_of=AS_OF, start=START)
    assert (after.deleted, after.created, after.updated, after.unchanged) == (1, 0, 0, 61)
    found = deployments()
    assert len(found) == 61 and ids["7"] not in {d.parameters["item_id"] for d in found.values()}


def test_concurrent_writes_make_exactly_the_desired_deployments(plan001, monkeypatch):
    """Eight upserts in flight at once: one deployment per item, each as desired, and nothing left to change."""
    app = plan001
    monkeypatch.setattr(app.settings, "sync_concurrency", 8)
    report = sync(app, as_of=AS_OF, start=START)
    assert (report.created, report.updated, report.deleted) == (62, 0, 0)
    found = deployments()
    desired = desired_deployments(app, start=START, end=START + timedelta(days=app.settings.sync_horizon_days - 1),
                                  as_of=AS_OF)
    assert set(found) == set(desired)
    assert sorted(d.parameters["item_id"] for d in found.values()) == sorted(d.item_id for d in desired.values())
    assert sum(1 for d in found.values() if d.schedules) == report.scheduled > 0
    again = sync(app, as_of=AS_OF, start=START)
    assert (again.changed, again.unchanged) == (0, 62)


def test_an_interrupted_first_sync_is_completed_by_the_next_run(plan001, monkeypatch):
    """Each upsert stands alone: a sync stopped part way leaves some deployments, the next run writes the rest."""
    app = plan001
    monkeypatch.setattr(app.settings, "sync_concurrency", 4)

    class Stop(Exception):
        pass

    def stop_after_20(done: int, total: int) -> None:
        if done >= 20:
            raise Stop

    with pytest.raises(Stop):
        sync(app, as_of=AS_OF, start=START, progress=stop_after_20)
    written = len(deployments())
    assert 20 <= written < 62
    report = sync(app, as_of=AS_OF, start=START)
    assert (report.created, report.unchanged, report.updated, report.deleted) == (62 - written, written, 0, 0)
    assert len(deployments()) == 62
    assert sync(app, as_of=AS_OF, start=START).changed == 0


def test_a_renamed_deployment_of_an_item_is_replaced_not_left_behind(plan001):
    """Deployments are the item's by their tag and item_id parameter: one under an older name goes on re-sync."""
    app = plan001
    ids = items_by_number(app.engine)

    async def old_style(client):
        flow_id = await client.create_flow_from_name("dondoc-item")
        return await client.create_deployment(flow_id=flow_id, name="xa-ngoc-lien-2026-2030-43",
                                              parameters={"item_id": ids["43"]}, tags=[TAG],
                                              entrypoint="flows/item.py:item_flow")

    run(_with_client(old_style))
    report = sync(app, as_of=AS_OF, start=START)
    assert (report.created, report.deleted) == (62, 1)
    found = deployments()
    assert len(found) == 62 and "xa-ngoc-lien-2026-2030-43" not in found
    run(_with_client(old_style))
    one = sync(app, as_of=AS_OF, start=START, item_ids=[ids["43"]])  # re-syncing the item alone removes it too
    assert one.deleted == 1 and len(deployments()) == 62


def test_an_item_deployment_runs_as_of_a_day_from_the_prefect_command_line(plan001, prefect_api):
    """The item flow publishes its parameters: ``--param as_of=2026-04-15`` is accepted; a wrong value is
    refused by the flow when its run starts."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    ids = items_by_number(plan001.engine)
    sync(plan001, as_of=AS_OF, start=START, item_ids=[ids["43"]])
    d43 = of_item(deployments(), ids["43"])
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    prefect = str(Path(sys.executable).with_name("prefect"))
    ok = subprocess.run([prefect, "deployment", "run", f"dondoc-item/{d43.name}", "--param", "as_of=2026-04-15"],
                        env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    async def runs(client):
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

        return await client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[d43.id])))

    [flow_run] = run(_with_client(runs))
    assert flow_run.parameters == {"item_id": ids["43"], "as_of": "2026-04-15"}
    from prefect.exceptions import ParameterTypeError

    from flows.item import item_flow

    assert item_flow.validate_parameters({"item_id": ids["43"], "as_of": "2026-04-15"})["as_of"] == date(2026, 4, 15)
    with pytest.raises(ParameterTypeError):
        item_flow.validate_parameters({"item_id": ids["43"], "as_of": "ngày mai"})


def test_service_deployments_have_their_own_names_and_replace_older_ones(prefect_api):
    from dondoc.orchestration.services import SERVICE_TAG, deploy_service_flows, read_service_deployments

    settings, policy = get_settings(), build_app().policy

    async def old_style(client):
        flow_id = await client.create_flow_from_name("dondoc-digest")
        return await client.create_deployment(flow_id=flow_id, name="dondoc", tags=[TAG, SERVICE_TAG],
                                              entrypoint="flows/digest.py:digest_flow")

    run(_with_client(old_style))
    first = deploy_service_flows(settings, policy)
    assert set(first.values()) <= {"created", "updated"}
    found = run(_with_client(read_service_deployments))
    assert sorted(d.name for d in found) == sorted(first) == [
        "dondoc-catchup", "dondoc-digest", "dondoc-nudge", "dondoc-progress", "dondoc-report", "dondoc-resync",
        "dondoc-status"]
    status = next(d for d in found if d.name == "dondoc-status")
    assert status.enforce_parameter_schema and set(status.parameter_openapi_schema["properties"]) == {
        "as_of", "unit", "office"}
    assert set(deploy_service_flows(settings, policy).values()) == {"unchanged"}


def test_resync_of_one_item_touches_only_that_item(plan001):
    app = plan001
    sync(app, as_of=AS_OF, start=START)
    ids = items_by_number(app.engine)
    report = sync(app, as_of=AS_OF, item_ids=[ids["43"]])  # a new horizon start: only item 43 changes
    assert report.created == 0 and report.deleted == 0 and report.updated + report.unchanged == 1
    assert len(deployments()) == 62


def test_scheduler_creates_runs_for_synced_schedules(plan001):
    """The server's scheduler turns a synced schedule into flow runs (checkpoints injected a few seconds ahead)."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    app = plan001
    ids = items_by_number(app.engine)
    soon = datetime.now(TZ).replace(microsecond=0) + timedelta(seconds=20)
    moments = [soon, soon + timedelta(minutes=7)]
    today = datetime.now(TZ).date()
    desired = desired_deployments(app, start=today, end=today + timedelta(days=10), as_of=today,
                                  item_ids=[ids["43"]], checkpoints={ids["43"]: moments})
    assert "RDATE:" in next(d for d in desired.values() if d.item_id == ids["43"]).rrule
    sync(app, as_of=today, item_ids=[ids["43"]], checkpoints={ids["43"]: moments})
    deployment = of_item(deployments(), ids["43"])

    async def runs(client):
        return await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        )

    deadline = time.monotonic() + 60
    found = []
    while time.monotonic() < deadline:
        found = run(_with_client(runs))
        if len(found) >= 2:
            break
        time.sleep(1)
    assert sorted(r.expected_start_time.astimezone(TZ) for r in found) == moments
    assert all(r.state_name == "Scheduled" for r in found if r.expected_start_time > datetime.now(TZ))
    # the schedule's runs sweep the morning (the first of them sends every item's messages of that morning)
    assert all(r.parameters == {"item_id": ids["43"], "sweep": True} for r in found)


def test_up_once_on_an_existing_server_syncs_the_examples_and_deploys_the_flows(sqlite_engine, prefect_api, monkeypatch):
    """``dondoc up --once`` with PREFECT_API_URL: examples imported, every item deployed, service flows deployed."""
    from typer.testing import CliRunner

    from dondoc.cli import app

    existing = deployments()
    run(_with_client(lambda c: delete_deployments(c, [d.id for d in existing.values()])))
    monkeypatch.setenv("PREFECT_API_URL", prefect_api)
    result = CliRunner().invoke(app, ["up", "--once"])
    assert result.exit_code == 0, result.output
    assert f"Dùng máy chủ Prefect có sẵn: {prefect_api}" in result.output
    assert "tạo 93" in result.output
    assert len(deployments()) == 93

    names = run(_with_client(lambda c: c.read_deployments()))
    service_entrypoints = {d.entrypoint for d in names if "dondoc:service" in d.tags}
    assert service_entrypoints == {
        "flows/status.py:status_flow", "flows/digest.py:digest_flow", "flows/progress.py:progress_flow",
        "flows/nudge.py:nudge_flow", "flows/resync.py:resync_flow", "flows/report.py:report_flow",
        "flows/catchup.py:catchup_flow",
    }

    again = CliRunner().invoke(app, ["sync", "--json"])
    assert again.exit_code == 0, again.output
    summary = json.loads(again.output)
    assert (summary["created"], summary["updated"], summary["deleted"], summary["unchanged"]) == (0, 0, 0, 93)


def test_service_flows_run_and_publish_their_artifacts(plan001):
    """Each flow in-process against the server: the status flow's artifacts land under stable keys."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.digest import digest_flow
    from flows.item import item_flow
    from flows.nudge import nudge_flow
    from flows.progress import progress_flow
    from flows.resync import resync_flow
    from flows.status import status_flow

    engine = plan001.engine
    moment = datetime(2026, 3, 31, 9, 0, tzinfo=TZ)
    result = status_flow(as_of=date(2026, 4, 1), unit="Xã Ngọc Liên")
    assert result["artifact"] == "status-xa-ngoc-lien" and result["totals"]["qua_han"] > 0
    found = run(_with_client(lambda c: c.read_artifacts(
        artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["status-xa-ngoc-lien", "status-xa-ngoc-lien-table"])))))
    kinds = {a.key: a.type for a in found}
    assert kinds == {"status-xa-ngoc-lien": "markdown", "status-xa-ngoc-lien-table": "table"}
    markdown = next(a.data for a in found if a.type == "markdown")
    assert markdown.startswith("# Tình hình thực hiện: Xã Ngọc Liên")
    # the same compact status as «dondoc status» (what «dondoc status --via-prefect» prints), without plan codes
    from dondoc.cli.render import fenced_lines
    from dondoc.usecases.status_view import compact_lines

    here = [line.text for line in compact_lines(plan001.status(date(2026, 4, 1), unit="Xã Ngọc Liên"))]
    assert fenced_lines(markdown) == here and "Theo cơ quan chủ trì (số nhiệm vụ)" in markdown
    assert "xa-ngoc-lien-2026-2030" not in markdown and max(len(line) for line in here) <= 80

    sent = item_flow(items_by_number(engine)["43"], moment)
    offices = offices_of(engine, "43")  # the lead office and, each with its own copy, the cooperating ones
    assert sent["sent"] == len(offices) and all(m.startswith("reminder:xa-ngoc-lien-2026-2030#43") for m in sent["messages"])
    assert {m.rsplit(":", 1)[1] for m in sent["messages"]} == offices
    assert item_flow(items_by_number(engine)["43"], moment)["sent"] == 0  # the ledger: nothing twice
    assert isinstance(digest_flow(as_of=moment), int)
    assert digest_flow(as_of=datetime(2026, 4, 4, 16, 0, tzinfo=TZ)) == 0  # a Saturday: no digest
    assert isinstance(progress_flow(as_of=moment), int)
    assert isinstance(nudge_flow(as_of=moment), int)
    plan = resync_flow(as_of=AS_OF, dry_run=True)
    assert plan["created"] == 62 and not deployments()  # dry run: nothing written


def test_dondoc_worker_joins_the_pool_and_stops_on_sigint(prefect_api, tmp_path):
    """``dondoc worker`` (scale-out: one per machine) registers with the pool and exits cleanly on Ctrl-C."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_API_URL": prefect_api, "DONDOC_HOME": str(tmp_path / "home"),
                "PREFECT_WORKER_HEARTBEAT_SECONDS": "1", "PREFECT_WORKER_QUERY_SECONDS": "1"})
    process = subprocess.Popen([str(Path(sys.executable).with_name("dondoc")), "worker"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        pool = get_settings().prefect_pool
        deadline, workers = time.monotonic() + 60, []
        while time.monotonic() < deadline and not workers:
            assert process.poll() is None
            time.sleep(1)
            workers = run(_with_client(lambda c: c.read_workers_for_work_pool(pool)))
        assert workers, "no worker registered with the pool"
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=60)[0].decode()
        assert process.returncode == 0, output
        assert f"Worker phục vụ work pool «{pool}»" in output
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_status_update_from_the_cli_resyncs_the_item(plan001, prefect_api, monkeypatch):
    """`dondoc update` on a server that runs: the item's remaining reminders leave its schedule."""
    from typer.testing import CliRunner

    from conftest import install_process_app
    from dondoc.cli import app

    day = date(2026, 11, 23)
    install_process_app(build_app(datetime(2026, 11, 23, 8, 0)))  # the horizon starts on this explicit day
    monkeypatch.setenv("PREFECT_API_URL", prefect_api)
    sync(plan001, as_of=day, start=day)
    item40 = items_by_number(plan001.engine)["40"]  # "Hằng năm": due 31/12/2026, reminders in December
    before = scheduled_times(of_item(deployments(), item40))
    assert [t.date() for t in before][:4] == [date(2026, 12, 17), date(2026, 12, 28), date(2026, 12, 30), date(2026, 12, 31)]
    result = CliRunner().invoke(app, ["update", "40", "--status", "hoan_thanh", "--date", "2026-11-23",
                                      "--product", "Kế hoạch số 40/KH-UBND"])
    assert result.exit_code == 0, result.output
    assert "Đã cập nhật lịch nhắc việc" in result.output
    assert scheduled_times(of_item(deployments(), item40)) == []  # the 2027 due date is beyond the horizon


def test_item_flow_in_quiet_hours_defers_to_the_next_working_morning(plan001, monkeypatch):
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    from flows.item import item_flow

    engine = plan001.engine
    sync(plan001, as_of=AS_OF, start=START)
    deployment = of_item(deployments(), items_by_number(engine)["43"])
    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__ID", str(deployment.id))
    night = datetime(2026, 3, 17, 22, 0, tzinfo=TZ)  # the 10-day reminder is due, but it is night
    result = item_flow(items_by_number(engine)["43"], night)
    assert result["sent"] == 0 and result["deferred"] == len(offices_of(engine, "43"))
    assert result["deferred_until"] == datetime(2026, 3, 18, 8, 0, tzinfo=TZ).isoformat()
    runs = run(_with_client(lambda c: c.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])))))
    deferred = [r for r in runs if "deferred" in r.tags]
    assert len(deferred) == 1
    assert deferred[0].state.state_details.scheduled_time == datetime(2026, 3, 18, 8, 0, tzinfo=TZ)
    assert deferred[0].parameters == {"item_id": items_by_number(engine)["43"]}


def test_a_crashed_item_run_is_started_again_once(plan001):
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    from dondoc.orchestration.recovery import RECOVERED, RERUN, rerun_crashed

    ids = items_by_number(plan001.engine)
    sync(plan001, as_of=AS_OF, item_ids=[ids["43"]])
    deployment = next(d for d in deployments().values() if d.parameters["item_id"] == ids["43"])

    async def crash(client):
        run = await client.create_flow_run_from_deployment(deployment.id, tags=[TAG])
        await client.set_flow_run_state(run.id, Crashed(message="Failed to submit flow run to infrastructure"),
                                        force=True)
        return run.id

    crashed_id = run(_with_client(crash))
    started = run(_with_client(rerun_crashed))
    assert len(started) == 1
    assert run(_with_client(rerun_crashed)) == []  # once

    async def read(client):
        return await client.read_flow_run(crashed_id), await client.read_flow_run(started[0])

    crashed, again = run(_with_client(read))
    assert RECOVERED in crashed.tags
    assert again.deployment_id == deployment.id and again.parameters == {"item_id": ids["43"]}
    assert {RERUN, f"{RERUN}:1"} <= set(again.tags) and again.state.type == StateType.SCHEDULED
