"""A Markdown summary of the report (Vietnamese), e.g. for a Prefect artifact or a chat message."""

from __future__ import annotations

from dondoc.reports.content import ReportContent, format_rate
from dondoc.reports.docx_report import _short, status_order


def _d(day) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(content: ReportContent, *, unit: str | None = None, limit: int = 20, units=None) -> str:
    """``units``: a province report's UnitSummary list, shown as a table after the overview."""
    p = content.period
    t = content.totals
    lines = [
        f"# Báo cáo kết quả thực hiện kế hoạch CCHC {p.title}" + (f" — {unit}" if unit else ""),
        "",
        f"Số liệu từ {_d(p.start)} đến {_d(p.cutoff)}.",
        "",
        "## Tổng quan",
        "",
        "| Trạng thái | Số nhiệm vụ |",
        "| --- | ---: |",
        *(f"| {_short(s)} | {t[s.value]} |" for s in status_order(t)),
        f"| **Tổng số** | **{content.total}** |",
        "",
        f"Tỷ lệ hoàn thành đúng hạn: **{format_rate(content.on_time_rate)}** ({t['hoan_thanh_dung_han']}/{content.done_count}).",
        "",
    ]
    for d in content.deadlines:
        lines.append(f"- Hạn gửi ({d.label}): {_d(d.due)}")
    for problem in content.deadline_problems:
        lines.append(f"- ⚠ {problem}")
    if content.deadlines:
        lines.append("")

    if units is not None:
        lines.extend([f"## Theo đơn vị ({len(units)})", "",
                      "| Đơn vị | Tổng | Hoàn thành đúng hạn | Hoàn thành trễ hạn | Quá hạn | Tỷ lệ đúng hạn |",
                      "| --- | ---: | ---: | ---: | ---: | ---: |"])
        for u in units:
            ut = u.totals
            lines.append(f"| {_cell(u.name)} | {u.total} | {ut['hoan_thanh_dung_han']} | {ut['hoan_thanh_tre_han']} | "
                         f"{ut['qua_han']} | {format_rate(u.on_time_rate)} |")
        lines.append(f"| **Tổng cộng** | **{content.total}** | **{t['hoan_thanh_dung_han']}** | "
                     f"**{t['hoan_thanh_tre_han']}** | **{t['qua_han']}** | **{format_rate(content.on_time_rate)}** |")
        lines.append("")

    def label(row) -> str:
        """"Mục 37" (with the milestone when the row has one), never the plan code."""
        text = content.item_label(row)
        return f"{text} ({_cell(row.label)})" if getattr(row, "label", None) else text

    def who(row) -> str:
        return f"{_cell(row.unit)}: " if units is not None else ""

    def listing(title, rows, fmt):
        lines.extend([f"## {title} ({len(rows)})", ""])
        if not rows:
            lines.extend(["Không có.", ""])
            return
        for r in rows[:limit]:
            lines.append(f"- {fmt(r)}")
        if len(rows) > limit:
            lines.append(f"- … và {len(rows) - limit} nhiệm vụ khác (xem phụ lục .xlsx)")
        lines.append("")

    lines.extend(["## Theo cơ quan", "", "| Cơ quan | Tổng | Quá hạn | Hoàn thành |", "| --- | ---: | ---: | ---: |"])
    for g in content.by_office:
        done = g.totals["hoan_thanh_dung_han"] + g.totals["hoan_thanh_tre_han"]
        lines.append(f"| {_cell(g.name)} | {g.count} | {g.totals['qua_han']} | {done} |")
    lines.append("")
    listing("Quá hạn", content.overdue,
            lambda r: f"{who(r)}**{label(r)}** {_cell(r.content)} — {', '.join(r.lead)}; quá hạn {r.days_overdue} ngày"
            + (f"; lý do: {_cell(r.last_note)}" if r.last_note else ""))
    listing("Đã hoàn thành", content.done,
            lambda d: f"{who(d.row)}**{label(d.row)}** {_cell(d.row.content)} — {_short(d.row.shown).lower()} {_d(d.done_on)}"
            + (f"; sản phẩm: {_cell(d.row.product)}" if d.row.product else ""))
    listing("Gia hạn trong kỳ", content.extensions,
            lambda e: f"**{label(e)}** {_d(e.previous_due)} → {_d(e.new_due)} ({_cell(e.granted_by)})")
    listing("Thường xuyên", content.continuous,
            lambda r: f"{who(r)}**{label(r)}** {_cell(r.content)}" + (f" — {_cell(r.last_note)} ({_d(r.last_update)})" if r.last_note else ""))
    listing("Chờ sự kiện", content.awaiting, lambda r: f"{who(r)}**{label(r)}** {_cell(r.content)} — chờ: {_cell(r.event)}")
    listing("Chưa xác định thời hạn", content.unset,
            lambda r: f"{who(r)}**{label(r)}** {_cell(r.content)} — thời hạn ghi: {_cell(r.deadline_text)}")
    listing("Thay đổi so với kỳ trước", content.changes,
            lambda c: f"**{label(c)}** {_short(c.before) if c.before else '(mới)'} → {_short(c.after) if c.after else '(bỏ)'}")
    return "\n".join(lines).rstrip() + "\n"
