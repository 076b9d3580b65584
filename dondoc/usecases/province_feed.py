"""A province's leadership feed: what a unit with units under it (a province and its communes) sees in its
calendar app, kept small whatever the number of communes.

Not one event per due date of every commune (thousands): one event per day on which due dates of its communes
fall, saying how many, how many are done and which communes are late; and one event per commune and deadline
for the items past the last step of the commune's chasing ladder (still open, neither extended nor
acknowledged), naming the commune and the items ("Mục 37"), never a plan code. Nothing is acted on from the
province: each event's text links to the page where people look further (the province's leadership page, or
the commune's, where its leadership acknowledges or extends). Continuous items are left out: the communes
report them to their own standing offices. No alarms: reminders are the communes' own.

Set-based, as the province's page: :mod:`dondoc.storage.treestatus` over the tree, a few queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone

from sqlalchemy import Engine

from calendars.ical import FeedEvent
from dondoc.domain.labels import item_label, short_plan_title
from dondoc.domain.status import Shown, shown_status
from dondoc.storage.links import LEADERSHIP, url_for
from dondoc.storage.treestatus import due_days, item_briefs
from dondoc.text import item_number_key
from dondoc.usecases import province

CSS_COLOUR = {"amber": "gold"}  # RFC 7986 COLOR takes CSS colour names; "amber" is not one

NAMES_IN_SUMMARY = 3  # communes named in a day's title
NAMES_IN_NOTE = 30  # communes named in a day's description
ITEMS_IN_SUMMARY = 5  # items named in a commune's title


def _named(names: list[str], limit: int, unit: str = "đơn vị") -> str:
    """"Xã A, Xã B và 4 đơn vị khác"."""
    shown = ", ".join(names[:limit])
    return f"{shown} và {len(names) - limit} {unit} khác" if len(names) > limit else shown


def province_events(engine: Engine, root: int, options) -> list[tuple[int | None, FeedEvent]]:
    """The events of the leadership feed of ``root``, a unit with units under it, earliest first, with their
    links in their text (``options``: :class:`dondoc.usecases.feeds.FeedOptions`)."""
    as_of, calendar = options.as_of, options.calendar
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    tree = province.tree_states(engine, root, as_of, calendar, options.due_soon_working_days)
    late = [x for x in province.late_items(engine, tree, as_of, calendar, options.ladder_last_step) if x.past_ladder]
    briefs = item_briefs(engine, [x.state.item_id for x in late], as_of)
    groups: dict[tuple[int, date], list] = defaultdict(list)
    for x in late:
        brief = briefs.get(x.state.item_id)
        if brief is not None:
            groups[(tree.branch.get(brief.unit_id, root), x.state.deadline)].append(brief)
    tokens = province.leadership_links(engine, [root, *sorted({commune for commune, _ in groups})])
    page = {u: url_for(options.public_url, LEADERSHIP, t) for u, t in tokens.items()}

    def name(unit_id: int) -> str:
        return tree.names.get(unit_id, "")

    events: list[tuple[tuple, FeedEvent]] = []
    by_day: dict[date, list] = defaultdict(list)
    for due in due_days(engine, as_of, list(tree.branch)):
        by_day[due.day].append(due)
    for day, dues in by_day.items():
        total, done, overdue, items = (sum(getattr(d, f) for d in dues) for f in ("total", "done", "overdue", "items"))
        what = "nhiệm vụ" if items == total else "mốc hạn"  # as the leadership page counts due dates
        members: dict[int, int] = defaultdict(int)
        for d in dues:
            members[tree.branch.get(d.unit_id, root)] += d.overdue
        behind = sorted((u for u, n in members.items() if n), key=lambda u: (-members[u], name(u)))
        if overdue:
            shown = Shown.OVERDUE
            content = f"{overdue} {what} quá hạn ở {len(behind)} đơn vị: " + \
                _named([name(u) for u in behind], NAMES_IN_SUMMARY)
        else:
            shown = Shown.DONE_ON_TIME if done == total else shown_status(
                "fixed", day, None, as_of, calendar, options.due_soon_working_days)
            content = f"{total} {what}" + (f", {done} đã hoàn thành" if 0 < done < total else "")
        counts = [f"{total} {what}" + (f" của {items} nhiệm vụ" if items != total else "")]
        counts += [f"{done} đã hoàn thành"] if done else []
        counts += [f"{overdue} quá hạn"] if overdue else []
        lines = [f"{len(members)} đơn vị có hạn trong ngày: " + ", ".join(counts) + "."]
        if behind:
            lines.append("Đơn vị có nhiệm vụ quá hạn: " + _named(
                [f"{name(u)} ({members[u]})" for u in behind], NAMES_IN_NOTE))
        lines.append(f"Xem từng đơn vị: {page[root]}")
        event = FeedEvent(
            uid=f"dondoc-han-u{root}-{day:%Y%m%d}@dondoc", day=day, item="", content=content,
            status=shown.label if shown is not Shown.DONE_ON_TIME else "hoàn thành", sequence=0, modified=epoch,
            label=f"Hạn của {len(members)} đơn vị", done=done == total, overdue=bool(overdue), note="\n".join(lines),
            colour=CSS_COLOUR.get(shown.colour, shown.colour),
        )
        events.append(((day, 0, ""), event))
    for (commune, deadline), items in groups.items():
        items.sort(key=lambda b: (b.plan_title, item_number_key(b.number)))
        several = len({b.plan_title for b in items}) > 1
        labels = [item_label(b.number, short_plan_title(b.plan_title) if several else None) for b in items]
        leads = list(dict.fromkeys(o for b in items for o in b.lead))
        lines = [f"{label}: {b.content}" for label, b in zip(labels, items)]
        lines.append(f"Trang lãnh đạo của {name(commune)} (xác nhận «đã nắm», gia hạn): {page[commune]}")
        event = FeedEvent(
            uid=f"dondoc-tinh-u{root}-d{commune}-{deadline:%Y%m%d}@dondoc", day=deadline, item="",
            content=f"{_named(labels, ITEMS_IN_SUMMARY, 'mục')} đã qua mọi bước nhắc của đơn vị",
            status=f"{Shown.OVERDUE.label}, đã qua mọi bước nhắc của đơn vị", sequence=0, modified=epoch,
            label=name(commune), lead=tuple(leads), overdue=True, note="\n".join(lines),
            colour=CSS_COLOUR.get(Shown.OVERDUE.colour, Shown.OVERDUE.colour),
        )
        events.append(((deadline, 1, name(commune)), event))
    events.sort(key=lambda e: (e[0], e[1].uid))
    return [(None, event) for _, event in events]
