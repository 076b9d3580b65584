"""Đôn Đốc's channels as custom Apprise services: ``zalo://``, ``zns://``, ``smtp://``/``smtps://``.

Apprise 1.x discovers its own ``Notify*`` classes in ``apprise/plugins``; a
service outside that folder is added to the same plugin manager (a singleton)
with ``NotificationManager.add``. :func:`register` does that, so that
``apprise.Apprise().add("zalo://...")`` and ``apprise.Apprise.instantiate``
work for these schemas like for any built-in one. It is called where Apprise
resolves URLs (a person's own Apprise URLs), not at import: registering makes
Apprise load every plugin it ships, which a run that only sends through
Đôn Đốc's own channels does not need.
"""

from __future__ import annotations

from functools import cache

from apprise.manager_plugins import NotificationManager

from notifications.plugins.email import NotifySMTP
from notifications.plugins.zalo import NotifyZalo
from notifications.plugins.zns import NotifyZNS

SERVICES = (NotifyZalo, NotifyZNS, NotifySMTP)


@cache
def register() -> None:
    """Make Apprise know ``zalo://``, ``zns://`` and ``smtp://`` as these services (once per process)."""
    manager = NotificationManager()
    for service in SERVICES:
        if service.protocol in manager and manager[service.protocol] is service:
            continue
        manager.add(service, force=True)
