"""Delivery: :meth:`Dispatcher.send`, the one way a message leaves Đôn Đốc.

For each person the recipients stand for, the person's channels are tried in
their preference order (``people.yaml``, default ``zalo, zns, email``), skipping
a channel the person has no address for or that is not set up. A transient
failure (server down, rate limit) is retried on the same channel with a
doubling delay; a permanent one (outside Zalo's window, no Zalo account,
address refused), or retries used up, moves on to the next channel. Every
attempt writes one delivery row. When no channel is left for a person from the
start, the message goes to the outbox folder.

The returned :class:`SendReport` says who was reached; ``send()`` itself raises
only for bad input (unknown message kind, invalid recipient spec), never for a
channel failure, so a Prefect task can raise when ``report.ok`` is False and
let its own retries fire.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parseaddr

from sqlalchemy import Engine

from dondoc.configuration import NotificationsConfig, PeopleConfig, Person
from dondoc.settings import Settings
from dondoc.storage.db import read_session
from dondoc.storage import delivery_log
from dondoc.storage.delivery_log import Delivery, NotificationMessage
from notifications.channels import Channels
from notifications.logwriter import LogWriter, LogWriteError, StoredMessage
from notifications.messages import Message, Rendered, render, test_message
from notifications.outbox import write_outbox
from notifications.plugins.common import SendResult, mask
from notifications.mime import Attachment, build_email

log = logging.getLogger("dondoc.notifications")


class DeliveryError(ValueError):
    """Bad input to send/resend (unknown delivery, person or recipient); the message is Vietnamese."""


@dataclass
class PersonOutcome:
    person: str
    delivered: bool
    channel: str | None
    attempts: int
    error: str | None = None
    unknown: bool = False  # a server may have taken it (its answer was lost): not sent again in this run
    skip: tuple[str, ...] = ()  # channels never to try again for this delivery (Zalo after a lost answer)


@dataclass
class SendReport:
    stored: StoredMessage
    outcomes: list[PersonOutcome] = field(default_factory=list)
    ledger_key: str = ""

    @property
    def message_id(self) -> int | None:
        """The logged message's id (set once the log is flushed, as when send() returns)."""
        return self.stored.id

    @property
    def ok(self) -> bool:
        return all(o.delivered for o in self.outcomes)


class Dispatcher:
    """Keeps channel objects (and the SMTP connection) across many sends; close() when done."""

    def __init__(self, engine: Engine, *, settings: Settings, config: NotificationsConfig, people: PeopleConfig,
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.engine = engine
        self.people = people
        self.config = config
        self.sleep = sleep
        self._sender = parseaddr(self.settings.mail_from)
        self.writer = LogWriter(self.engine)
        self.channels = Channels(settings, config, people, self._sender)

    # -- public API -------------------------------------------------------------------------
    def send(self, message: Message, recipients: Iterable[str], *, cc: Iterable[str] = (),
             channels: Collection[str] | None = None) -> SendReport:
        """``channels``: only these of each person's channels (``("email",)`` for a message whose
        attachments must arrive); a person with none of them usable gets the outbox."""
        report = self._send(message, recipients, cc, channels)
        self.writer.flush()  # the attempts are committed when send() returns
        return report

    @staticmethod
    def files(message: Message) -> list[Attachment]:
        try:
            return [Attachment.from_path(path) for path in message.attachments]
        except OSError as exc:
            raise DeliveryError(f"Không đọc được tệp đính kèm ({type(exc).__name__}): {exc.filename}") from None

    def _send(self, message: Message, recipients: Iterable[str], cc: Iterable[str],
              channels: Collection[str] | None = None) -> SendReport:
        recipients, cc = list(recipients), list(cc)
        persons = self.people.resolve_all(recipients)
        cc_persons = [p for p in self.people.resolve_all(cc) if p.id not in {q.id for q in persons}]
        rendered = render(message, zalo_text_max=self.settings.zalo_text_max)
        files = self.files(message)
        # The message row is written with the first attempt's row, in the same transaction.
        stored = StoredMessage(None, dict(ledger_key=message.ledger_key, kind=message.kind, subject=rendered.subject,
                                          data=message.data, recipients=recipients, cc=cc))
        outcomes = [
            self._deliver(stored, message, rendered, person, cc_persons, files=files,
                          chain=None if channels is None else
                          [c for c in self.usable_channels(person, message.kind) if c in channels])
            for person in persons
        ]
        if not persons:  # nobody to send to: keep the message anyway
            self.writer.store_message(stored)
        return SendReport(stored, outcomes)

    def _store(self, stored: StoredMessage) -> int:
        if stored.id is None:
            self.writer.store_message(stored)
            self.writer.flush()
        return stored.id

    def send_many(self, jobs: Iterable[tuple[Message, list[str], list[str]]], *, workers: int = 1
                  ) -> list[SendReport]:
        """Many ``(message, recipients, cc)`` at once, over ``workers`` connections; reports in job order.

        For a reminder or digest run: the log rows of all sends are committed in
        batches while the next message is sent, and flushed once at the end; with
        ``workers`` > 1 several connections send at once (useful when the mail
        server, not this process, is the bottleneck).
        """
        jobs = list(jobs)
        if workers <= 1:
            reports = [self._send(m, r, c) for m, r, c in jobs]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dondoc-send") as pool:
                reports = list(pool.map(lambda job: self._send(*job), jobs))
        self.writer.flush()
        return reports

    def resend(self, delivery_id: int, *, person: Person | None = None, delivery_key: str | None = None) -> SendReport:
        """Send a logged message again to the person of delivery ``delivery_id`` (all their channels);
        ``person``: as the unit's people know them now (else from ``people.yaml``)."""
        with read_session(self.engine) as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                raise DeliveryError(f"Không có lần gửi số {delivery_id}.")
            row = session.get(NotificationMessage, delivery.message_id)
        message = Message(row.kind, row.data, row.ledger_key, attachments=row.attachments or [])
        if person is not None:
            persons = [person]
        else:
            spec = delivery.person
            if spec.startswith("unknown:"):
                spec = "person:" + spec.split(":", 1)[1]
            persons = self.people.resolve(spec if ":" in spec else f"person:{spec}")
        cc_persons = [p for p in self.people.resolve_all(row.cc) if p.id not in {q.id for q in persons}]
        rendered = render(message, zalo_text_max=self.settings.zalo_text_max)
        stored = StoredMessage(row.id, {})
        files = self.files(message)
        report = SendReport(stored, [self._deliver(stored, message, rendered, p, cc_persons, files=files,
                                                   key=delivery_key) for p in persons], row.ledger_key)
        self.writer.flush()
        return report

    def send_test(self, person_id: str) -> SendReport:
        """A test message on each of the person's usable channels, one by one (no fallback)."""
        person = self.people.by_id(person_id)
        if person is None:
            known = ", ".join(p.id for p in self.people.people) or "(chưa có people.yaml)"
            raise DeliveryError(f"Không có người «{person_id}» trong people.yaml. Có: {known}")
        chain = self.usable_channels(person, "test") or ["outbox"]
        key = f"test:{person.id}:{uuid.uuid4().hex[:8]}"
        stored, outcomes = None, []
        for channel in chain:
            message = test_message(person_name=person.name, channel=channel, ledger_key=key,
                                   public_url=self.settings.public_url)
            rendered = render(message, zalo_text_max=self.settings.zalo_text_max)
            if stored is None:
                stored = StoredMessage(None, dict(ledger_key=key, kind="test", subject=rendered.subject,
                                            data=message.data, recipients=[person.id], cc=[]))
            outcomes.append(self._deliver(stored, message, rendered, person, [], chain=[channel]))
        self.writer.flush()
        return SendReport(stored, outcomes)

    def deliver(self, message: Message, person: Person, *, stored_id: int, delivery_key: str,
                skip: Collection[str] = (), channels: Collection[str] | None = None,
                rendered: Rendered | None = None, files: list[Attachment] | None = None) -> PersonOutcome:
        """One recorded message to one person: their channels in order, except ``skip``; only
        ``channels`` when given. ``delivery_key`` makes the email's Message-ID and the ZNS
        ``tracking_id``, the same for every try. The attempts are queued to the log (``flush()``)."""
        rendered = rendered or render(message, zalo_text_max=self.settings.zalo_text_max)
        files = self.files(message) if files is None else files
        usable = self.usable_channels(person, message.kind)
        if channels is not None:
            usable = [c for c in usable if c in channels]
        stored = StoredMessage(stored_id, {})
        if not usable:  # nobody to reach by a channel: the outbox, and the log says so
            return self._to_outbox(stored, message, rendered, person, [], files)
        chain = [c for c in usable if c not in skip]
        if not chain:
            return PersonOutcome(person.id, False, None, 0, unknown=True, skip=tuple(skip),
                                 error="Có thể đã nhận ở kênh " + ", ".join(skip) + "; không gửi lại để tránh trùng tin")
        return self._deliver(stored, message, rendered, person, [], chain=chain, files=files, key=delivery_key,
                             skip=tuple(skip))

    def flush(self) -> None:
        self.writer.flush()

    def close(self) -> None:
        """Close the connections, then flush the log (raising LogWriteError if it could not be written)."""
        self.channels.close()
        self.writer.close()

    def usable_channels(self, person: Person, kind: str) -> list[str]:
        return self.channels.usable(person, kind)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _log(self, stored: StoredMessage, message: Message, person: Person, channel: str, address: str,
             attempt: int, outcome: str, result: SendResult | None, final: bool) -> None:
        self.writer.add_delivery(stored, dict(
            ledger_key=message.ledger_key, person=person.id, channel=channel, address=address, attempt=attempt,
            outcome=outcome, provider_message_id=result.message_id if result else None,
            error=(result.error if result and not result.ok else None), final=final,
        ))

    def _deliver(self, stored: StoredMessage, message: Message, rendered: Rendered, person: Person,
                 cc_persons: list[Person], chain: list[str] | None = None,
                 files: list[Attachment] = (), key: str | None = None, skip: tuple[str, ...] = ()) -> PersonOutcome:
        chain = chain if chain is not None else self.usable_channels(person, message.kind)
        if not chain or chain == ["outbox"]:
            return self._to_outbox(stored, message, rendered, person, cc_persons, files)
        attempts, error = 0, None
        for index, channel in enumerate(chain):
            last_channel = index == len(chain) - 1
            address = self.channels.address(channel, person)
            for attempt in range(1, self.settings.notify_retries + 1):
                attempts += 1
                result = self.channels.attempt(channel, person, message, rendered, cc_persons, files, key)
                self.channels.count_down(channel, result)
                last_try = (attempt == self.settings.notify_retries or not result.transient or result.unknown
                            or self.channels.is_down(channel))
                if result.ok:
                    outcome = delivery_log.OUTCOME_SENT
                elif not last_try:
                    outcome = delivery_log.OUTCOME_RETRY
                elif result.unknown:
                    outcome = delivery_log.OUTCOME_UNKNOWN
                else:
                    outcome = (delivery_log.OUTCOME_FALLBACK if result.fallback and not last_channel
                               else delivery_log.OUTCOME_FAILED)
                self._log(stored, message, person, channel, address, attempt, outcome, result,
                          final=result.ok or result.unknown or (last_try and last_channel))
                if result.ok:
                    log.info("Message %s sent to %s by %s", message.ledger_key, person.id, channel)
                    return PersonOutcome(person.id, True, channel, attempts)
                error = result.error
                log.info("Message %s to %s by %s, attempt %d: %s", message.ledger_key, person.id, channel, attempt,
                         result.error)
                if result.unknown:  # never sent twice in a run; a Zalo channel never again for this delivery
                    again = skip + ((channel,) if channel in ("zalo", "zns") else ())
                    return PersonOutcome(person.id, False, channel, attempts, error, unknown=True, skip=again)
                if last_try:
                    break
                self.sleep(self.settings.notify_retry_delay * 2 ** (attempt - 1))
        return PersonOutcome(person.id, False, None, attempts, error, skip=skip)

    def _to_outbox(self, stored: StoredMessage, message: Message, rendered: Rendered, person: Person,
                   cc_persons: list[Person], files: list[Attachment] = ()) -> PersonOutcome:
        message_id = self._store(stored)
        to = [(person.name, person.email)] if person.email else []
        cc = [(p.name, p.email) for p in cc_persons if p.email]
        email = build_email(sender=self._sender, to=to, cc=cc, subject=rendered.subject,
                            text=rendered.text, html=rendered.html,
                            headers={"X-Dondoc-Ledger-Key": message.ledger_key}, attachments=files)
        record = {
            "ledger_key": message.ledger_key, "kind": message.kind, "message_id": message_id,
            "person": person.id, "name": person.name, "office": person.office,
            "addresses": {"email": person.email, "zalo_user_id": person.zalo_user_id, "phone": person.phone},
            "channels": self.people.channel_order(person), "cc": [p.id for p in cc_persons],
            "subject": rendered.subject, "text": rendered.text, "zalo_text": rendered.zalo_text,
            "data": message.data, "attachments": [f.filename for f in files],
        }
        try:
            path = write_outbox(self.settings.outbox_path, ledger_key=message.ledger_key, person_id=person.id,
                                email=email, record=record)
        except OSError as exc:
            result = SendResult(False, error=f"Không ghi được vào thư mục outbox ({type(exc).__name__})")
            self._log(stored, message, person, "outbox", "", 1, delivery_log.OUTCOME_FAILED, result, final=True)
            return PersonOutcome(person.id, False, None, 1, result.error)
        self._log(stored, message, person, "outbox", path.name, 1, delivery_log.OUTCOME_OUTBOX,
                  SendResult(True, message_id=email.message_id), final=True)
        return PersonOutcome(person.id, True, "outbox", 1)


__all__ = ["DeliveryError", "Dispatcher", "LogWriteError", "PersonOutcome", "SendReport", "mask"]
