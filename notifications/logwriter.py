"""The delivery-log writer: one thread, rows committed in batches (group commit).

Senders queue the message row, one row per attempt and the delivery state a
try ends in; the writer commits
whatever is queued in one ``unit_of_work`` transaction, so the sender goes on
with the next message while the database works. :meth:`LogWriter.flush` waits
until everything queued so far is committed (``Dispatcher.send`` flushes before
returning, ``send_many`` once at the end) and raises the writer's error, if any.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine, insert

from dondoc.storage.db import unit_of_work
from dondoc.storage.delivery_log import Delivery, NotificationMessage

_INSERT_MESSAGE = insert(NotificationMessage.__table__).returning(NotificationMessage.__table__.c.id)
_INSERT_DELIVERY = insert(Delivery.__table__)
BATCH = 500
LINGER = 0.2


class LogWriteError(RuntimeError):
    """The delivery log could not be written; the message names the database error."""


@dataclass
class StoredMessage:
    """The message row: its id once written, the fields to write it with until then."""

    id: int | None
    fields: dict = field(default_factory=dict)


class LogWriter:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.error: BaseException | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def store_message(self, stored: StoredMessage) -> None:
        self._put(("message", stored, None))

    def add_delivery(self, stored: StoredMessage, row: dict) -> None:
        self._put(("delivery", stored, row))

    def add_update(self, statement, params: dict) -> None:
        """Any other statement to commit with the attempts (a delivery state marked after a try)."""
        self._put(("update", statement, params))

    def flush(self) -> None:
        if self._thread is None:
            return
        done = threading.Event()
        self._put(("flush", done, None))
        done.wait()
        if self.error is not None:
            raise LogWriteError(f"Không ghi được nhật ký gửi tin: {type(self.error).__name__}: {self.error}")

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join()
                self._thread = None

    def _put(self, item) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="dondoc-delivery-log", daemon=True)
                    self._thread.start()
        self._queue.put(item)

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            # Gather rows for up to LINGER seconds (a flush or close ends the wait): fewer, larger
            # transactions, and the sending thread keeps the interpreter most of the time.
            deadline = time.monotonic() + LINGER
            while len(batch) < BATCH and batch[-1] is not None and batch[-1][0] != "flush":
                remaining = deadline - time.monotonic()
                try:
                    batch.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
                except queue.Empty:
                    break
            events = [item[1] for item in batch if item is not None and item[0] == "flush"]
            rows = [item for item in batch if item is not None and item[0] != "flush"]
            if rows and self.error is None:
                try:
                    self._write(rows)
                except Exception as exc:  # reported by the next flush()
                    self.error = exc
            for event in events:
                event.set()
            if any(item is None for item in batch):
                return

    def _write(self, rows) -> None:
        assigned = []
        try:
            with unit_of_work(self.engine) as session:
                for kind, stored, row in rows:
                    if kind == "update":
                        session.execute(stored, [row])
                        continue
                    if stored.id is None:
                        stored.id = session.execute(_INSERT_MESSAGE, stored.fields).scalar_one()
                        assigned.append(stored)
                    if kind == "delivery":
                        session.execute(_INSERT_DELIVERY, {**row, "message_id": stored.id})
        except Exception:
            for stored in assigned:  # rolled back: those ids do not exist
                stored.id = None
            raise
