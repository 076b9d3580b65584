"""What an import did: the report the CLI, the JSON output and the standing page show, and the errors
that stop an import (a name no office has, with ``--create-offices`` refused)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

LEAD_COLUMN = "Cơ quan chủ trì"
COOP_COLUMN = "Cơ quan phối hợp"


@dataclass(frozen=True)
class OfficeProblem:
    row: int | None
    column: str
    item: str
    name: str


class UnknownOffices(ValueError):
    """Names in the file that match no office of the unit."""

    def __init__(self, source: str, unit: str, problems: list[OfficeProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = [
            f"Tệp {source}: {len(problems)} tên cơ quan không khớp với cơ quan nào của {unit} "
            f"(unknown office names). Thêm bí danh vào config/offices.yaml hoặc nhập lại với --create-offices:"
        ]
        for p in problems:
            where = f"dòng {p.row}, " if p.row else ""
            lines.append(f"  - {where}cột {p.column} (mục {p.item}): «{p.name}»")
        super().__init__("\n".join(lines))


# What a re-import compares, by the name people read: moved rows, another file format or other
# spacing are not changes.
_COMPARED = (("nội dung", "content"), ("lời văn thời hạn", "deadline_text"), ("sản phẩm", "product"))


def changes_of(item, fields: dict) -> list[str]:
    """The real changes of a stored item against the fields read from the file, by the names people read."""
    return [label for label, attr in _COMPARED if not same_text(getattr(item, attr), fields[attr])]


def same_text(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


@dataclass(frozen=True)
class ItemChange:
    """One item a re-import really changed: what changed, and what it did to the item's due dates."""

    number: str
    what: tuple[str, ...]  # "nội dung", "cơ quan", "thời hạn", "lời văn thời hạn", "sản phẩm", "lĩnh vực"…
    moved: tuple[tuple[str, date, date], ...] = ()  # (milestone, old due, new due): history went along
    retired: tuple[str, ...] = ()  # milestones no longer in the text (history kept)
    restored: tuple[str, ...] = ()  # milestones back in the text, with their history


@dataclass
class ImportReport:
    unit: str
    plan_code: str
    plan_title: str
    created: bool
    items_added: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_removed: int = 0
    areas: int = 0
    offices_created: list[str] = field(default_factory=list)
    needs_review: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (number, text, problems)
    changes: list[ItemChange] = field(default_factory=list)  # what really changed in each updated item
    unknown_offices: list[OfficeProblem] = field(default_factory=list)  # names held: the items wait for an office
    removed: list[str] = field(default_factory=list)  # numbers of items no longer in the file (history kept)
    items_restored: list[str] = field(default_factory=list)  # numbers of removed items back in the file

    @property
    def items_total(self) -> int:
        return self.items_added + self.items_updated + self.items_unchanged

    def change_lines(self, limit: int = 20) -> list[str]:
        """One line per item a re-import really changed, then the items it took out."""
        lines = []
        for c in self.changes[:limit]:
            line = f"Mục {c.number}: {', '.join(c.what)}"
            by_milestone: dict[str, list[str]] = {}
            for m, a, b in c.moved:
                by_milestone.setdefault(m, []).append(f"{a:%d/%m/%Y} → {b:%d/%m/%Y}")
            moved = [f"{m}: {', '.join(dates[:2])}" + (f" và {len(dates) - 2} hạn khác" if len(dates) > 2 else "")
                     for m, dates in by_milestone.items()]
            if moved:
                line += f" ({'; '.join(moved)}; lịch sử đi theo hạn mới)"
            if c.retired:
                line += f"; mốc không còn (giữ lịch sử): {', '.join(dict.fromkeys(c.retired))}"
            if c.restored:
                line += f"; mốc trở lại: {', '.join(dict.fromkeys(c.restored))}"
            lines.append(line)
        if len(self.changes) > limit:
            lines.append(f"… và {len(self.changes) - limit} mục khác")
        if self.removed:
            lines.append(f"Bỏ khỏi kế hoạch (giữ lịch sử, nhập lại để khôi phục): mục {', '.join(self.removed)}")
        return lines
