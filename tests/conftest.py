"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when configured.

``db_url`` is parametrised over the backends: every test that takes it runs on
SQLite and, when ``DONDOC_TEST_POSTGRES_URL`` is set, on PostgreSQL in a schema
of its own (dropped afterwards). Without that variable the PostgreSQL run is
skipped with the reason shown in the summary.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dondoc.app import Dondoc, use_process_app
from dondoc.clock import FixedClock
from dondoc.settings import get_settings
from dondoc.storage.db import dispose_engines, get_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "test-artifacts"
PLAN_001 = "001_2d17fb29c0483998.txt"
PLAN_002 = "002_b6a4a2778198d6b8.txt"
EXAMPLE_FOR = {PLAN_001: "ke-hoach-cchc-xa-ngoc-lien-2026-2030.txt", PLAN_002: "ke-hoach-cchc-xa-truong-xuan-2026-2030.txt"}
POSTGRES_URL = os.environ.get("DONDOC_TEST_POSTGRES_URL")


def seed_path(name: str) -> Path:
    """A source plan: from ../shared/seeds, or the copy shipped in examples/."""
    path = SEEDS / name
    if path.is_file():
        return path
    return EXAMPLES / EXAMPLE_FOR[name]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Each test has its own data directory and a clean settings cache."""
    monkeypatch.setenv("DONDOC_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    monkeypatch.delenv("DONDOC_CONFIG_DIR", raising=False)
    get_settings.cache_clear()
    use_process_app(None)
    yield
    get_settings.cache_clear()
    use_process_app(None)
    dispose_engines()


def _postgres_schema_url(base: str):
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    return admin, schema, f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path, monkeypatch):
    """A migrated, empty database URL (also set as DONDOC_DATABASE_URL for the CLI)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dondoc.db'}"
        admin = schema = None
    else:
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL tests need DONDOC_TEST_POSTGRES_URL (set by .ci/run)")
        admin, schema, url = _postgres_schema_url(POSTGRES_URL)
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    get_settings.cache_clear()
    migrate(get_engine(url))
    yield url
    dispose_engines()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url):
    return get_engine(db_url)


MORNING = datetime(2026, 3, 16, 8, 0)


def build_app(moment: datetime = MORNING) -> Dondoc:
    """The application as the environment configures it (DONDOC_*), with its clock stopped at ``moment``."""
    settings = get_settings()
    return Dondoc.build(settings, clock=FixedClock(moment, settings.timezone))


def install_process_app(app: Dondoc) -> Dondoc:
    """Make ``app`` (and its clock) the application the CLI and the flows of this process use."""
    use_process_app(app)
    return app


@pytest.fixture
def app(db_url) -> Dondoc:
    """The application on the test's database, at 08:00 on Monday 16/03/2026 (``app.clock.set`` moves it)."""
    return build_app()


@pytest.fixture
def sqlite_app(sqlite_engine) -> Dondoc:
    return build_app()


@pytest.fixture
def sqlite_engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'dondoc.db'}"
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = get_engine(url)
    migrate(engine)
    return engine


def dispatcher(engine=None, **options):
    """A dispatcher as the application builds it (people and channels from the configuration)."""
    from notifications.delivery import Dispatcher

    app = build_app()
    options = {"settings": app.settings, "config": app.config.notifications, "people": app.config.people, **options}
    return Dispatcher(engine if engine is not None else app.engine, **options)


def send(message, recipients, *, cc=(), engine=None, **options):
    """Send one message through a dispatcher of its own."""
    with dispatcher(engine, **options) as sender:
        return sender.send(message, recipients, cc=cc)


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser():
    """Headless Chromium through Playwright, for the browser tests (each skips when Chromium is missing)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
