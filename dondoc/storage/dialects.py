"""What differs between the databases the storage writes to, in one place."""

from __future__ import annotations


def conflict_insert(dialect: str):
    """The ``insert`` construct with ``ON CONFLICT`` clauses of the database (SQLite, PostgreSQL), or None
    for any other (the caller then writes row by row)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        return None
    return insert
