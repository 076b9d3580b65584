"""What a refusal of the database means for the person who caused it.

A write that waited the whole busy timeout for another writer is :class:`DatabaseBusy`; a
database that cannot be reached is :class:`DatabaseUnavailable`. Both mean nothing was stored.
The shells turn them into one Vietnamese line (CLI, exit 1) or a 503 page with ``Retry-After``
that gives the sender back what they sent (web); their texts never hold the database URL or a
statement.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

# SQLite: another writer holds the database; PostgreSQL: a lock wait, a deadlock or a serialisation
# failure (SQLSTATE 55P03, 57014 by lock_timeout, 40P01, 40001).
_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy", "lock timeout",
               "could not obtain lock", "deadlock detected", "could not serialize", "canceling statement due to lock")


class DatabaseBusy(RuntimeError):
    """A write waited the whole busy timeout for another writer: nothing was stored."""

    message = ("Hệ thống đang bận (một lượt nhập kế hoạch hoặc ghi dữ liệu khác đang chạy), chưa ghi được gì; "
               "vui lòng thử lại sau ít phút (database busy).")

    def __init__(self) -> None:
        super().__init__(self.message)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or answered with an error that is not about its data."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"Không làm việc được với cơ sở dữ liệu ({kind}); chưa ghi được gì. "
                         "Kiểm tra DONDOC_DATABASE_URL và máy chủ cơ sở dữ liệu rồi thử lại (database unavailable).")


def is_busy(exc: BaseException) -> bool:
    text_ = str(getattr(exc, "orig", exc)).lower()
    return any(word in text_ for word in _BUSY_WORDS)


def database_problem(exc: BaseException) -> RuntimeError | None:
    """What a database error means for the person who caused it, or None when it is not one.
    The text never holds the database URL or the statement."""
    if isinstance(exc, (DatabaseBusy, DatabaseUnavailable)):
        return exc
    if isinstance(exc, DBAPIError):
        if is_busy(exc):
            return DatabaseBusy()
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            return DatabaseUnavailable(type(getattr(exc, "orig", exc)).__name__)
    return None


# What the web answers for (a refusal of the data itself is a 400 there, never a 500).
DATABASE_ERRORS = (DatabaseBusy, DatabaseUnavailable, DBAPIError)
