"""Reading the delivery log (its tables are :mod:`dondoc.storage.delivery_log`).

A *message* is stored once with the plain data it was rendered from, so that a
failed delivery can be sent again (``dondoc resend ID``). Every attempt on a
channel writes one *delivery* row: channel, recipient, outcome, the provider's
message id and the error. Both carry the message's ledger key (for example
``reminder:xa-ngoc-lien-2026-2030#15:m40:2026-03-31:L0:s3:office:Phòng Kinh tế``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from dondoc.storage.delivery_log import (
    DELIVERED_OUTCOMES,
    OUTCOME_FAILED,
    OUTCOME_FALLBACK,
    Delivery,
    NotificationMessage,
)

FAILED_OUTCOMES = (OUTCOME_FAILED, OUTCOME_FALLBACK)


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    message_id: int
    ledger_key: str
    kind: str
    person: str
    channel: str
    address: str
    attempt: int
    outcome: str
    provider_message_id: str | None
    error: str | None
    at: datetime


def list_deliveries(session: Session, *, failed_only: bool = False, ledger_key: str | None = None,
                    limit: int = 200) -> list[DeliveryRow]:
    """Delivery rows, newest first.

    ``failed_only``: the last attempt of each message that did not reach its person,
    unless a later resend did.
    """
    query = select(Delivery, NotificationMessage.kind).join(NotificationMessage)
    if failed_only:
        later = aliased(Delivery)
        reached_later = select(later.id).where(
            later.message_id == Delivery.message_id, later.person == Delivery.person, later.id > Delivery.id,
            later.outcome.in_(DELIVERED_OUTCOMES),
        ).exists()
        query = query.where(Delivery.final.is_(True), Delivery.outcome.in_(FAILED_OUTCOMES), ~reached_later)
    if ledger_key:
        query = query.where(Delivery.ledger_key == ledger_key)
    rows = session.execute(query.order_by(Delivery.id.desc()).limit(limit)).all()
    return [
        DeliveryRow(d.id, d.message_id, d.ledger_key, kind, d.person, d.channel, d.address, d.attempt,
                    d.outcome, d.provider_message_id, d.error, d.at)
        for d, kind in rows
    ]
