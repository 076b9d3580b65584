"""The unit's report as an official Word document: an opening sentence, the four sections prefilled
from the data and easy to edit ("I. Kết quả đạt được", "II. Tồn tại, hạn chế và nguyên nhân",
"III. Nhiệm vụ trọng tâm kỳ tới", "IV. Đề xuất, kiến nghị"), each a few sentences naming items
as "Mục 37" followed by its tables, then the closing sentence and the closing blocks.

The layout pieces (header, headings, tables, closing blocks) are docx_report's, shared with the
province report (province_docx).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dondoc.domain.status import Shown
from dondoc.reports.chart import chart_data, render_chart
from dondoc.reports.content import ReportContent
from dondoc.reports.docx_report import (
    CHART_LIMIT, ON_BEHALF, SECTIONS, _d, _item, _short, _table, body, bullets, chart_caption,
    closing_sentence, default_subject, extensions_block, finish, heading, issuer_lines, new_document, organ_phrase,
    overdue_table, overview_sentence, overview_table, period_line, picture, recipients_for, subheading,
    totals_table,
)


def _due(row) -> date | None:
    return row.extended_due or row.effective_due


def _plans_phrase(content: ReportContent) -> str:
    titles = sorted({r.plan_title for r in content.rows if r.plan_title})
    if not titles:
        return "kế hoạch cải cách hành chính"
    if len(titles) == 1:
        return titles[0][:1].lower() + titles[0][1:]
    return f"{len(titles)} kế hoạch cải cách hành chính"


def opening(content: ReportContent, unit: str, level: str | None = None) -> str:
    return (f"Thực hiện {_plans_phrase(content)}, {organ_phrase(unit, level)} báo cáo kết quả thực hiện "
            f"{content.period.title} như sau:")


def section_results(doc, content: ReportContent, *, chart: bool) -> None:
    """I. Kết quả đạt được: the counts in words, examples of items done and of continuous work, then the tables."""
    t = content.totals
    heading(doc, SECTIONS[0])
    body(doc, overview_sentence(content)[:-1]
         + (f"; {t[Shown.ON_TRACK.value] + t[Shown.DUE_SOON.value]} nhiệm vụ đang thực hiện trong hạn"
            f"; {t[Shown.CONTINUOUS.value]} nhiệm vụ thực hiện thường xuyên"
            f"; {t[Shown.AWAITING.value]} nhiệm vụ chờ văn bản, sự kiện để triển khai."))
    if content.done:
        body(doc, "Một số nhiệm vụ đã hoàn thành trong kỳ:", keep_with_next=True)
        bullets(doc, [f"{_item(content, d.row, d.row.content.rstrip('.'), d.row.label)} "
                      f"({_short(d.row.shown).lower()}{', ngày ' + _d(d.done_on) if d.done_on else ''}"
                      f"{'; sản phẩm: ' + d.row.product if d.row.product else ''})."
                      for d in content.done], where="(chi tiết tại mục 4 dưới đây)")
    else:
        body(doc, "Trong kỳ chưa có nhiệm vụ hoàn thành.")
    progress = [r for r in content.continuous if r.last_note]
    if progress:
        body(doc, "Các nhiệm vụ thường xuyên được duy trì; một số kết quả do cơ quan chủ trì báo cáo:",
             keep_with_next=True)
        bullets(doc, [f"{content.item_label(r)} ({', '.join(r.lead)}): {r.last_note.rstrip('.')}." for r in progress],
                where="(chi tiết tại mục 5 dưới đây)")

    subheading(doc, "1. Tổng hợp theo trạng thái")
    overview_table(doc, content)
    subheading(doc, "2. Theo lĩnh vực")
    totals_table(doc, "Lĩnh vực", content.by_area)
    subheading(doc, "3. Theo cơ quan chủ trì")
    totals_table(doc, "Cơ quan chủ trì", content.by_office)
    if chart and content.by_office:
        data = chart_data(content.by_office, limit=CHART_LIMIT)
        picture(doc, render_chart(data), chart_caption(1, "theo cơ quan chủ trì", content, data))
    subheading(doc, "4. Nhiệm vụ đã hoàn thành")
    if content.done:
        _table(doc, ["STT", "Nhiệm vụ", "Hạn", "Ngày hoàn thành", "Sản phẩm", "Kết quả"],
               [[i, _item(content, d.row, d.row.content, d.row.label), _d(_due(d.row)), _d(d.done_on),
                 d.row.product or "", _short(d.row.shown)] for i, d in enumerate(content.done, 1)], size=10,
               widths_mm=[10, 69, 20, 22, 26, 18])
    else:
        body(doc, "Trong kỳ chưa có nhiệm vụ hoàn thành.")
    subheading(doc, "5. Nhiệm vụ thường xuyên")
    if content.continuous:
        reported = [r for r in content.continuous if r.last_note]
        body(doc, f"Có {len(content.continuous)} nhiệm vụ thực hiện thường xuyên"
                  + (f"; {len(reported)} nhiệm vụ đã có báo cáo tiến độ:" if reported
                     else "; các cơ quan chủ trì chưa báo cáo tiến độ trong kỳ.")
                  + "", keep_with_next=bool(reported))
        if reported:
            _table(doc, ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Tiến độ gần nhất", "Ngày cập nhật"],
                   [[i, _item(content, r, r.content), ", ".join(r.lead), r.last_note, _d(r.last_update)]
                    for i, r in enumerate(reported, 1)], size=10, widths_mm=[10, 62, 34, 37, 22])
        body(doc, "Danh sách đầy đủ các nhiệm vụ và tình hình thực hiện từng nhiệm vụ tại Phụ lục kèm theo.")
    else:
        body(doc, "Không có nhiệm vụ thường xuyên.")
    subheading(doc, "6. Thay đổi so với kỳ trước")
    if content.previous is None:
        body(doc, "Không so sánh với kỳ trước.")
    elif content.changes:
        body(doc, f"So với kỳ báo cáo {content.previous.title} (chốt số liệu ngày {_d(content.previous.cutoff)}), "
                  f"{len(content.changes)} nhiệm vụ thay đổi trạng thái:", keep_with_next=True)
        _table(doc, ["STT", "Nhiệm vụ", "Kỳ trước", "Kỳ này"],
               [[i, _item(content, c, c.content, c.label),
                 _short(c.before) if c.before else "(chưa theo dõi)", _short(c.after) if c.after else "(không còn theo dõi)"]
                for i, c in enumerate(content.changes, 1)], size=10, widths_mm=[10, 105, 25, 25])
    else:
        body(doc, f"Không có thay đổi so với kỳ báo cáo {content.previous.title}.")


def section_problems(doc, content: ReportContent) -> None:
    """II. Tồn tại, hạn chế và nguyên nhân: the overdue items with the reasons their offices gave,
    the difficulties reported on items not yet overdue, then the overdue table and the extensions."""
    heading(doc, SECTIONS[1])
    overdue = content.overdue
    if overdue:
        body(doc, f"Còn {len(overdue)} nhiệm vụ quá hạn chưa hoàn thành:", keep_with_next=True)
        bullets(doc, [f"{content.item_label(r)} ({', '.join(r.lead)}): {r.content.rstrip('.')}; quá hạn "
                      f"{r.days_overdue} ngày; nguyên nhân: "
                      + (f"{r.last_note.rstrip('.')}." if r.last_note else "cơ quan chủ trì chưa báo cáo.")
                      for r in overdue], where="(chi tiết tại bảng dưới đây)")
        silent = sum(1 for r in overdue if not r.last_note)
        if silent:
            body(doc, f"Có {silent} nhiệm vụ quá hạn cơ quan chủ trì chưa báo cáo nguyên nhân; "
                      f"đề nghị các cơ quan báo cáo trước kỳ tới.")
    else:
        body(doc, "Trong kỳ không có nhiệm vụ quá hạn.")
    blocked = [r for r in content.blocked if r.shown is not Shown.OVERDUE]
    if blocked:
        body(doc, "Các cơ quan báo cáo vướng mắc ở những nhiệm vụ còn trong hạn:", keep_with_next=True)
        bullets(doc, [f"{content.item_label(r)} ({', '.join(r.lead)}): {(r.last_note or '').rstrip('.')}."
                      for r in blocked])
    if overdue:
        overdue_table(doc, content, overdue)
    extensions_block(doc, content)


def section_next(doc, content: ReportContent) -> None:
    """III. Nhiệm vụ trọng tâm kỳ tới: the items falling due by the next period's cut-off."""
    heading(doc, SECTIONS[2])
    nxt = content.next_period
    due = content.due_next
    if nxt is None:
        body(doc, "Tiếp tục thực hiện các nhiệm vụ theo kế hoạch.")
    elif due:
        body(doc, f"Kỳ báo cáo {nxt.title} (đến ngày {_d(nxt.cutoff)}) có {len(due)} nhiệm vụ đến hạn; "
                  f"các cơ quan chủ trì tập trung thực hiện bảo đảm đúng thời hạn:", keep_with_next=True)
        _table(doc, ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Hạn"],
               [[i, _item(content, r, r.content, r.label), ", ".join(r.lead), _d(_due(r))]
                for i, r in enumerate(due, 1)], size=10, widths_mm=[10, 100, 35, 20])
    else:
        body(doc, f"Kỳ báo cáo {nxt.title} (đến ngày {_d(nxt.cutoff)}) không có nhiệm vụ đến hạn.")
    extra = []
    if content.overdue:
        extra.append(f"khẩn trương hoàn thành {len(content.overdue)} nhiệm vụ quá hạn nêu tại Mục II")
    if content.continuous:
        extra.append(f"duy trì {len(content.continuous)} nhiệm vụ thường xuyên")
    if extra:
        body(doc, "Đồng thời " + "; ".join(extra) + ".")


def section_proposals(doc, content: ReportContent) -> None:
    """IV. Đề xuất, kiến nghị: items waiting for a higher level's document or an event, unset deadlines."""
    heading(doc, SECTIONS[3])
    awaiting, unset = content.awaiting, content.unset
    if awaiting:
        body(doc, f"Có {len(awaiting)} nhiệm vụ chưa thể triển khai do chờ văn bản, sự kiện (chủ yếu là văn bản, "
                  f"hướng dẫn của cấp trên); đề nghị cấp có thẩm quyền sớm ban hành để địa phương triển khai:",
             keep_with_next=True)
        _table(doc, ["STT", "Nhiệm vụ", "Chờ văn bản, sự kiện"],
               [[i, _item(content, r, r.content), r.event or r.deadline_text] for i, r in enumerate(awaiting, 1)],
               size=10, widths_mm=[10, 100, 55])
    if unset:
        body(doc, f"Có {len(unset)} nhiệm vụ chưa xác định được thời hạn; đề nghị cơ quan thường trực "
                  f"xác định thời hạn để theo dõi, đôn đốc:", keep_with_next=True)
        _table(doc, ["STT", "Nhiệm vụ", "Thời hạn ghi trong kế hoạch"],
               [[i, _item(content, r, r.content), r.deadline_text] for i, r in enumerate(unset, 1)], size=10,
               widths_mm=[10, 100, 55])
    if content.blocked:
        body(doc, "Đề nghị các cơ quan cấp trên quan tâm hướng dẫn, tháo gỡ các vướng mắc nêu tại Mục II.")
    if not (awaiting or unset or content.blocked):
        body(doc, "Không có.")


def write_docx(
    content: ReportContent,
    path: str | Path,
    *,
    unit: str = "Xã Ngọc Liên",
    level: str = "commune",
    issuer: str | None = None,
    place: str = "Ngọc Liên",
    signed_on: date,
    number: str = "…/BC-UBND",
    signer_title: str = "CHỦ TỊCH",
    signer_on_behalf: str = ON_BEHALF,
    signer_name: str | None = None,
    recipients: list[str] | tuple[str, ...] | None = None,
    subject: str | None = None,
    chart: bool = True,
) -> Path:
    """The unit's report: an opening sentence, the four sections (prefilled from the data, easy to edit),
    the closing sentence and the closing blocks; ``chart``: the status-by-office chart (Hình 1)."""
    doc = new_document(issuer=issuer or issuer_lines(unit), place=place, signed_on=signed_on, number=number,
                       subject=subject or default_subject(content), period_line=period_line(content))
    body(doc, opening(content, unit, level))
    section_results(doc, content, chart=chart)
    section_problems(doc, content)
    section_next(doc, content)
    section_proposals(doc, content)
    return finish(doc, Path(path), recipients=recipients or recipients_for(level), signer_title=signer_title,
                  signer_on_behalf=signer_on_behalf, signer_name=signer_name,
                  closing=closing_sentence(content, unit, level))
