"""Terminal output: rich tables and progress bars, in Vietnamese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from dondoc.domain.labels import short_unit_name
from dondoc.domain.status import Shown
from dondoc.usecases.status_view import compact_lines

RICH_COLOUR = {
    "purple": "magenta",
    "green": "green",
    "orange": "dark_orange",
    "blue": "blue",
    "amber": "yellow",
    "red": "bold red",
    "grey": "grey62",
    "teal": "dark_cyan",
}
MAX_CONTENT = 70


def safe_url(url: str) -> str:
    """A database URL with any password replaced by ***."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def vn_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def shown_text(shown: Shown) -> Text:
    return Text(shown.label, style=RICH_COLOUR[shown.colour])


def short(text: str, limit: int = MAX_CONTENT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def progress(console: Console, title: str, enabled: bool = True) -> Iterator:
    """A progress bar for long commands; yields ``advance(done, total)``."""
    if not enabled:
        yield lambda done, total=None: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
    ) as bar:
        task = bar.add_task(title, total=None)
        yield lambda done, total=None: bar.update(task, completed=done, total=total)


def import_report_json(report) -> dict:
    return {
        "unit": report.unit,
        "plan": report.plan_code,
        "title": report.plan_title,
        "created": report.created,
        "items": report.items_total,
        "added": report.items_added,
        "updated": report.items_updated,
        "unchanged": report.items_unchanged,
        "removed": report.items_removed,
        "areas": report.areas,
        "offices_created": report.offices_created,
        "needs_review": [{"item": n, "text": t, "problems": p} for n, t, p in report.needs_review],
        "changes": [{"item": c.number, "what": list(c.what),
                     "moved": [{"milestone": m, "from": a.isoformat(), "to": b.isoformat()} for m, a, b in c.moved],
                     "retired": list(c.retired), "restored": list(c.restored)} for c in report.changes],
        "removed_items": report.removed,
        "restored_items": report.items_restored,
        "unknown_offices": [{"item": p.item, "row": p.row, "column": p.column, "name": p.name}
                            for p in report.unknown_offices],
    }


def print_import_report(console: Console, report) -> None:
    verb = "Đã nhập" if report.created else "Đã nhập lại"
    console.print(f"[bold]{verb}[/] kế hoạch: {report.plan_title}", highlight=False)
    console.print(
        f"  Đơn vị: {report.unit}; {report.areas} lĩnh vực; {report.items_total} mục "
        f"(mới {report.items_added}, thay đổi {report.items_updated}, giữ nguyên {report.items_unchanged}, "
        f"bỏ khỏi kế hoạch {report.items_removed})."
    )
    for line in report.change_lines():
        console.print(f"    - {line}", highlight=False)
    for name in report.offices_created:
        console.print(f"  [yellow]Đã tạo cơ quan mới:[/] {name}")
    if report.unknown_offices:
        names: dict[str, list] = {}
        for p in report.unknown_offices:
            names.setdefault(p.name, []).append(p)
        console.print(f"  [yellow]{len(names)} tên cơ quan chưa khớp[/]: các mục vẫn được nhập và chờ xác định cơ quan "
                      "(chưa nhắc ai). Với mỗi tên, chạy một lệnh:", highlight=False)
        for name, places in names.items():
            where = ", ".join(dict.fromkeys(f"mục {p.item}" + (f" (dòng {p.row})" if p.row else "") for p in places))
            console.print(f"    - «{name}», cột {places[0].column}: {where}", highlight=False)
            console.print(f'      [cyan]dondoc map-office "{name}" --to "<tên cơ quan>" --unit "{report.unit}"[/]'
                          f' hoặc --new', highlight=False)
    if report.needs_review:
        console.print(f"  [yellow]{len(report.needs_review)} mục có thời hạn cần xem lại[/] (dondoc review):")
        for number, text, problems in report.needs_review:
            console.print(f"    - Mục {number}: «{text}»: {'; '.join(problems)}", highlight=False)
    else:
        console.print("  Mọi thời hạn đều đã được hiểu.")


KIND_LABELS = {"fixed": "một lần", "yearly": "hằng năm", "continuous": "thường xuyên", "period": "giai đoạn",
               "event": "chờ sự kiện", "unset": "chưa xác định thời hạn"}


def print_deadline(console: Console, result: dict) -> None:
    console.print(f"Thời hạn: «{result['text']}»", highlight=False)
    if result["needs_review"]:
        console.print("[yellow]Cần xem lại:[/] " + "; ".join(result["problems"]), highlight=False)
    table = Table("Nhãn", "Loại", "Bắt đầu", "Hạn (theo văn bản)", "Hạn thực tế (ngày làm việc)", "RRULE")
    for m in result["milestones"]:
        table.add_row(
            m["label"] or "",
            KIND_LABELS.get(m["kind"], m["kind"]) + (f" ({m['event']})" if m.get("event") else ""),
            _iso_vn(m["start"]),
            "\n".join(_iso_vn(d) for d in m["due"]),
            "\n".join(_iso_vn(d) for d in m["effective_due"]),
            m["rrule"] or "",
        )
    console.print(table)


def _iso_vn(value: str | None) -> str:
    return vn_date(date.fromisoformat(value)) if value else ""


def _totals_table(report_totals: dict[str, int], title: str) -> Table:
    table = Table(title=title, show_header=True)
    table.add_column("Trạng thái")
    table.add_column("Số mốc", justify="right")
    for shown in Shown:
        if shown is Shown.UNSET and not report_totals[shown.value]:
            continue  # shown only when some deadline is still to be set
        table.add_row(shown_text(shown), str(report_totals[shown.value]))
    table.add_row(Text("Tổng", style="bold"), Text(str(sum(report_totals.values())), style="bold"))
    return table


def _item_label(row, single_plan: bool, codes: bool = False) -> str:
    """"15" when one plan is shown, "15" over the unit's short name otherwise; the plan code with ``codes``."""
    if codes:
        return row.item
    return row.number if single_plan else f"{row.number}\n{short_unit_name(row.unit)}"


def _rows_table(title: str, rows, single_plan: bool, codes: bool = False) -> Table:
    table = Table(title=title, title_justify="left", expand=True)
    notes = any(r.last_note for r in rows)
    table.add_column("Mã" if codes else "Mục", no_wrap=True)
    table.add_column("Nội dung", ratio=3, min_width=20)
    table.add_column("Mốc", ratio=1)
    table.add_column("Hạn", no_wrap=True)
    table.add_column("Trạng thái", ratio=1)
    if notes:
        table.add_column("Ghi chú", ratio=2)
    for r in rows:
        due = vn_date(r.extended_due or r.effective_due)
        if r.extended_due:
            due += f"\n(gốc {vn_date(r.effective_due)})"
        extra = ""
        if r.shown is Shown.OVERDUE:
            extra = f"quá {r.days_overdue} ngày"
        elif r.shown is Shown.DUE_SOON:
            extra = f"còn {r.working_days_left} ngày làm việc"
        if r.stored == "vuong_mac":
            extra = (extra + "; " if extra else "") + "vướng mắc"
        cells = [
            _item_label(r, single_plan, codes),
            short(r.content, 60),
            r.label or "",
            due,
            Text.assemble(shown_text(r.shown), (f"\n{extra}" if extra else "")),
        ]
        table.add_row(*cells, *([short(r.last_note or "", 50)] if notes else []))
    return table


STYLE = {"title": "bold", "heading": "bold", "unit": "bold cyan", "muted": "grey62",
         **{s.value: RICH_COLOUR[s.colour] for s in Shown}}


def status_width(console: Console) -> int:
    """The width the compact status is laid out for: the terminal's, within 64..110 columns."""
    return max(64, min(console.width, 110))


def print_status(console: Console, report, by_area: bool = False, codes: bool = False) -> None:
    """The compact status (see :mod:`dondoc.usecases.status_view`), coloured."""
    for line in compact_lines(report, width=status_width(console), codes=codes, by_area=by_area):
        style = STYLE.get(line.style or "", "")
        console.print(Text(line.text, style=style), no_wrap=True, overflow="ellipsis")


def fenced_lines(markdown: str) -> list[str] | None:
    """The lines of the first ``text`` block of a markdown artifact (the compact status of a Prefect run)."""
    lines = markdown.splitlines()
    if "```text" not in lines:
        return None
    start = lines.index("```text") + 1
    end = next((i for i in range(start, len(lines)) if lines[i] == "```"), len(lines))
    return lines[start:end]


def print_lines(console: Console, lines: list[str]) -> None:
    """Plain lines, each whole (cut with "…" rather than wrapped)."""
    for line in lines:
        console.print(Text(line), no_wrap=True, overflow="ellipsis")


def print_full_status(console: Console, report, by_area: bool = False, codes: bool = False) -> None:
    """Every due date in tables, per office (or area), then the continuous, unset and awaiting items."""
    console.print(f"[bold]Tình hình thực hiện tính đến ngày {vn_date(report.as_of)}[/]")
    if not report.rows:
        console.print("Không có mục nào phù hợp.")
        return
    console.print(_totals_table(report.totals, "Tổng hợp (số mốc)"))
    single = len({r.plan for r in report.rows}) == 1
    groups = report.by_area if by_area else report.by_office
    dated = {Shown.OVERDUE, Shown.DUE_SOON, Shown.ON_TRACK, Shown.DONE_LATE, Shown.DONE_ON_TIME}
    for group in groups:
        rows = [r for r in group.rows if r.shown in dated]
        t = group.totals
        heading = (
            f"{group.name}: {t['qua_han']} quá hạn, {t['sap_den_han']} sắp đến hạn, "
            f"{t['trong_han']} trong hạn, {t['hoan_thanh_dung_han'] + t['hoan_thanh_tre_han']} hoàn thành, "
            f"{t['thuong_xuyen']} thường xuyên, {t['cho']} chờ"
            + (f", {t['chua_xac_dinh']} chưa xác định thời hạn" if t["chua_xac_dinh"] else "")
        )
        if rows:
            console.print(_rows_table(heading, rows, single, codes))
        else:
            console.print(f"[bold]{heading}[/]")
    if report.continuous:
        table = Table(title="Nhiệm vụ thường xuyên: tiến độ gần nhất", title_justify="left")
        for col in ("Mục", "Nội dung", "Chủ trì", "Ghi chú gần nhất", "Ngày"):
            table.add_column(col)
        for r in report.continuous:
            table.add_row(
                _item_label(r, single, codes), short(r.content, 50), short(", ".join(r.lead), 40),
                short(r.last_note or "(chưa có)", 50), vn_date(r.last_update),
            )
        console.print(table)
    if report.unset:
        table = Table(title="Chưa xác định thời hạn (dondoc review)", title_justify="left")
        for col in ("Mục", "Nội dung", "Thời hạn ghi"):
            table.add_column(col)
        for r in report.unset:
            table.add_row(_item_label(r, single, codes), short(r.content, 50), short(r.deadline_text, 50))
        console.print(table)
    if report.awaiting:
        table = Table(title="Đang chờ sự kiện (chưa có hạn)", title_justify="left")
        for col in ("Mục", "Nội dung", "Chờ", "Chủ trì"):
            table.add_column(col)
        for r in report.awaiting:
            table.add_row(
                _item_label(r, single, codes), short(r.content, 50), short(r.event or r.deadline_text, 50),
                short(", ".join(r.lead), 40),
            )
        console.print(table)


def print_review(console: Console, rows) -> None:
    """One block per item, readable at 80 columns: its number and text, the deadline as written, what is
    wrong with it, and the command that sets it."""
    if not rows:
        console.print("Không có thời hạn nào cần xem lại.")
        return
    plans_of_unit: dict[str, set[str]] = {}
    for row in rows:
        plans_of_unit.setdefault(row.unit, set()).add(row.plan)
    console.print(f"[bold]{len(rows)} mục chưa xác định được thời hạn[/] (chưa có hạn, chưa được nhắc) — "
                  "đặt thời hạn cho từng mục bằng lệnh ghi bên dưới, thay «Quý II/2026» bằng thời hạn đúng:")
    for row in rows:
        # the unit tells the item apart; the plan only when one unit has several plans to review
        where = f' --unit "{row.unit}"' if row.unit else ""
        if len(plans_of_unit.get(row.unit, ())) > 1:
            where += f" --plan {row.plan}"
        console.print(f"\n[bold]Mục {row.number}[/]: {short(row.content, 140)}", highlight=False)
        console.print(f"  Thời hạn ghi: «{short(row.deadline_text, 200)}»", highlight=False)
        if row.problems:
            grid = Table.grid(padding=(0, 1))  # a hanging indent: a long problem stays beside its bullet
            grid.add_column(width=3, justify="right")
            grid.add_column(overflow="fold")
            for problem in row.problems[:3]:
                grid.add_row(Text("•", style="yellow"), Text(problem))
            console.print(grid)
        console.print(f'  [cyan]dondoc set-deadline {row.number} "Quý II/2026"{where}[/]', highlight=False)


def print_settings(console: Console, rows, current) -> None:
    table = Table("Biến môi trường", "Kiểu", "Mặc định", "Giá trị hiện tại", "Ý nghĩa", title="Thiết lập")
    for env, kind, default, help_ in rows:
        value = getattr(current, env.removeprefix("DONDOC_").lower())
        shown = safe_url(str(value)) if value is not None else ""
        table.add_row(env, kind, default, shown, help_)
    console.print(table)
