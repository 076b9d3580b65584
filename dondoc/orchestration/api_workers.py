"""Several Prefect API processes behind one port (``prefect server start --workers N``).

One API process spends 30–70 ms of one core on each deployment upsert, so a first ``dondoc sync`` of a
province (thousands of items) is bound by that one process; ``DONDOC_PREFECT_API_WORKERS=N`` starts N of them,
which Prefect allows only with its database on PostgreSQL and its events carried by Redis (the package
``prefect-redis``). The background services (the scheduler that makes the runs, late runs, …) then run in one
process of their own (``prefect server services start``).

What Prefect leaves to whoever starts the processes, done here:
  - the database is migrated and the block types registered ONCE before the API processes start: each would
    otherwise do both at the same moment on an empty database and fail on duplicate keys;
  - Prefect's messaging, cache, event ordering and lease storage point at Redis unless set already; the Redis
    server is Prefect's own settings ``PREFECT_REDIS_MESSAGING_HOST``/``_PORT``/``_DB`` (default
    ``localhost:6379``, database 0). One Redis database per Prefect server: two servers on one database would
    read each other's events.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
from pathlib import Path

REDIS_SETTINGS = {
    "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
    "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
    "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
    "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
}
DATABASE_URL_KEYS = ("PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_API_DATABASE_CONNECTION_URL")

# Migrate and register the block types as one API process does when it starts (prefect.server.api.server:
# run_migrations, add_block_types), then exit.
_PREPARE = """
import asyncio
from prefect.server.database import provide_database_interface
from prefect.server.models.block_registration import run_block_auto_registration

async def prepare():
    db = provide_database_interface()
    await db.create_db()
    async with await db.session() as session:
        await run_block_auto_registration(session=session)

asyncio.run(prepare())
"""


def database_url(env) -> str:
    """The Prefect server's database URL as the environment sets it ("" for Prefect's default, SQLite)."""
    return next((env[k] for k in DATABASE_URL_KEYS if env.get(k)), "")


class ApiWorkersRefused(ValueError):
    """Several API processes asked for where Prefect cannot run them; the message says what to change."""


def api_workers_env(env: dict[str, str], workers: int) -> dict[str, str]:
    """The environment of ``workers`` API processes and their services process (a new dict), or
    :class:`ApiWorkersRefused` when the Prefect database is not PostgreSQL or prefect-redis is missing."""
    if not database_url(env).startswith("postgresql"):
        raise ApiWorkersRefused(
            f"DONDOC_PREFECT_API_WORKERS={workers} cần cơ sở dữ liệu của Prefect trên PostgreSQL: đặt "
            "PREFECT_API_DATABASE_CONNECTION_URL=postgresql+asyncpg://… hoặc để DONDOC_PREFECT_API_WORKERS=1."
        )
    if importlib.util.find_spec("prefect_redis") is None:
        raise ApiWorkersRefused(
            f"DONDOC_PREFECT_API_WORKERS={workers} cần gói prefect-redis (pip install prefect-redis) "
            "và một máy chủ Redis (PREFECT_REDIS_MESSAGING_HOST, mặc định localhost:6379)."
        )
    host = env.get("PREFECT_REDIS_MESSAGING_HOST") or "localhost"
    port = env.get("PREFECT_REDIS_MESSAGING_PORT") or "6379"
    try:
        socket.create_connection((host, int(port)), timeout=3).close()
    except (OSError, ValueError):
        raise ApiWorkersRefused(
            f"DONDOC_PREFECT_API_WORKERS={workers}: không kết nối được máy chủ Redis ở {host}:{port} "
            "(PREFECT_REDIS_MESSAGING_HOST, PREFECT_REDIS_MESSAGING_PORT)."
        ) from None
    out = dict(env)
    for key, value in REDIS_SETTINGS.items():
        out.setdefault(key, value)
    return out


def prepare_database(python: Path, env: dict[str, str], timeout: float) -> None:
    """Migrate Prefect's database and register its block types once, before the API processes start.
    Raises :class:`subprocess.CalledProcessError` (with the child's output) when that fails."""
    subprocess.run([str(python), "-c", _PREPARE], env=env, check=True, capture_output=True, timeout=timeout)


def started_env(env: dict[str, str]) -> dict[str, str]:
    """The API processes' environment once :func:`prepare_database` has run: none migrates or registers."""
    return {**env, "PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "false", "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false"}
