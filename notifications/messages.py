"""Messages: plain data in, Vietnamese subject, text, HTML and Zalo text out.

A :class:`Message` is a kind (``reminder``, ``escalation``, ``progress_request``,
``digest``, ``report_ready``), plain data (dataclasses or dicts, turned into JSON
values so the message can be stored and sent again) and the caller's ledger key.
:func:`render` fills the Jinja2 template ``templates/<kind>.j2``; it never sees
a database session.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape

from dondoc.domain.labels import item_label, short_plan_title
from notifications.wording import as_date, milestone_name, offices_short, sentence

TEMPLATES = Path(__file__).parent / "templates"
NOTE_MARK = "<!-- note -->"  # where a forwarded message says why it came (see _macros.j2, page)
KINDS = ("reminder", "escalation", "progress_request", "digest", "nudge", "report_ready", "undelivered", "test", "link")


@dataclass
class ItemRef:
    """What a message says about an item."""

    plan: str  # plan code, e.g. "xa-ngoc-lien-2026-2030": for links and keys only, never shown
    number: str
    content: str
    due: date | None = None
    lead_offices: list[str] = field(default_factory=list)
    cooperating_offices: list[str] = field(default_factory=list)
    area: str | None = None
    link: str | None = None
    days_overdue: int | None = None
    status: str | None = None
    plan_title: str = ""  # the plan's title as people read it
    milestone: str | None = None  # the label of the milestone due ("Báo cáo kết quả"), None when unlabelled
    nominal: date | None = None  # the due date the plan names (``due`` may be rolled forward or extended)


ITEM_DEFAULTS = {f.name: (f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
                 for f in dataclasses.fields(ItemRef) if f.default is not dataclasses.MISSING
                 or f.default_factory is not dataclasses.MISSING}


@dataclass
class Message:
    """``attachments``: paths of files sent with the email (other channels carry the link in ``data``)."""

    kind: str
    data: dict
    ledger_key: str
    attachments: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Loại tin không hỗ trợ (unknown message kind): {self.kind}")
        self.data = to_plain(self.data)
        self.attachments = [str(a) for a in self.attachments]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    zalo_text: str
    link: str | None


def to_plain(value: Any) -> Any:
    """Dataclasses, dates and tuples as JSON values (dates as ISO strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: to_plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def ngay_thang(value: Any) -> str:
    """A date as Vietnamese administrative text (Nghị định 30/2020: days below 10 and months 1–2 take a 0).

    >>> ngay_thang(date(2026, 3, 31))
    'ngày 31 tháng 3 năm 2026'
    >>> ngay_thang("2026-01-05")
    'ngày 05 tháng 01 năm 2026'
    """
    day = as_date(value)
    if day is None:
        return "(chưa có hạn)"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(value: Any) -> str:
    day = as_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


def truncate_with_link(text: str, limit: int, link: str | None) -> str:
    """Cut ``text`` to ``limit`` characters, ending with the link so nothing is lost.

    >>> truncate_with_link("a" * 50, 40, "http://x/1")
    'aaaaaaaaaaaaaaaa…\\nXem đầy đủ: http://x/1'
    """
    if len(text) <= limit:
        return text
    suffix = f"…\nXem đầy đủ: {link}" if link else "…"
    return text[: max(0, limit - len(suffix))].rstrip() + suffix


@lru_cache(maxsize=2)
def _env(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates are package files: no stat() per render
    )
    env.filters["ngay_thang"] = ngay_thang
    env.filters["ngay"] = short_date
    env.filters["sentence"] = sentence
    env.filters["offices_short"] = offices_short
    env.globals["milestone_name"] = milestone_name
    env.globals["item_label"] = item_label
    env.globals["short_plan_title"] = short_plan_title
    return env


def _complete(kind: str, data: dict) -> dict:
    """Message data with every field the templates read (a message stored before a field existed renders)."""
    data = dict(data)
    for key in ("item",):
        if isinstance(data.get(key), dict):
            data[key] = {**ITEM_DEFAULTS, **data[key]}
    for key in ("items", "overdue", "due_soon"):
        if isinstance(data.get(key), list):
            data[key] = [{**ITEM_DEFAULTS, **i} if isinstance(i, dict) else i for i in data[key]]
    for key, value in _DEFAULTS.get(kind, {}).items():
        data.setdefault(key, value)
    return data


_DEFAULTS = {
    "reminder": {"to_name": None, "cooperating": None},
    "escalation": {"to_name": None, "ack_link": None},
    "digest": {"unit": "", "unit_overdue": None, "unit_due_soon": None},
    "progress_request": {"to_name": None},
    "nudge": {"to_name": None},
}


def _render_part(kind: str, part: str, data: dict) -> str:
    html = part == "html"
    template = _env(html).get_template(f"{kind}.j2")
    return template.render(part=part, **data).strip()


def render(message: Message, *, zalo_text_max: int = 2000) -> Rendered:
    data = _complete(message.kind, message.data)
    subject = " ".join(_render_part(message.kind, "subject", data).split())
    text = _render_part(message.kind, "text", data) + "\n"
    html = _render_part(message.kind, "html", data)
    link = data.get("link") or (data.get("item") or {}).get("link")
    zalo = truncate_with_link(f"{subject}\n\n{text}".strip(), zalo_text_max, link)
    return Rendered(subject=subject, text=text, html=html, zalo_text=zalo, link=link)


def forwarded(rendered: Rendered, target: str, *, recipient: str, zalo_text_max: int = 2000) -> Rendered:
    """A message sent to ``recipient`` (the standing office) because nobody holds ``target``: said so at the top."""
    note = (f"Tin này gửi {target}, nhưng {target} chưa có người nhận trong Đôn Đốc. Đề nghị {recipient} "
            "chuyển giúp và bổ sung người nhận (trang cơ quan thường trực hoặc «dondoc people import»).")
    brand, _, rest = rendered.subject.partition("] ")
    rest = rest.removesuffix(f" ({target})")  # the subject names the office once
    subject = f"{brand}] (Chuyển cho {target}) {rest}" if rest else f"(Chuyển cho {target}) {rendered.subject}"
    html = rendered.html
    if NOTE_MARK in html:  # inside the message's column, above its first line
        marker = html.index(NOTE_MARK) + len(NOTE_MARK)
    else:
        marker = html.find(">", html.find("<body")) + 1 if "<body" in html else 0
    html = html[:marker] + (f'<p style="margin:0 0 14px 0;padding:10px 12px;background:#fff7d6;border:1px solid #f5d90a;'
                            f'border-radius:6px;font-size:14px;line-height:1.45">{escape(note)}</p>') + html[marker:]
    return Rendered(subject=subject, text=f"{note}\n\n{rendered.text}", html=html,
                    zalo_text=truncate_with_link(f"{note}\n\n{rendered.zalo_text}", zalo_text_max, rendered.link),
                    link=rendered.link)


def render_value(expression: str, data: dict) -> str:
    """One Jinja2 expression over message data (used for ZNS template parameters)."""
    return _env(False).from_string(expression).render(**data).strip()


# -- builders: the plain data each kind expects -------------------------------------------

def _item_link(item: ItemRef, public_url: str) -> str:
    return item.link or f"{public_url.rstrip('/')}/items/{item.plan}/{item.number}"


def reminder(item: ItemRef, *, days_left: int, ledger_key: str, public_url: str,
             cooperating: str | None = None, to_name: str | None = None) -> Message:
    """Due in ``days_left`` working days (0: due today), as :meth:`WorkCalendar.working_days_between`
    counts them. ``cooperating``: the copy for that cooperating office. ``to_name``: whom it addresses
    ("Ông/Bà … – Trưởng phòng …", see :func:`addressee`); else the one office it goes to."""
    item.link = _item_link(item, public_url)
    data = {"item": item, "days_left": days_left, "link": item.link, "cooperating": cooperating, "to_name": to_name}
    return Message("reminder", data, ledger_key)


_DEFAULT = object()


def escalation(item: ItemRef, *, level: int, days_overdue: int, office: str, ledger_key: str,
               public_url: str, to_name: str | None = None, ack_link: str | None | object = _DEFAULT) -> Message:
    """``ack_link`` None: the recipient (an office head) is not the one to acknowledge or extend."""
    item.link = _item_link(item, public_url)
    ack = f"{public_url.rstrip('/')}/ack/{item.plan}/{item.number}" if ack_link is _DEFAULT else ack_link
    data = {"item": item, "level": level, "days_overdue": days_overdue, "office": office,
            "link": item.link, "ack_link": ack, "to_name": to_name}
    return Message("escalation", data, ledger_key)


def progress_request(items: list[ItemRef], *, office: str, period: str, report_by: date,
                     ledger_key: str, public_url: str, link: str | None = None, to_name: str | None = None) -> Message:
    for item in items:
        item.link = _item_link(item, public_url)
    link = link or f"{public_url.rstrip('/')}/report"
    data = {"items": items, "office": office, "period": period, "report_by": report_by, "link": link,
            "to_name": to_name}
    return Message("progress_request", data, ledger_key)


def digest(items: list[ItemRef], *, leader: str, as_of: date, ledger_key: str, public_url: str,
           due_soon: list[ItemRef] | None = None, link: str | None = None, unit: str = "",
           unit_overdue: int | None = None, unit_due_soon: int | None = None) -> Message:
    """The leader's daily list: ``items`` escalated to them (overdue), ``due_soon``; ``unit_overdue`` and
    ``unit_due_soon``: the unit's counts as the status run gives them (else the lengths of the lists)."""
    for item in [*items, *(due_soon or [])]:
        item.link = _item_link(item, public_url)
    data = {"overdue": items, "due_soon": due_soon or [], "leader": leader, "as_of": as_of,
            "link": link or f"{public_url.rstrip('/')}/status", "unit": unit,
            "unit_overdue": unit_overdue, "unit_due_soon": unit_due_soon}
    return Message("digest", data, ledger_key)


def nudge(items: list[ItemRef], *, unit: str, office: str, month: date, ledger_key: str, public_url: str,
          link: str | None = None, to_name: str | None = None) -> Message:
    """The monthly list, for the standing office, of items awaiting their trigger."""
    for item in items:
        item.link = _item_link(item, public_url)
    data = {"items": items, "unit": unit, "office": office, "month_label": f"{month.month:02d}/{month.year}",
            "link": link or f"{public_url.rstrip('/')}/standing", "to_name": to_name}
    return Message("nudge", data, ledger_key)


def report_ready(*, title: str, period: str, as_of: date, link: str, ledger_key: str,
                 summary: dict[str, int] | None = None) -> Message:
    data = {"title": title, "period": period, "as_of": as_of, "link": link, "summary": summary or {}}
    return Message("report_ready", data, ledger_key)


@dataclass
class Undelivered:
    """A message nobody could deliver to one person before its give-up time."""

    what: str  # "Nhắc hạn nhiệm vụ số 12", "Tổng hợp gửi lãnh đạo"...
    subject: str
    person: str  # the person's name (and the target it was forwarded for)
    error: str
    since: date


def undelivered(rows: list[Undelivered], *, unit: str, office: str, as_of: date, ledger_key: str,
                link: str | None) -> Message:
    """For the standing office: the messages given up, each once, and what went wrong."""
    data = {"rows": rows, "unit": unit, "office": office, "as_of": as_of, "link": link,
            "escalations": sum(1 for r in rows if r.what.startswith("Cảnh báo"))}
    return Message("undelivered", data, ledger_key)


def test_message(*, person_name: str, channel: str, ledger_key: str, public_url: str) -> Message:
    data = {"person": person_name, "channel": channel, "link": public_url}
    return Message("test", data, ledger_key)


test_message.__test__ = False  # not a pytest test
