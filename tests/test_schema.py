"""The migrations build exactly the schema the models describe, and the delivery-state migration keeps
a database that ran the earlier one (its claimed entries are sent again)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from dondoc.storage import db
from dondoc.storage.models import Base


def _downgrade(engine, revision: str) -> None:
    config = db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_migrations_match_the_models(engine):
    db.migrate(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # JSON/boolean server defaults and SQLite type affinities aside, nothing differs
    assert [d for d in differences if d[0] in ("add_table", "remove_table", "add_column", "remove_column",
                                               "add_index", "remove_index")] == []


def test_an_entry_claimed_before_the_upgrade_is_sent_again(engine):
    _downgrade(engine, "0005")  # the schema of the release before delivery states (and back)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (name, slug, level, created_at) VALUES ('Xã A', 'xa-a', 'commune', "
                          "CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO chase_ledger (key, purpose, level, stage, recipient, channel, state, as_of, payload, "
            "created_at, attempts) VALUES ('nudge:x', 'nudge', 0, 0, 'office:A', 'auto', 'sending', '2026-03-16', "
            "'{}', CURRENT_TIMESTAMP, 1)"))
    db.migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT state FROM chase_ledger")).scalar() == "failed"
        assert db.current_revision(engine) == db.head_revision()
