"""``dondoc import``, ``deadline``, ``review``, ``set-deadline``, ``demo-data``, ``settings``, ``migrate-db``."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

import dondoc.cli.render as render
from dondoc.cli.base import app, console, dondoc, fail, guarded, parse_day, parse_years, resync, settings, today
from dondoc.settings import settings_table


@app.command("import")
@guarded
def import_command(
    file: Annotated[Path, typer.Argument(help="Tệp kế hoạch: .txt, .docx hoặc .xlsx")],
    unit: Annotated[Optional[str], typer.Option(help='Đơn vị ban hành, ví dụ "Xã Ngọc Liên"')] = None,
    title: Annotated[Optional[str], typer.Option(help="Tên kế hoạch, khi tệp không ghi")] = None,
    period: Annotated[Optional[str], typer.Option(help="Giai đoạn, ví dụ 2026-2030")] = None,
    level: Annotated[Optional[str], typer.Option(help="commune | ward | province (mặc định: theo tên đơn vị)")] = None,
    create_offices: Annotated[bool, typer.Option(help="Tạo cơ quan mới cho tên không khớp (thay vì chờ xác định)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
):
    """Nhập (hoặc nhập lại) phụ lục của một kế hoạch."""
    if not file.is_file():
        fail(f"Không tìm thấy tệp {file} (file not found).")
    years = parse_years(period) if period else None
    application = dondoc()
    with render.progress(console, f"Nhập {file.name}", enabled=not as_json) as advance:
        report = application.import_file(file, unit_name=unit, level=level, title=title, period=years,
                                         create_offices=create_offices, progress=advance)
    if as_json:
        console.print_json(json.dumps(render.import_report_json(report), ensure_ascii=False))
    else:
        render.print_import_report(console, report)


@app.command("map-office")
@guarded
def map_office(
    name: Annotated[str, typer.Argument(help="Tên cơ quan như ghi trong kế hoạch")],
    to: Annotated[Optional[str], typer.Option("--to", help="Cơ quan của đơn vị mà tên này chỉ")] = None,
    new: Annotated[bool, typer.Option("--new", help="Tạo cơ quan mới mang tên này")] = False,
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị")] = None,
):
    """Cho biết một tên cơ quan chưa khớp chỉ cơ quan nào (ghi nhớ làm tên gọi khác) hoặc tạo cơ quan mới;
    các mục đang chờ nhận cơ quan ngay."""
    if new == (to is not None):
        fail("Ghi đúng một trong hai: --to \"<cơ quan>\" hoặc --new.")
    waiting = dondoc().map_office(name, to=to, unit=unit)
    console.print(f"Đã ghi nhận «{name}» → {to or 'cơ quan mới'}."
                  + (f" Còn {waiting} mục có tên cơ quan chưa khớp (dondoc import in lại danh sách)." if waiting
                     else " Mọi mục đã có cơ quan."), highlight=False)


@app.command(context_settings={"ignore_unknown_options": True})
def deadline(
    text: Annotated[str, typer.Argument(help='Thời hạn như ghi trong kế hoạch, ví dụ "Quý II hàng năm"')],
    from_: Annotated[Optional[str], typer.Option("--from", help="Từ ngày (YYYY-MM-DD)")] = None,
    to: Annotated[Optional[str], typer.Option(help="Đến ngày (YYYY-MM-DD)")] = None,
    plan_years: Annotated[Optional[str], typer.Option(help="Giai đoạn của kế hoạch, ví dụ 2026-2030")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
):
    """Cho biết một thời hạn được hiểu thế nào: các mốc và ngày đến hạn."""
    from calendars.deadlines import milestone_due_dates, parse_deadline

    application = dondoc(migrate=False)  # reads a text: no database
    start = parse_day(from_, "--from") or date(application.today().year, 1, 1)
    end = parse_day(to, "--to") or date(start.year + 1, 12, 31)
    if end < start:
        fail("--to phải sau --from (the window ends before it starts).")
    years = parse_years(plan_years, "--plan-years") if plan_years else (None, None)
    parsed = parse_deadline(text, plan_start_year=years[0], plan_end_year=years[1])
    calendar = application.calendar_for(start.year, end.year + 1)
    milestones = []
    for m, dues in milestone_due_dates(parsed, start, end):
        milestones.append(
            {
                "label": m.label,
                "kind": str(m.kind),
                "start": m.start.isoformat() if m.start else None,
                "due": [d.isoformat() for d in dues],
                "effective_due": [calendar.effective_due(d).isoformat() for d in dues],
                "rrule": m.rrule,
                "event": m.event,
            }
        )
    result = {"text": text, "needs_review": parsed.needs_review, "problems": list(parsed.problems), "milestones": milestones}
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        render.print_deadline(console, result)


@app.command()
@guarded
def review(
    plan: Annotated[Optional[str], typer.Option(help="Mã kế hoạch")] = None,
):
    """Liệt kê các mục có thời hạn chưa đọc được, cần đặt ý nghĩa bằng tay."""
    render.print_review(console, dondoc().review_items(plan))


@app.command("set-deadline")
@guarded
def set_deadline(
    item: Annotated[str, typer.Argument(help="Mục cần đặt lại ý nghĩa thời hạn")],
    meaning: Annotated[Optional[str], typer.Argument(help='Thời hạn hiểu được, vd "Quý II/2026"; bỏ trống với --clear')] = None,
    clear: Annotated[bool, typer.Option(help="Bỏ ý nghĩa đặt tay, đọc lại ô gốc")] = False,
    plan: Annotated[Optional[str], typer.Option(help="Mã kế hoạch")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị")] = None,
):
    """Đặt ý nghĩa cho thời hạn của một mục (khi hệ thống không đọc được hoặc cần đọc khác)."""
    if not clear and not meaning:
        fail("Cần ghi thời hạn mới hoặc dùng --clear.")
    result = dondoc().set_deadline(item, None if clear else meaning, plan=plan, unit=unit)
    meanings = ", ".join(f"{m.label + ': ' if m.label else ''}{render.KIND_LABELS.get(m.kind, m.kind)}"
                         for m in result.milestones)
    console.print(f"Mục {item}: {meanings or 'chưa xác định thời hạn (dondoc review)'}", highlight=False)
    resync(item, plan, unit)


@app.command("demo-data")
@guarded
def demo_data(
    communes: Annotated[int, typer.Option(min=1, max=2000, help="Số xã")] = 10,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)")] = 2026,
    as_of: Annotated[Optional[str], typer.Option(help="Ngày làm mốc cho trạng thái giả lập")] = None,
    province: Annotated[str, typer.Option(help="Tên tỉnh")] = "Tỉnh Thanh Hóa",
):
    """Tạo dữ liệu mẫu nhiều xã từ hai phụ lục thật (dùng cho đo hiệu năng và thử nghiệm)."""
    day = parse_day(as_of, "--as-of") or today()
    with render.progress(console, f"Tạo dữ liệu {communes} xã") as advance:
        summary = dondoc().build_demo(communes=communes, seed=seed, as_of=day, province=province, progress=advance)
    console.print(
        f"Đã tạo {summary.units} xã, {summary.plans} kế hoạch, {summary.items} mục, "
        f"{summary.updates} cập nhật trạng thái (tính đến {day:%d/%m/%Y})."
    )


@app.command("settings")
def settings_command():
    """Các thiết lập (biến môi trường DONDOC_*), giá trị mặc định và ý nghĩa."""
    render.print_settings(console, settings_table(), settings())


@app.command()
def migrate_db():
    """Tạo hoặc nâng cấp cơ sở dữ liệu lên lược đồ mới nhất."""
    console.print(f"Cơ sở dữ liệu sẵn sàng: {render.safe_url(dondoc().settings.resolved_database_url)}")
