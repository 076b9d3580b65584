"""The leadership links of many units at once (a province's communes), through :mod:`dondoc.storage.links`:
the active links read in one query, the missing ones issued as :func:`links.ensure_link` issues them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dondoc.storage import links
from dondoc.storage.models import AccessLink


def leadership_tokens(session: Session, unit_ids: list[int]) -> dict[int, str]:
    """The token of each unit's leadership page (within the caller's transaction): its newest active link, or a
    link issued now when it has none or its newest was sealed with another key."""
    if not unit_ids:
        return {}
    newest: dict[int, AccessLink] = {}
    for link in session.scalars(select(AccessLink).where(
        AccessLink.kind == links.LEADERSHIP, AccessLink.unit_id.in_(unit_ids), AccessLink.office_id.is_(None),
        AccessLink.revoked_at.is_(None),
    ).order_by(AccessLink.id.desc())):
        newest.setdefault(link.unit_id, link)
    tokens = {}
    for unit_id in unit_ids:
        link = newest.get(unit_id)
        token = links.reveal(session, link) if link is not None else None
        tokens[unit_id] = token or links.ensure_link(session, links.LEADERSHIP, unit_id).token
    return tokens
