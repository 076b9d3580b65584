"""Đôn Đốc's channels as custom Apprise services: ``zalo://``, ``zns://``, ``smtp://``/``smtps://``.

Apprise 1.x discovers its own ``Notify*`` classes in ``apprise/plugins``; a
service outside that folder is added to the same plugin manager (a singleton)
with ``NotificationManager.add``. :func:`register` does that once, so
``apprise.Apprise().add("zalo://...")`` and ``apprise.Apprise.instantiate``
work for these schemas like for any built-in one.
"""

from __future__ import annotations

from apprise.manager_plugins import NotificationManager

from notifications.plugins.email import NotifySMTP
from notifications.plugins.zalo import NotifyZalo
from notifications.plugins.zns import NotifyZNS

SERVICES = (NotifyZalo, NotifyZNS, NotifySMTP)


def register() -> None:
    manager = NotificationManager()
    for service in SERVICES:
        if service.protocol in manager and manager[service.protocol] is service:
            continue
        manager.add(service, force=True)


register()
