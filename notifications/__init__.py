"""Notifications: who gets what, on which channel, in Vietnamese, with a delivery log.

- :mod:`notifications.people`: people, offices, tags and channel order (``people.yaml``);
- :mod:`notifications.messages`: message data and the Jinja2 templates;
- :mod:`notifications.plugins`: ``zalo://``, ``zns://`` and ``smtp://`` as custom Apprise services;
- :mod:`notifications.delivery`: :func:`send`, retries, fallbacks, outbox;
- :mod:`notifications.ledger`: the delivery-log tables.

The flows call ``send(message, recipients, cc=...)`` and raise when the returned
report is not ``ok``.
"""

from __future__ import annotations

from notifications.messages import ItemRef, Message, Rendered, render


def send(message, recipients, **kwargs):
    """See :func:`notifications.delivery.send` (imported lazily: it loads Apprise)."""
    from notifications.delivery import send as _send

    return _send(message, recipients, **kwargs)


__all__ = ["ItemRef", "Message", "Rendered", "render", "send"]
