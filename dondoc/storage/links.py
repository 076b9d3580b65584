"""Secret links: who may open which page or calendar feed.

Each office has a link to its status page and one to its calendar feed; each
unit has a leadership link (overview, acknowledge, extend), a leadership feed
and a standing-office link (import, resolve, triggers, rotate). A link carries
192 random bits (``secrets.token_urlsafe(24)``). It is looked up by the SHA-256
of the token presented and then compared with :func:`hmac.compare_digest`, so
neither the lookup nor the comparison leaks how much of a guess was right.
Rotating a link revokes the old token at once (it answers 404) and issues a new
one; every issue and rotation is written to the audit log.

The token itself is stored sealed: XOR-ed with a pad drawn from HMAC-SHA256 of the
installation's secret key (:mod:`dondoc.storage.secret`) and a random salt of its
own. Messages and the standing office's page reveal it with the key; a copy of the
database alone holds only digests and sealed bytes, and opens no page. The
application tells this module its key once (:func:`use_key`).

>>> key = b"k" * 32
>>> sealed = seal(key, "salt", "abc")
>>> sealed != "abc" and unseal(key, "salt", sealed) == "abc" and unseal(b"x" * 32, "salt", sealed) != "abc"
True

>>> len(new_token()) >= 32
True
>>> url_for("https://dondoc.example.vn/", "office", "abc")
'https://dondoc.example.vn/o/abc'
>>> url_for("https://dondoc.example.vn", "office_feed", "abc")
'https://dondoc.example.vn/feeds/abc.ics'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dondoc.clock import utcnow
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import AccessLink, AuditEntry, Office, Unit

OFFICE = "office"
OFFICE_FEED = "office_feed"
LEADERSHIP = "leadership"
LEADERSHIP_FEED = "leadership_feed"
STANDING = "standing"
KINDS = (OFFICE, OFFICE_FEED, LEADERSHIP, LEADERSHIP_FEED, STANDING)
FEED_KINDS = (OFFICE_FEED, LEADERSHIP_FEED)
OFFICE_KINDS = (OFFICE, OFFICE_FEED)

KIND_LABELS = {
    OFFICE: "Trang báo cáo của cơ quan",
    OFFICE_FEED: "Lịch của cơ quan",
    LEADERSHIP: "Trang lãnh đạo",
    LEADERSHIP_FEED: "Lịch của lãnh đạo",
    STANDING: "Trang cơ quan thường trực",
}

_PREFIX = {OFFICE: "/o/", LEADERSHIP: "/l/", STANDING: "/s/"}
TOKEN_BYTES = 24  # 192 bits
MAX_TOKEN_LENGTH = 100


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


# -------------------------------------------------------------------- sealing with the key
_KEYS: dict[str, Callable[[], bytes]] = {}  # database URL -> the installation's secret key (read on first use)


class LinkKeyMissing(RuntimeError):
    """No secret key was given for this database: links cannot be issued or shown."""


def use_key(engine, key: Callable[[], bytes]) -> None:
    """The secret key that seals the links of the database behind ``engine`` (the application calls this)."""
    _KEYS[engine.url.render_as_string(hide_password=False)] = key


def _key(session: Session) -> bytes:
    provider = _KEYS.get(session.get_bind().url.render_as_string(hide_password=False))
    if provider is None:
        raise LinkKeyMissing("no secret key for this database: build the application (Dondoc) first")
    return provider()


def _pad(key: bytes, salt: str, length: int) -> bytes:
    pad, block = b"", 0
    while len(pad) < length:
        pad += hmac.new(key, f"dondoc-link:{salt}:{block}".encode(), hashlib.sha256).digest()
        block += 1
    return pad[:length]


def seal(key: bytes, salt: str, token: str) -> str:
    data = token.encode("utf-8")
    return base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(data, _pad(key, salt, len(data))))).decode()


def unseal(key: bytes, salt: str, sealed: str) -> str:
    data = base64.urlsafe_b64decode(sealed.encode())
    return bytes(a ^ b for a, b in zip(data, _pad(key, salt, len(data)))).decode("utf-8", "replace")


def reveal(session: Session, link: AccessLink) -> str | None:
    """The clear token of ``link`` (kept on the object), or None when this key did not seal it."""
    if link.token is None and link.sealed and link.salt:
        token = unseal(_key(session), link.salt, link.sealed)
        if hmac.compare_digest(token_digest(token), link.token_sha256):
            link.token = token
    return link.token


def seal_stored_tokens(session: Session) -> int:
    """Seal the tokens stored in clear by an earlier version (once, at start-up); their links keep working."""
    count = 0
    for link in session.scalars(select(AccessLink).where(AccessLink.legacy_token.is_not(None))):
        link.salt = secrets.token_hex(16)
        link.sealed = seal(_key(session), link.salt, link.legacy_token)
        link.legacy_token = None
        count += 1
    return count


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def path_for(kind: str, token: str) -> str:
    """The path of a link: ``/o/T``, ``/l/T``, ``/s/T`` for pages, ``/feeds/T.ics`` for feeds."""
    if kind in FEED_KINDS:
        return f"/feeds/{token}.ics"
    return _PREFIX[kind] + token


def url_for(public_url: str, kind: str, token: str, suffix: str = "") -> str:
    return public_url.rstrip("/") + path_for(kind, token) + suffix


def _check_scope(kind: str, office_id: int | None) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown link kind {kind!r}")
    if (kind in OFFICE_KINDS) != (office_id is not None):
        raise ValueError(f"a {kind} link {'needs' if kind in OFFICE_KINDS else 'takes no'} office")


def active_link(session: Session, kind: str, unit_id: int, office_id: int | None = None) -> AccessLink | None:
    """The scope's newest active link, its token revealed (None when there is none)."""
    _check_scope(kind, office_id)
    query = select(AccessLink).where(
        AccessLink.kind == kind, AccessLink.unit_id == unit_id, AccessLink.revoked_at.is_(None),
        AccessLink.office_id.is_(None) if office_id is None else AccessLink.office_id == office_id,
    ).order_by(AccessLink.id.desc())
    link = session.scalars(query).first()
    if link is not None:
        reveal(session, link)
    return link


def _issue(session: Session, kind: str, unit_id: int, office_id: int | None, actor: str | None, action: str) -> AccessLink:
    token, salt = new_token(), secrets.token_hex(16)
    link = AccessLink(kind=kind, unit_id=unit_id, office_id=office_id, salt=salt, sealed=seal(_key(session), salt, token),
                      token_sha256=token_digest(token))
    link.token = token
    session.add(link)
    session.flush()
    session.add(AuditEntry(actor=actor, action=action, entity="access_link", entity_id=link.id,
                           details={"kind": kind, "unit_id": unit_id, "office_id": office_id}))
    return link


def ensure_link(session: Session, kind: str, unit_id: int, office_id: int | None = None,
                actor: str | None = None) -> AccessLink:
    """The active link of this scope, issued now if there is none. A link sealed with another key (the
    secret key was changed) keeps working, and a new one is issued beside it to hand out from now on."""
    link = active_link(session, kind, unit_id, office_id)
    if link is None:
        return _issue(session, kind, unit_id, office_id, actor, "link_issued")
    if link.token is None:
        return _issue(session, kind, unit_id, office_id, actor, "link_reissued")
    return link


def rotate(session: Session, kind: str, unit_id: int, office_id: int | None = None,
           actor: str | None = None) -> AccessLink:
    """Revoke the scope's active link (it answers 404 from now on) and issue a new one."""
    _check_scope(kind, office_id)
    now = utcnow()
    for old in session.scalars(select(AccessLink).where(
        AccessLink.kind == kind, AccessLink.unit_id == unit_id, AccessLink.revoked_at.is_(None),
        AccessLink.office_id.is_(None) if office_id is None else AccessLink.office_id == office_id,
    )):
        old.revoked_at = now
    return _issue(session, kind, unit_id, office_id, actor, "link_rotated")


def resolve(session: Session, token: str, kinds: tuple[str, ...] = KINDS) -> AccessLink | None:
    """The active link whose token is ``token`` and whose kind is one of ``kinds``; None otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = token_digest(token)
    link = session.scalars(select(AccessLink).where(AccessLink.token_sha256 == digest)).first()
    if link is None or not hmac.compare_digest(link.token_sha256, digest):
        return None
    if link.revoked_at is not None or link.kind not in kinds:
        return None
    link.token = token
    return link


class LinkBook:
    """Full URLs of links, each issued on first use (within ``session``, the caller's transaction)."""

    def __init__(self, session: Session | None, public_url: str) -> None:
        self.session = session
        self.public_url = public_url
        self._tokens: dict[tuple[str, int, int | None], str] = {}

    def _issue(self, kind: str, unit_id: int, office_id: int | None) -> str:
        return ensure_link(self.session, kind, unit_id, office_id).token

    def page(self, kind: str, unit_id: int, office_id: int | None = None, suffix: str = "") -> str:
        key = (kind, unit_id, office_id)
        if key not in self._tokens:
            self._tokens[key] = self._issue(kind, unit_id, office_id)
        return url_for(self.public_url, kind, self._tokens[key], suffix)

    def office_page(self, office_id: int, item_id: int | None = None) -> str:
        unit_id = self.session.get(Office, office_id).unit_id
        return self.page(OFFICE, unit_id, office_id, _item_suffix(item_id))

    def leadership_page(self, unit_id: int, item_id: int | None = None, anchor: str = "") -> str:
        return self.page(LEADERSHIP, unit_id, None, _item_suffix(item_id) + anchor)

    def standing_page(self, unit_id: int) -> str:
        return self.page(STANDING, unit_id)

    def office_feed(self, office_id: int) -> str:
        return self.page(OFFICE_FEED, self.session.get(Office, office_id).unit_id, office_id)

    def leadership_feed(self, unit_id: int) -> str:
        return self.page(LEADERSHIP_FEED, unit_id)


def _item_suffix(item_id: int | None) -> str:
    return f"/items/{item_id}" if item_id is not None else ""


class MessageLinks(LinkBook):
    """Page links for the messages of one run: by unit and office name, issued on first use.

    Offices get their own status page (never the leadership's); leaders get the
    leadership page, where they acknowledge and extend; the standing office gets
    its page. A link issued here is committed at once, in its own transaction.
    The names are read on first use, so a run that sends nothing reads nothing.
    """

    def __init__(self, engine, public_url: str) -> None:
        super().__init__(None, public_url)
        self.engine = engine
        self._names: tuple[dict, dict] | None = None

    def _lookups(self) -> tuple[dict, dict]:
        if self._names is None:
            with read_session(self.engine) as session:
                units = dict(session.execute(select(Unit.name, Unit.id)).all())
                offices = {(u, n): i for i, u, n in session.execute(select(Office.id, Office.unit_id, Office.name))}
            self._names = (units, offices)
        return self._names

    def _issue(self, kind: str, unit_id: int, office_id: int | None) -> str:
        with unit_of_work(self.engine) as session:
            return ensure_link(session, kind, unit_id, office_id).token

    def unit_of(self, unit_name: str) -> int | None:
        return self._lookups()[0].get(unit_name)

    def office(self, unit_id: int | None, office_name: str, item_id: int | None = None) -> str | None:
        office_id = self._lookups()[1].get((unit_id, office_name))
        return None if office_id is None else self.page(OFFICE, unit_id, office_id, _item_suffix(item_id))

    def leadership(self, unit_id: int | None, item_id: int | None = None, anchor: str = "") -> str | None:
        return None if unit_id is None else self.leadership_page(unit_id, item_id, anchor)

    def standing(self, unit_id: int | None) -> str | None:
        return None if unit_id is None else self.standing_page(unit_id)


def unit_links(session: Session, unit: Unit, public_url: str) -> list[dict]:
    """Every link of the unit (issued now when missing): standing, leadership, feeds, each office's page and feed."""
    offices = list(session.scalars(select(Office).where(Office.unit_id == unit.id).order_by(Office.name)))
    active = {(link.kind, link.office_id): link for link in session.scalars(
        select(AccessLink).where(AccessLink.unit_id == unit.id, AccessLink.revoked_at.is_(None)).order_by(AccessLink.id))}
    wanted = [(k, None, None) for k in (STANDING, LEADERSHIP, LEADERSHIP_FEED)]
    wanted += [(k, o.id, o.name) for o in offices for k in OFFICE_KINDS]
    rows = []
    for kind, office_id, office_name in wanted:
        link = active.get((kind, office_id))
        if link is None or reveal(session, link) is None:
            link = ensure_link(session, kind, unit.id, office_id)
        rows.append({"kind": kind, "label": KIND_LABELS[kind], "office_id": office_id, "office": office_name,
                     "url": url_for(public_url, kind, link.token)})
    return rows
