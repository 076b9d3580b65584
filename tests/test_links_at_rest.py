"""Secret links at rest: the database holds digests and sealed tokens only, so a copy of it alone opens
no page; the installation's key reveals them for messages and the standing office; links stored in
clear by an earlier version are sealed at start-up and keep working."""

from __future__ import annotations

import re
import shutil

from alembic import command
from sqlalchemy import select, text

from conftest import PLAN_001, build_app, seed_path
from dondoc.app import Dondoc
from dondoc.clock import FixedClock
from dondoc.settings import get_settings
from dondoc.storage import db, links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import AccessLink
from dondoc.usecases import access

LINK = re.compile(r"http://localhost:8000/(?:o|l|s|feeds)/([A-Za-z0-9_-]{20,})")


def _all_tokens(app) -> set[str]:
    found = set()
    for unit in app.links():
        for row in unit.rows:
            found |= set(LINK.findall(row["url"]))
    return found


def test_a_copy_of_the_database_holds_no_working_link(sqlite_engine, tmp_path, monkeypatch):
    app = build_app()
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    tokens = _all_tokens(app)
    assert len(tokens) >= 3 + 2 * 8  # standing, leadership, leadership feed; a page and a feed per office
    assert all(access.resolve(app, t) is not None for t in tokens)
    with sqlite_engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = sqlite_engine.url.database
    raw = open(path, "rb").read()
    assert not [t for t in tokens if t.encode() in raw]
    with read_session(sqlite_engine) as session:
        assert session.scalar(select(AccessLink.id).where(AccessLink.legacy_token.is_not(None))) is None

    # The copy on another machine (another key): it finds no token to show, and opens nothing it was not given.
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    monkeypatch.setenv("DONDOC_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("DONDOC_DATABASE_URL", f"sqlite:///{copy}")
    get_settings.cache_clear()
    other = Dondoc.build(get_settings(), clock=FixedClock(app.now()))
    with read_session(other.engine) as session:
        stored = list(session.scalars(select(AccessLink)))
        assert stored and all(links.reveal(session, link) is None for link in stored)
    shown = _all_tokens(other)  # new links issued beside the old ones; the old ones are not revealed
    assert not shown & tokens


def test_links_stored_in_clear_by_an_earlier_version_are_sealed_and_keep_working(db_url, tmp_path):
    engine = db.get_engine(db_url)
    config = db._alembic_config()  # the database as the previous version left it
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (name, slug, level, created_at) "
                          "VALUES ('Xã Ngọc Liên', 'xa-ngoc-lien', 'commune', CURRENT_TIMESTAMP)"))
        unit_id = conn.execute(text("SELECT id FROM units")).scalar()
        conn.execute(text("INSERT INTO access_links (kind, unit_id, token, token_sha256, created_at) "
                          "VALUES ('standing', :u, :t, :d, CURRENT_TIMESTAMP)"),
                     {"u": unit_id, "t": "cu-" + "a" * 29, "d": links.token_digest("cu-" + "a" * 29)})
    app = build_app()
    app.migrate()
    with read_session(engine) as session:
        link = session.scalar(select(AccessLink))
        assert link.legacy_token is None and link.sealed and link.salt
        assert links.reveal(session, link) == "cu-" + "a" * 29
    assert access.resolve(app, "cu-" + "a" * 29) is not None
    assert "cu-" + "a" * 29 in _all_tokens(app)
    with unit_of_work(engine) as session:
        assert links.seal_stored_tokens(session) == 0  # once
