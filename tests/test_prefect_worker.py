"""The distributed path for real: a Prefect server on PostgreSQL, the Đôn Đốc database on PostgreSQL,
a process worker serving the pool, an item flow run submitted through it, its message in the outbox,
and the status run triggered through Prefect (what ``dondoc status --via-prefect`` does); two workers
sharing the runs of one morning.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from conftest import PLAN_001, POSTGRES_URL, _postgres_schema_url, build_app, seed_path
from dondoc.orchestration.prefect_server import LocalServer, ensure_work_pool, start_worker
from dondoc.orchestration.sync import read_item_deployments, sync
from dondoc.settings import get_settings
from dondoc.storage.models import Item, ItemOffice, Office

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="the distributed-path test needs DONDOC_TEST_POSTGRES_URL (set by .ci/run)"
)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@pytest.fixture
def prefect_database():
    """A fresh PostgreSQL database for the Prefect server (asyncpg URL), dropped afterwards."""
    name = f"prefect_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=name, query={})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def dondoc_postgres(monkeypatch):
    admin, schema, url = _postgres_schema_url(POSTGRES_URL)
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    from dondoc.storage.db import dispose_engines

    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


async def _client(fn):
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        return await fn(client)


def wait_final(run_id, timeout: float = 150.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = asyncio.run(_client(lambda c: c.read_flow_run(run_id)))
        if run.state and run.state.type.value in FINAL:
            return run
        time.sleep(1)
    pytest.fail(f"flow run {run_id} not finished after {timeout} s")


def test_item_flow_runs_through_a_worker_on_postgres(tmp_path, prefect_database, dondoc_postgres, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from typer.testing import CliRunner

    from dondoc.cli import app
    from dondoc.orchestration.services import deploy_service_flows

    application = build_app()
    application.migrate()
    settings, engine = application.settings, application.engine
    application.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with engine.connect() as conn:
        item43 = conn.scalar(select(Item.id).where(Item.number == "43"))
        offices_of_43 = set(conn.scalars(select(Office.name).join(ItemOffice).where(ItemOffice.item_id == item43)))

    server = LocalServer(tmp_path / "prefect", extra_env={"PREFECT_API_DATABASE_CONNECTION_URL": prefect_database})
    server.start(timeout=120)
    worker = None
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            report = sync(application, as_of=date(2026, 1, 5), item_ids=[item43])
            assert report.created == 1
            deploy_service_flows(settings, application.policy)
            env = {"DONDOC_HOME": str(settings.home_path), "DONDOC_DATABASE_URL": dondoc_postgres,
                   "PREFECT_WORKER_QUERY_SECONDS": "1"}
            worker = start_worker(settings.prefect_pool, server.api_url, env=env, log_path=tmp_path / "worker.log",
                                  prefect_home=tmp_path / "worker-home")
            (deployment,) = asyncio.run(_client(read_item_deployments)).values()
            as_of = datetime(2026, 3, 31, 9, 0, tzinfo=TZ)  # the due day of item 43: the last reminder
            flow_run = asyncio.run(_client(lambda c: c.create_flow_run_from_deployment(
                deployment.id, parameters={"item_id": item43, "as_of": as_of.isoformat()})))
            finished = wait_final(flow_run.id)
            assert finished.state.type.value == "COMPLETED", (worker.log_tail(40))

            records = [json.loads(p.read_text()) for p in sorted(settings.outbox_path.glob("*.json"))]
            # one reminder for the lead office and one for each cooperating office of item 43
            assert {r["person"] for r in records} == {f"office:{name}" for name in offices_of_43}, records
            assert all(r["ledger_key"].startswith("reminder:xa-ngoc-lien-2026-2030#43:") for r in records)

            # Run again: the ledger makes it send nothing new.
            again = asyncio.run(_client(lambda c: c.create_flow_run_from_deployment(
                deployment.id, parameters={"item_id": item43, "as_of": as_of.isoformat()})))
            assert wait_final(again.id).state.type.value == "COMPLETED"
            assert len(list(settings.outbox_path.glob("*.json"))) == len(records)

            # dondoc status --via-prefect: the status deployment runs on the worker; its markdown is printed.
            monkeypatch.setenv("PREFECT_API_URL", server.api_url)
            result = CliRunner().invoke(app, ["status", "--via-prefect", "--as-of", "2026-04-01", "--json"])
            assert result.exit_code == 0, result.output + worker.log_tail(40)
            answer = json.loads(result.output)
            assert answer["state"] == "Completed"
            assert "Tình hình thực hiện" in answer["markdown"] and "Quá hạn" in answer["markdown"]
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
    assert not worker.running and not server.child.running


def test_two_workers_share_a_morning_and_its_sweep(tmp_path, prefect_database, dondoc_postgres, monkeypatch):
    """The production shape: Prefect on PostgreSQL, two workers of two slots each. The runs of one morning
    spread over both workers; the first sends the morning of every item (the sweep), each message goes out
    once; the pool has no limit of its own, so the second worker adds its slots."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from dondoc.storage.delivery_log import Recipient
    from dondoc.storage.models import Sweep

    application = build_app()
    application.migrate()
    settings, engine = application.settings, application.engine
    application.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Item.number, Item.id)).all())
    numbers = ["37", "38", "43", "1", "2", "3", "4", "5", "6", "7"]  # 37, 38 and 43 have messages due that morning

    server = LocalServer(tmp_path / "prefect", extra_env={"PREFECT_API_DATABASE_CONNECTION_URL": prefect_database})
    server.start(timeout=120)
    workers = []
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            sync(application, as_of=date(2026, 1, 5), item_ids=[ids[n] for n in numbers])
            env = {"DONDOC_HOME": str(settings.home_path), "DONDOC_DATABASE_URL": dondoc_postgres,
                   "PREFECT_WORKER_QUERY_SECONDS": "1"}
            pool = asyncio.run(_client(lambda c: c.read_work_pool(settings.prefect_pool)))
            assert pool.concurrency_limit is None
            # DONDOC_POOL_LIMIT sets a pool-wide limit, and 0 takes it away again (an older install had one)
            for wanted, found in ((5, 5), (0, None)):
                asyncio.run(_client(lambda c: ensure_work_pool(c, settings.prefect_pool, wanted)))
                assert asyncio.run(_client(lambda c: c.read_work_pool(settings.prefect_pool))).concurrency_limit == found
            by_item = {d.parameters["item_id"]: d.id for d in asyncio.run(_client(read_item_deployments)).values()}
            as_of = datetime(2026, 3, 17, 8, 0, tzinfo=TZ).isoformat()

            async def create(client):
                return [await client.create_flow_run_from_deployment(
                    by_item[ids[n]], parameters={"item_id": ids[n], "as_of": as_of, "sweep": True})
                    for n in numbers]

            runs = asyncio.run(_client(create))
            for k in range(2):
                workers.append(start_worker(settings.prefect_pool, server.api_url, env=env, limit=2,
                                            log_path=tmp_path / f"worker-{k}.log",
                                            prefect_home=tmp_path / f"worker-home-{k}"))
            finished = [wait_final(r.id, timeout=300) for r in runs]
            logs = "\n".join(w.log_tail(30) for w in workers)
            assert [r.state.type.value for r in finished] == ["COMPLETED"] * len(numbers), logs
    finally:
        for worker in workers:
            worker.stop()
        server.stop()
    logs = [(tmp_path / f"worker-{k}.log").read_text() for k in range(2)]
    submitted = [{r.id for r in runs if f"submitting flow run '{r.id}'" in log} for log in logs]
    # both workers took runs (a run both picked up is started by the one whose claim the server took)
    assert all(submitted) and set.union(*submitted) == {r.id for r in runs}, submitted
    # each run started warm: a copy of its worker's fork server, not a new Python process
    assert all(sum(f"Khởi động nhanh lượt chạy {r.id}" in log for log in logs) == 1 for r in runs), logs
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Sweep)) == 1
        delivered = conn.execute(select(Recipient.entry_id, Recipient.person).where(Recipient.state == "delivered")).all()
    assert len(delivered) == 18 and len(set(delivered)) == 18  # six for each of 37, 38 and 43, once each
    outbox = [json.loads(p.read_text()) for p in settings.outbox_path.glob("*.json")]
    assert len(outbox) == 18


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def test_several_api_processes_on_postgres_and_redis(tmp_path, prefect_database, dondoc_postgres):
    """DONDOC_PREFECT_API_WORKERS=2: the database is prepared once (migrated, block types registered), two API
    processes answer, the services run in a process of their own and make the items' scheduled runs."""
    redis = pytest.importorskip("redis")
    from prefect.settings import PREFECT_API_URL, temporary_settings

    client = redis.Redis(host="127.0.0.1", port=6379, db=9)
    try:
        client.flushdb()  # a Redis database of this test's own: a server's events are not another's
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    application = build_app()
    application.migrate()
    application.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    env = {"PREFECT_API_DATABASE_CONNECTION_URL": prefect_database, "PREFECT_REDIS_MESSAGING_HOST": "127.0.0.1",
           "PREFECT_REDIS_MESSAGING_DB": "9", "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2"}
    server = LocalServer(tmp_path / "prefect", extra_env=env, api_workers=2).start(timeout=180)
    try:
        assert server.services is not None and server.services.running
        assert len(_descendants(server.child.process.pid)) >= 2  # uvicorn's API processes
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            report = sync(application, as_of=date.today())
            assert report.created == 62 and report.scheduled > 0
            assert len(asyncio.run(_client(read_item_deployments))) == 62
            assert asyncio.run(_client(lambda c: c.read_block_types()))  # registered once, before the API started

            async def scheduled(c):
                from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
                from prefect.client.schemas.objects import StateType

                return await c.read_flow_runs(flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))), limit=5)

            deadline = time.monotonic() + 90
            while not (runs := asyncio.run(_client(scheduled))) and time.monotonic() < deadline:
                time.sleep(1)
            assert runs, server.services.log_tail(30)  # the scheduler, in the services' process, made them
            assert all(r.parameters.get("sweep") is True for r in runs)
    finally:
        server.stop()
        client.flushdb()
    assert not any(child.running for child in server.children)


def test_several_api_processes_are_refused_on_sqlite(tmp_path):
    from dondoc.orchestration.prefect_server import PrefectServerError

    server = LocalServer(tmp_path / "prefect", api_workers=2)
    with pytest.raises(PrefectServerError, match="PostgreSQL"):
        server.start(timeout=30)
    assert server.children == []


def test_api_workers_environment(monkeypatch):
    import socket

    from dondoc.orchestration import api_workers

    listening = socket.create_server(("127.0.0.1", 0))  # stands for Redis: only the connection is checked
    postgres = {"PREFECT_API_DATABASE_CONNECTION_URL": "postgresql+asyncpg://u:secret@h/p",
                "PREFECT_REDIS_MESSAGING_HOST": "127.0.0.1", "PREFECT_REDIS_MESSAGING_PORT": str(listening.getsockname()[1])}
    env = api_workers.api_workers_env({**postgres, "PREFECT_MESSAGING_CACHE": "mine"}, 2)
    assert env["PREFECT_MESSAGING_BROKER"] == "prefect_redis.messaging" and env["PREFECT_MESSAGING_CACHE"] == "mine"
    started = api_workers.started_env(env)
    assert started["PREFECT_SERVER_DATABASE_MIGRATE_ON_START"] == "false"
    with pytest.raises(api_workers.ApiWorkersRefused, match="PostgreSQL") as refused:
        api_workers.api_workers_env({"PREFECT_API_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///x.db"}, 3)
    assert "DONDOC_PREFECT_API_WORKERS=3" in str(refused.value)
    with pytest.raises(api_workers.ApiWorkersRefused, match="Redis ở 127.0.0.1:1"):
        api_workers.api_workers_env({**postgres, "PREFECT_REDIS_MESSAGING_HOST": "127.0.0.1",
                                     "PREFECT_REDIS_MESSAGING_PORT": "1"}, 2)  # a closed port
    monkeypatch.setattr(api_workers.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(api_workers.ApiWorkersRefused, match="prefect-redis") as refused:
        api_workers.api_workers_env(postgres, 2)
    assert "secret" not in str(refused.value)
    listening.close()


def test_up_says_where_prefect_keeps_its_data_without_the_password(tmp_path, monkeypatch):
    from dondoc.orchestration.prefect_server import prefect_database

    monkeypatch.delenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    assert prefect_database(tmp_path) == f"SQLite trong {tmp_path}"
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://u:secret@db.example:5433/prefect")
    assert prefect_database(tmp_path) == "PostgreSQL db.example:5433/prefect"
