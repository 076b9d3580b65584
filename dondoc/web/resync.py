"""After a change made on a page, bring the affected items' Prefect schedules up to date.

Runs after the response (FastAPI background task), best effort, like the CLI:
the change is already stored; without a Prefect server, or if the call fails,
the next ``dondoc sync`` or the monthly re-sync catches up. Failures are logged
without details that could carry a secret.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from sqlalchemy import Engine

from dondoc.settings import Settings

log = logging.getLogger("dondoc.web.resync")
_lock = threading.Lock()  # one re-sync at a time from this process


def resync_items(engine: Engine, item_ids: list[int] | None, as_of: date, settings: Settings) -> str:
    """Re-sync ``item_ids`` (None: every item, after an import). Returns what happened, for logs and tests."""
    from dondoc.sync import sync
    from dondoc.worker import api_url, using

    url = api_url(settings, required=False)
    if not url:
        return "no-server"
    try:
        with _lock, using(url):
            if item_ids is None:
                sync(engine, as_of=as_of, settings=settings)
            elif item_ids:
                sync(engine, as_of=as_of, settings=settings, item_ids=sorted(set(item_ids)))
    except Exception as exc:  # noqa: BLE001 - the stored change stands; the next sync repeats it
        log.warning("Chưa cập nhật được lịch trên Prefect (%s); «dondoc sync» sẽ làm lại.", type(exc).__name__)
        return "failed"
    return "synced"


def schedule_resync(background_tasks, request, item_ids: list[int] | None) -> None:
    """Queue :func:`resync_items` to run after the response is sent."""
    state = request.app.state
    background_tasks.add_task(resync_items, state.engine, item_ids, state.today(), state.settings)
