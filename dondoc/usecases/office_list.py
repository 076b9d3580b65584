"""The office page's tabs and search: which of an office's items a view lists, and how many each tab holds.

Tabs are plain links (``?loc=qua-han``) and the search a plain form (``?q=…``): everything is chosen on
the server, so the page works with JavaScript off. The default tab is what needs doing; continuous items
are folded into one section of their own in the long lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dondoc.domain.periods import progress_deadlines
from dondoc.domain.status import Shown
from dondoc.text import fold
from dondoc.usecases.context import Context
from dondoc.usecases.pages import ItemCard, OfficeView

OPEN = (Shown.OVERDUE, Shown.DUE_SOON, Shown.ON_TRACK, Shown.CONTINUOUS)


@dataclass(frozen=True)
class ProgressRound:
    """The progress report the standing office is asking offices for today (from its ask day to its send
    deadline): open lead items with no report since the previous round are waiting for one."""

    label: str  # "6 tháng năm 2026"
    send_by: date
    since: date  # the previous round's send deadline: a later report counts for this round


def progress_round(ctx: Context, day: date) -> ProgressRound | None:
    """The round offices are being asked for on ``day``; None outside the asking days."""
    rounds = [d for year in (day.year - 1, day.year) for d in progress_deadlines(year, ctx.calendar, ctx.reporting)]
    for previous, current in zip([None, *rounds], rounds):
        if current.ask_on <= day <= current.send_by:
            since = previous.send_by if previous else date(current.send_by.year - 1, current.send_by.month,
                                                                 min(current.send_by.day, 28))
            return ProgressRound(current.label, current.send_by, since)
    return None


def awaits_report(card: ItemCard, progress: ProgressRound | None) -> bool:
    """An open item the office leads with no report of its own since the previous round."""
    if progress is None or card.role not in (None, "lead") or not card.has(*OPEN):
        return False
    return not any(h.part == "lead" and h.as_of > progress.since for h in card.history)


@dataclass(frozen=True)
class OfficeFilter:
    """One tab of the office page: ``?loc=<key>`` (the default tab has the key ``can-lam``)."""

    key: str
    label: str
    colour: str
    hint: str


DEFAULT_FILTER = "can-lam"
OFFICE_FILTERS = [  # the hint follows "<n> nhiệm vụ" in the caption of the tab
    OfficeFilter(DEFAULT_FILTER, "Cần làm", "red", "quá hạn, sắp đến hạn hoặc đang vướng mắc"),
    OfficeFilter("qua-han", "Quá hạn", "red", "có mốc đã quá hạn mà chưa hoàn thành"),
    OfficeFilter("sap-den-han", "Sắp đến hạn", "amber", "có mốc sắp đến hạn"),
    OfficeFilter("chu-tri", "Chủ trì", "blue", "do cơ quan chủ trì"),
    OfficeFilter("phoi-hop", "Phối hợp", "blue", "cơ quan tham gia phối hợp"),
    OfficeFilter("thuong-xuyen", "Thường xuyên", "teal", "thực hiện thường xuyên, không có hạn cụ thể"),
    OfficeFilter("cho", "Chờ", "grey", "có mốc chờ văn bản, sự kiện của cấp trên"),
    OfficeFilter("tat-ca", "Tất cả", "grey", "của cơ quan"),
]
FILTERS_BY_KEY = {f.key: f for f in OFFICE_FILTERS}


def in_filter(card: ItemCard, key: str, progress: ProgressRound | None = None) -> bool:
    """Whether the item belongs to the tab ``key`` (an item may be in several tabs)."""
    if key == DEFAULT_FILTER:
        return card.has(Shown.OVERDUE, Shown.DUE_SOON) or card.blocked or awaits_report(card, progress)
    if key == "qua-han":
        return card.has(Shown.OVERDUE)
    if key == "sap-den-han":
        return card.has(Shown.DUE_SOON)
    if key == "chu-tri":
        return card.role in (None, "lead")
    if key == "phoi-hop":
        return card.role == "coop"
    if key == "thuong-xuyen":
        return card.continuous
    if key == "cho":
        return card.has(Shown.AWAITING)
    return True


_NUMBER_QUERY = re.compile(r"^(?:muc|so|nhiem vu|nv)?\s*(?:so\s*)?[#.]?\s*(\d{1,4}[a-z]?)\.?$")


def matches(card: ItemCard, query: str) -> bool:
    """An item number ("37", "mục 37") names that item; other words must all be in the item's text
    (without accents and case: "cai cach" finds "cải cách").

    >>> card = ItemCard(1, "p#37", "p", "37", "Rà soát thủ tục hành chính", None, "Quý I", None, "lead", [], [])
    >>> [matches(card, q) for q in ("37", "Mục 37", "3", "ra soat", "thủ tục", "thủ tục đất")]
    [True, True, False, True, True, False]
    """
    text = " ".join(fold(query).split())
    if not text:
        return True
    number = _NUMBER_QUERY.match(text)
    if number:
        return fold(card.number) == number.group(1)
    haystack = fold(" ".join([card.content, card.expected_product or "", card.deadline_text or ""]))
    return all(word in haystack for word in text.split())


@dataclass
class OfficeListing:
    """What one view of the office page lists: the tab, the search, the cards in their sections."""

    view: OfficeView
    filter: OfficeFilter
    query: str
    counts: dict[str, int]  # items per tab
    lead: list[ItemCard]
    coop: list[ItemCard]
    continuous: list[ItemCard]  # continuous items, shown collapsed in one section
    plan_names: dict[str, str]  # plan code -> how people tell the office's plans apart ({} with one plan)
    unknown_filter: str | None = None  # a ``loc`` value that names no tab (the default tab is shown)
    progress: ProgressRound | None = None
    awaiting_report: frozenset[int] = frozenset()  # items waiting for this round's progress report

    @property
    def hint(self) -> str:
        """What the current tab holds, after "<n> nhiệm vụ"."""
        if self.filter.key == DEFAULT_FILTER and self.progress:
            return (f"quá hạn, sắp đến hạn, đang vướng mắc hoặc chờ báo cáo tiến độ {self.progress.label} "
                    f"(hạn gửi {self.progress.send_by:%d/%m/%Y})")
        return self.filter.hint

    @property
    def several_plans(self) -> bool:
        return bool(self.plan_names)

    def label(self, card: ItemCard) -> str:
        """"Mục 37"; "KH CCHC 2026–2030, mục 37" when the office has items of several plans."""
        name = self.plan_names.get(card.plan)
        return f"{name}, mục {card.number}" if name else card.label()

    @property
    def shown_count(self) -> int:
        return len(self.lead) + len(self.coop) + len(self.continuous)

    @property
    def status_counts(self) -> list[tuple[Shown, int]]:
        """Items of the office by their most urgent shown status (each item counted once)."""
        counts = self.view.counts
        return [(s, counts[s.value]) for s in Shown if counts.get(s.value)]


MAX_QUERY = 100


def plan_names(cards: list[ItemCard]) -> dict[str, str]:
    """Each plan's short title when the cards are of several plans (its full title where two short titles
    are the same); {} when they are all of one plan."""
    titles = {c.plan: (c.plan_title, c.plan_short) for c in cards}
    if len(titles) < 2:
        return {}
    shorts = [short for _, short in titles.values()]
    return {code: short if shorts.count(short) == 1 else (title or short) for code, (title, short) in titles.items()}


COLLAPSING = ("chu-tri", "phoi-hop", "tat-ca")  # tabs that list continuous items in one folded section


def office_listing(view: OfficeView, key: str | None = None, query: str = "",
                   keep: int | None = None, progress: ProgressRound | None = None) -> OfficeListing:
    """The office page for tab ``key`` (default: what needs doing) and a search; a search with no tab
    looks through every item. ``keep``: an item just reported, listed even when it left the tab.
    ``progress``: the progress report being asked for today, if any (its items are to do)."""
    query = " ".join((query or "").split())[:MAX_QUERY]
    unknown = None
    if key and key not in FILTERS_BY_KEY:
        unknown, key = key[:40], None
    chosen = FILTERS_BY_KEY[key or ("tat-ca" if query else DEFAULT_FILTER)]
    counts = {f.key: sum(in_filter(c, f.key, progress) for c in view.cards) for f in OFFICE_FILTERS}
    cards = [c for c in view.cards
             if (in_filter(c, chosen.key, progress) and matches(c, query)) or (keep is not None and c.item_id == keep)]
    if query:
        folded = set()
    elif chosen.key == DEFAULT_FILTER:  # continuous items waiting only for the progress report
        folded = {c.item_id for c in cards if c.continuous and not c.blocked}
    else:
        folded = {c.item_id for c in cards if chosen.key in COLLAPSING and c.continuous}
    rest = [c for c in cards if c.item_id not in folded]
    return OfficeListing(
        view, chosen, query, counts,
        lead=[c for c in rest if c.role in (None, "lead")],
        coop=[c for c in rest if c.role == "coop"],
        continuous=[c for c in cards if c.item_id in folded],
        plan_names=plan_names(view.cards),
        unknown_filter=unknown,
        progress=progress,
        awaiting_report=frozenset(c.item_id for c in view.cards if awaits_report(c, progress)),
    )
