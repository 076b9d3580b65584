"""After a change to an item's dates or status, bring its Prefect schedule up to date.

Best effort, for the command line and the web pages alike: the change is already
stored; without a Prefect server, or if the call fails, the next ``dondoc sync``
or the monthly re-sync catches up. Failures are logged without details that could
carry a secret.
"""

from __future__ import annotations

import logging
import threading

from dondoc.app import Dondoc
from dondoc.orchestration.prefect_server import api_url, using
from dondoc.orchestration.sync import sync

log = logging.getLogger("dondoc.resync")
_lock = threading.Lock()  # one re-sync at a time from this process

NO_SERVER, SYNCED, FAILED = "no-server", "synced", "failed"


def resync_items(app: Dondoc, item_ids: list[int] | None) -> str:
    """Re-sync ``item_ids`` (None: every item, after an import). Returns what happened."""
    url = api_url(app.settings, required=False)
    if not url:
        return NO_SERVER
    try:
        with _lock, using(url):
            if item_ids is None:
                sync(app, as_of=app.today())
            elif item_ids:
                sync(app, as_of=app.today(), item_ids=sorted(set(item_ids)))
    except Exception as exc:  # noqa: BLE001 - the stored change stands; the next sync repeats it
        log.warning("Chưa cập nhật được lịch trên Prefect (%s); «dondoc sync» sẽ làm lại.", type(exc).__name__)
        return FAILED
    return SYNCED
