"""What the tasks of a flow run share: the application, built once per process, and the retry
policy of the tasks that send.

A process worker starts one process per flow run, so the application is built
once per run, without a migration check: ``dondoc up`` and ``dondoc worker``
migrate the database when they start.
"""

from __future__ import annotations

from dondoc.app import Dondoc, process_app
from dondoc.settings import get_settings

SEND_RETRIES = 2
SEND_DELAYS = [10, 60]  # seconds before the first and the second retry


def app() -> Dondoc:
    return process_app(get_settings())
