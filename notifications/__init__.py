"""Notifications: messages in Vietnamese, the channels that carry them, and the delivery log.

- :mod:`notifications.messages`: message data and the Jinja2 templates;
- :mod:`notifications.plugins`: ``zalo://``, ``zns://`` and ``smtp://`` as custom Apprise services;
- :mod:`notifications.delivery`: the :class:`~notifications.delivery.Dispatcher`: each person's
  channels in order, retries, fallbacks, the outbox;
- :mod:`notifications.ledger`: reading the delivery log (its tables are in :mod:`dondoc.storage.delivery_log`).

Who a recipient stands for is the people configuration (:mod:`dondoc.configuration.people`).
Every message is sent once through :func:`dondoc.usecases.sending.send_once`, which marks it
by the outcome the dispatcher reports.
"""
