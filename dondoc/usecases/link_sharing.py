"""Passing a secret link on: its QR code (an SVG drawn here, to scan from the standing office's screen or a
printed page) and a message carrying it to the people it is for, sent the one way every message is sent
(:func:`dondoc.usecases.sending.send_once`: recorded, sent to each person, marked by the outcome).

Who receives a link: an office's page and calendar go to everyone of that office (``staff:``), the
leadership's to the people tagged ``leadership``, the standing office's page to the standing office's
staff. Someone nobody holds is forwarded to the standing office, as for every message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from dondoc.configuration.people import spec_title
from dondoc.storage import ledger, links
from dondoc.storage.db import unit_of_work
from dondoc.storage.delivery_log import Recipient
from dondoc.storage.lookups import LookupFailed
from dondoc.storage.models import Unit
from dondoc.usecases.context import Context
from dondoc.usecases.directory import Directory
from dondoc.usecases.sending import Outgoing, send_once

ABOUT = {
    links.OFFICE: "Mở đường dẫn để xem các nhiệm vụ của cơ quan và báo cáo tiến độ; không cần mật khẩu.",
    links.OFFICE_FEED: "Thêm đường dẫn này vào ứng dụng lịch (Google Lịch, Lịch của iPhone, Outlook) để thấy các "
                       "hạn nhiệm vụ của cơ quan.",
    links.LEADERSHIP: "Mở đường dẫn để xem tình hình thực hiện kế hoạch, xác nhận đã nắm các nhiệm vụ quá hạn và "
                      "gia hạn khi cần; không cần mật khẩu.",
    links.LEADERSHIP_FEED: "Thêm đường dẫn này vào ứng dụng lịch (Google Lịch, Lịch của iPhone, Outlook) để thấy "
                           "các hạn nhiệm vụ của đơn vị.",
    links.STANDING: "Mở đường dẫn để nhập kế hoạch, ghi nhận sự kiện, báo cáo thay cơ quan, quản lý người nhận tin "
                    "và các đường dẫn.",
}
CHANNEL_LABELS = {"zalo": "Zalo", "zns": "Zalo (tin ZNS)", "email": "email", "apprise": "kênh riêng"}
STATE_LABELS = {ledger.DELIVERED: "đã gửi", "failed": "chưa gửi được, sẽ gửi lại",
                "unknown": "chưa rõ đã tới chưa, sẽ gửi lại", "pending": "đang chờ gửi", "sending": "đang gửi",
                "given_up": "không gửi được"}


def qr_svg(url: str, title: str = "") -> str:
    """The QR code of ``url`` as an inline SVG element (scaled by the page's stylesheet).

    >>> svg = qr_svg("https://dondoc.example.vn/o/abc", "Trang báo cáo của cơ quan")
    >>> svg.startswith("<svg") and "viewBox" in svg and "<title>Trang báo cáo của cơ quan</title>" in svg
    True
    """
    import segno

    code = segno.make(url, error="m")
    return code.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr-code", lineclass=None,
                           title=title or None)


def recipients_for(kind: str, office: str | None, standing_office: str) -> list[str]:
    """Who a link is for, as the people directory names them.

    >>> recipients_for("office", "Phòng Kinh tế", "Văn phòng"), recipients_for("leadership", None, "Văn phòng")
    (['staff:Phòng Kinh tế'], ['tag:leadership'])
    >>> recipients_for("standing", None, "Văn phòng HĐND và UBND")
    ['staff:Văn phòng HĐND và UBND']
    """
    if kind in links.OFFICE_KINDS:
        return [f"staff:{office}"]
    if kind in (links.LEADERSHIP, links.LEADERSHIP_FEED):
        return ["tag:leadership"]
    return [f"staff:{standing_office}"]


def whom(spec: str) -> str:
    """Who a recipient spec stands for, as people say it.

    >>> whom("tag:leadership"), whom("staff:Phòng Kinh tế"), whom("tag:chu-tich")
    ('lãnh đạo UBND', 'Phòng Kinh tế', 'Chủ tịch UBND')
    """
    return "lãnh đạo UBND" if spec == "tag:leadership" else spec_title(spec)


@dataclass
class Delivery:
    """One person a link was sent to, and how it went."""

    person: str
    state: str
    channel: str | None
    forwarded_for: str | None = None

    @property
    def readable(self) -> str:
        if self.state == ledger.DELIVERED and self.channel == "outbox":
            state = "tin nằm ở hộp thư đi: chưa cấu hình máy chủ thư, Zalo"
        else:
            how = CHANNEL_LABELS.get(self.channel or "", self.channel or "")
            state = STATE_LABELS.get(self.state, self.state)
            state += f" qua {how}" if how and self.state == ledger.DELIVERED else ""
        text = f"{self.person} ({state})"
        return text + (f", nhận thay cho {whom(self.forwarded_for)}" if self.forwarded_for else "")


@dataclass
class SentLink:
    label: str  # "Trang báo cáo của cơ quan: Phòng Kinh tế"
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def delivered(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.state == ledger.DELIVERED]

    @property
    def readable(self) -> str:
        if not self.deliveries:
            return f"{self.label}: không có ai để gửi."
        return f"Đã gửi đường dẫn {self.label} tới: " + "; ".join(d.readable for d in self.deliveries) + "."


def send_link(ctx: Context, unit_id: int, kind: str, office_id: int | None, at: datetime,
              dispatcher=None) -> SentLink:
    """Send the unit's current link of ``kind`` (and office) to the people it is for; who received it.
    Raises LookupFailed for a link the unit does not have. Sending the same link twice in the same minute
    sends it once (a second click)."""
    from notifications import messages

    if kind not in links.KINDS:
        raise LookupFailed("Loại đường dẫn không hợp lệ.")
    with unit_of_work(ctx.engine) as session:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise LookupFailed("Không có đơn vị này.")
        unit_name = unit.name
        rows = links.unit_links(session, unit, ctx.public_url)
    wanted = office_id if kind in links.OFFICE_KINDS else None
    row = next((r for r in rows if r["kind"] == kind and r["office_id"] == wanted), None)
    if row is None:
        raise LookupFailed("Không có cơ quan này trong đơn vị.")
    label = links.KIND_LABELS[kind] + (f": {row['office']}" if row["office"] else "")
    local = ctx.local(at)
    digest = hashlib.sha256(row["url"].encode()).hexdigest()[:12]
    key = f"link:{unit_id}:{kind}:{wanted or '-'}:{digest}:{local:%Y%m%dT%H%M}"
    specs = recipients_for(kind, row["office"], ctx.policy.standing_office)

    def build(ledger_key: str):  # notifications/templates/link.j2
        data = {"label": links.KIND_LABELS[kind], "unit": unit_name, "office": row["office"], "link": row["url"],
                "about": ABOUT[kind]}
        return messages.Message("link", data, ledger_key)

    send_once(ctx, local, [Outgoing(key, "link", specs, build, unit_id=unit_id,
                                    entry={"payload": {"kind": kind, "office_id": wanted}})], dispatcher)
    return SentLink(label, deliveries(ctx, unit_id, key))


def deliveries(ctx: Context, unit_id: int, key: str) -> list[Delivery]:
    """Each person a message was recorded for, with where its delivery stands."""
    entry_id = ledger.entry_ids(ctx.engine, [key]).get(key)
    if entry_id is None:
        return []
    directory = Directory(ctx)
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(Recipient.person, Recipient.state, Recipient.channel, Recipient.forwarded_for)
                            .where(Recipient.entry_id == entry_id).order_by(Recipient.id)).all()
    return [Delivery(directory.person(unit_id, r.person).name, r.state, r.channel, r.forwarded_for) for r in rows]
