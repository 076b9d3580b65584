"""Database access: one engine per URL, migrations, and one unit-of-work helper.

Every write goes through :func:`unit_of_work`: one transaction that commits as a
whole or not at all, so a failed import or update leaves stored data unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from dondoc.settings import Settings, get_settings

_ENGINES: dict[str, Engine] = {}
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(url: str | None = None, settings: Settings | None = None) -> Engine:
    """The engine for ``url`` (default: the configured database), created once."""
    settings = settings or get_settings()
    url = url or settings.resolved_database_url
    engine = _ENGINES.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            path = url.split("sqlite:///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _on_sqlite_connect)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        _ENGINES[url] = engine
    return engine


def dispose_engines() -> None:
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def migrate(engine: Engine) -> None:
    """Bring the schema up to date (Alembic ``upgrade head``); safe to call every start."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
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
    except BaseException:
        session.rollback()
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
