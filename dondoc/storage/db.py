"""Database access: one engine per URL, migrations, and one unit-of-work helper.

Every write goes through :func:`unit_of_work`: one transaction that commits as a
whole or not at all, so a failed import or update leaves stored data unchanged.
A write that waited the whole busy timeout for another writer, or could not reach
the database, raises a refusal of :mod:`dondoc.storage.refusals` (nothing stored);
the shells turn it into a clear message.
Migrations run once per process at start-up (:meth:`dondoc.app.Dondoc.migrate`),
never per task or per read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from dondoc.storage import unitversions  # noqa: F401 - every write through a session raises its unit's version
from dondoc.storage.refusals import database_problem

_ENGINES: dict[tuple[str, float], Engine] = {}
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BUSY_SECONDS = 30.0

def _on_sqlite_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(url: str, busy_seconds: float = BUSY_SECONDS) -> Engine:
    """The engine for ``url``, created once per process. A write waits at most ``busy_seconds`` for
    another writer (SQLite's busy timeout; PostgreSQL's ``lock_timeout``)."""
    engine = _ENGINES.get((url, busy_seconds))
    if engine is None:
        if url.startswith("sqlite"):
            path = url.split("sqlite:///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": busy_seconds})
            event.listen(engine, "connect", _on_sqlite_connect)
        else:
            engine = create_engine(url, pool_pre_ping=True)
            milliseconds = max(1, int(busy_seconds * 1000))

            def _lock_timeout(dbapi_connection, _record) -> None:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET lock_timeout = {milliseconds}")
                dbapi_connection.commit()

            event.listen(engine, "connect", _lock_timeout)
        _ENGINES[(url, busy_seconds)] = engine
    return engine


def dispose_engines() -> None:
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration of this version of the code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's migration (one small query); None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the schema up to date (Alembic ``upgrade head``); safe to call at every start."""
    from alembic import command

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        problem = database_problem(exc)
        if problem is not None and problem is not exc:
            raise problem from exc
        raise
    finally:
        session.close()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
