"""The channels: one attempt to hand one message to one person on one channel (email, Zalo OA, ZNS, Apprise).

:class:`Channels` builds each channel object once per thread (an SMTP connection is
kept open and not shared) and remembers, for one run, a channel whose server could
not be reached, or that took messages without answering: after :data:`DOWN_AFTER`
such attempts in a row the rest of the run
does not wait on it again (the message fails at once and falls back to the person's
next channel; a later run tries again).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid

import apprise

from dondoc.configuration import NotificationsConfig, PeopleConfig, Person
from dondoc.settings import Settings
from notifications.messages import Message, Rendered, render_value
from notifications.mime import Address, Attachment, build_email, stable_message_id
from notifications.plugins import SERVICES, register
from notifications.plugins.common import SendResult, ZaloEndpoints
from notifications.plugins.email import NotifySMTP

log = logging.getLogger("dondoc.notifications")
DOWN_AFTER = 3  # consecutive "unreachable" attempts on a channel after which a run stops trying it


class ChannelError(ValueError):
    """A channel set up wrongly (a DONDOC_* setting); the message is Vietnamese and names no secret."""


class Channels:
    def __init__(self, settings: Settings, config: NotificationsConfig, people: PeopleConfig, sender: Address):
        self.settings = settings
        self.config = config
        self.people = people
        self._sender = sender
        self._local = threading.local()  # channel objects per thread: an SMTP connection is not shared
        self._all_services: list[object] = []
        self._lock = threading.Lock()
        self._down: dict[str, int] = {}  # consecutive "server unreachable" attempts per channel in this run
        self._down_error: dict[str, str | None] = {}  # and what the first of them said

    def is_down(self, channel: str) -> bool:
        return self._down.get(channel, 0) >= DOWN_AFTER

    def count_down(self, channel: str, result: SendResult) -> None:
        with self._lock:
            if result.channel_down or result.unknown:  # unreachable, or taking messages without answering
                if self._down.get(channel, 0) < DOWN_AFTER:
                    self._down_error[channel] = result.error
                self._down[channel] = self._down.get(channel, 0) + 1
            elif result.ok or not result.transient:
                self._down[channel] = 0

    def close(self) -> None:
        with self._lock:
            services, self._all_services = self._all_services, []
        for service in services:
            if isinstance(service, NotifySMTP):
                service.close()
        self._local = threading.local()

    def _zalo_ready(self) -> bool:
        return bool(self.settings.zalo_app_id and self.settings.zalo_secret_key)

    def _zalo_secret(self) -> str:
        return self.settings.zalo_secret_key.get_secret_value() if self.settings.zalo_secret_key else ""

    def _zns_template(self, kind: str):
        return self.config.zns.templates.get(kind)

    def usable(self, person: Person, kind: str) -> list[str]:
        usable = {
            "email": bool(person.email and self.settings.smtp_url),
            "zalo": bool(person.zalo_user_id and self._zalo_ready()),
            "zns": bool(person.phone and self._zalo_ready() and self._zns_template(kind)),
            "apprise": bool(person.apprise),
        }
        return [c for c in self.people.channel_order(person) if usable.get(c)]

    def _service(self, url: str):
        """Our own channel objects, built directly (Apprise would log a bad URL with its secrets)."""
        services = self._local.__dict__.setdefault("services", {})
        service = services.get(url)
        if service is None:
            scheme = url.split("://", 1)[0].lower()
            cls = next((c for c in SERVICES if scheme in (c.protocol, getattr(c, "secure_protocol", None))), None)
            try:
                arguments = cls.parse_url(url) if cls else None
                if not arguments:
                    raise TypeError
                if cls is not NotifySMTP:
                    arguments["endpoints"] = ZaloEndpoints.from_settings(self.settings)
                service = cls(**arguments)
                if isinstance(service, NotifySMTP):
                    service.smtp_timeout = self.settings.notify_timeout
            except TypeError:
                raise ChannelError(f"Cấu hình kênh {scheme}:// không hợp lệ (kiểm tra thiết lập DONDOC_*).") from None
            services[url] = service
            with self._lock:
                self._all_services.append(service)
        return service

    def attempt(self, channel: str, person: Person, message: Message, rendered: Rendered,
                 cc_persons: list[Person], files: list[Attachment] = (), key: str | None = None) -> SendResult:
        s = self.settings
        if self.is_down(channel):  # this run found the server unreachable: not waited on again
            return SendResult(False, channel_down=True,
                              error=f"{self._down_error.get(channel)} (kênh {channel} tạm bỏ qua trong lượt này)")
        try:
            if channel == "email":
                smtp = self._service(s.smtp_url)
                cc = [(p.name, p.email) for p in cc_persons if p.email and p.email != person.email]
                email = build_email(sender=self._sender, to=[(person.name, person.email)], cc=cc,
                                    subject=rendered.subject, text=rendered.text, html=rendered.html,
                                    headers={"X-Dondoc-Ledger-Key": message.ledger_key}, attachments=files,
                                    message_id=stable_message_id(key, self._sender) if key else None)
                return smtp.deliver(email)
            if channel == "zalo":
                service = self._service(f"zalo://{s.zalo_app_id}/{self._zalo_secret()}/{person.zalo_user_id}")
                service.send(rendered.zalo_text)
                return service.last_result
            if channel == "zns":
                spec = self._zns_template(message.kind)
                limit = self.config.zns.max_param
                data = {k: render_value(str(v), message.data)[:limit] for k, v in spec.data.items()}
                url = f"zns://{s.zalo_app_id}/{self._zalo_secret()}/{person.phone}?template={spec.template_id}"
                service = self._service(url)
                service.send(json.dumps(data, ensure_ascii=False), tracking_id=key or uuid.uuid4().hex)
                return service.last_result
            if channel == "apprise":
                register()  # the person's own Apprise URLs may name zalo://, zns:// or smtp:// too
                bundle = apprise.Apprise()
                for url in person.apprise:
                    bundle.add(url, tag=person.tags or None)
                ok = bundle.notify(body=rendered.text, title=rendered.subject)
                return SendResult(bool(ok), error=None if ok else "Dịch vụ Apprise không nhận tin")
        except ChannelError as exc:
            return SendResult(False, error=str(exc), fallback=True)
        except Exception as exc:  # a channel must never break the loop over people
            log.warning("Channel %s failed unexpectedly: %s", channel, type(exc).__name__)
            return SendResult(False, error=f"Lỗi không mong đợi ở kênh {channel} ({type(exc).__name__})",
                              transient=True)
        return SendResult(False, error=f"Kênh không hỗ trợ: {channel}", fallback=True)

    def address(self, channel: str, person: Person) -> str:
        return {"email": person.email, "zalo": person.zalo_user_id, "zns": person.phone,
                "apprise": ",".join(u.split("://", 1)[0] + "://" for u in person.apprise)}.get(channel) or ""
