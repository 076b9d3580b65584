"""The ``dondoc`` command: a thin shell over the core.

Commands parse options, call the core, and turn its exceptions into a clear
message and an exit code (2 for bad input, 1 for other failures).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from dondoc import render
from dondoc.configuration import ConfigError, load_config
from dondoc.db import get_engine, migrate
from dondoc.importer import ImportFormatError, parse_plan_file
from dondoc.plans import LookupFailed, UnknownOffices, find_offices, find_plan, find_unit, import_plan
from dondoc.settings import get_settings, settings_table
from dondoc.updates import InvalidUpdate, extend, record_update, set_deadline_meaning, trigger_event

app = typer.Typer(
    help="Đôn Đốc: theo dõi, nhắc việc và báo cáo thực hiện kế hoạch (plan tracking, reminders, reports).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

BAD_INPUT = 2


def today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    fail(f"{option}: «{value}» không phải ngày hợp lệ, dùng YYYY-MM-DD hoặc DD/MM/YYYY (invalid date).")


def fail(message: str, code: int = BAD_INPUT):
    err.print(f"[bold red]Lỗi:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def ready_engine():
    """The configured database, migrated to the current schema."""
    engine = get_engine()
    migrate(engine)
    return engine


def guarded(fn):
    """Turn the core's input errors into exit code 2 with their message."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ImportFormatError, UnknownOffices, LookupFailed, InvalidUpdate, ConfigError) as exc:
            fail(str(exc))

    return wrapper


@app.command("import")
@guarded
def import_command(
    file: Annotated[Path, typer.Argument(help="Tệp kế hoạch: .txt, .docx hoặc .xlsx")],
    unit: Annotated[Optional[str], typer.Option(help='Đơn vị ban hành, ví dụ "Xã Ngọc Liên"')] = None,
    title: Annotated[Optional[str], typer.Option(help="Tên kế hoạch, khi tệp không ghi")] = None,
    period: Annotated[Optional[str], typer.Option(help="Giai đoạn, ví dụ 2026-2030")] = None,
    level: Annotated[Optional[str], typer.Option(help="commune | province")] = None,
    create_offices: Annotated[bool, typer.Option(help="Tạo cơ quan mới cho tên không khớp (thay vì báo lỗi)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
):
    """Nhập (hoặc nhập lại) phụ lục của một kế hoạch."""
    settings, config = get_settings(), load_config()
    if not file.is_file():
        fail(f"Không tìm thấy tệp {file} (file not found).")
    parsed = parse_plan_file(file)
    unit_name = unit or parsed.unit_name
    if not unit_name:
        fail(f"Tệp {file.name} không ghi đơn vị ban hành; hãy chỉ rõ bằng --unit (unit required).")
    years = _parse_period(period) if period else None
    engine = ready_engine()
    with render.progress(console, f"Nhập {file.name}", len(parsed.items), enabled=not as_json) as advance:
        report = import_plan(
            engine,
            parsed,
            unit_name=unit_name,
            config=config,
            settings=settings,
            level=level,
            title=title,
            period=years,
            create_offices=create_offices,
            source_bytes=file.read_bytes(),
            progress=advance,
        )
    if as_json:
        console.print_json(json.dumps(render.import_report_json(report), ensure_ascii=False))
    else:
        render.print_import_report(console, report)


def _resync(engine, ref: str, plan: str | None = None, unit: str | None = None) -> None:
    from dondoc.cli_ops import resync_after_change

    resync_after_change(engine, ref, plan, unit)


def _parse_period(text: str) -> tuple[int, int]:
    parts = [p.strip() for p in text.replace("–", "-").split("-") if p.strip()]
    try:
        years = [int(p) for p in parts]
    except ValueError:
        years = []
    if len(years) == 1:
        years = years * 2
    if len(years) != 2 or not (1990 <= years[0] <= years[1] <= 2100):
        fail(f"--period: «{text}» không hợp lệ, ví dụ 2026-2030 (invalid period).")
    return years[0], years[1]


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
    from dondoc.schedule import work_calendar

    start = parse_day(from_, "--from") or date(today().year, 1, 1)
    end = parse_day(to, "--to") or date(start.year + 1, 12, 31)
    if end < start:
        fail("--to phải sau --from (the window ends before it starts).")
    years = _parse_period(plan_years) if plan_years else (None, None)
    parsed = parse_deadline(text, plan_start_year=years[0], plan_end_year=years[1])
    calendar = work_calendar(load_config(), get_settings(), min(start.year, 2000), max(end.year, 2040) + 1)
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
def update(
    item: Annotated[str, typer.Argument(help='Số thứ tự mục (vd "15") hoặc "<mã kế hoạch>#15"')],
    status: Annotated[str, typer.Option(help="hoan_thanh | dang_thuc_hien | vuong_mac | chua_thuc_hien")],
    note: Annotated[Optional[str], typer.Option(help="Ghi chú tiến độ / lý do vướng mắc")] = None,
    product: Annotated[Optional[str], typer.Option(help='Sản phẩm, vd "Kế hoạch số 12/KH-UBND"')] = None,
    evidence: Annotated[Optional[str], typer.Option(help="Minh chứng (đường dẫn, số văn bản)")] = None,
    on: Annotated[Optional[str], typer.Option("--date", help="Ngày của trạng thái (mặc định hôm nay)")] = None,
    by: Annotated[Optional[str], typer.Option(help="Người báo cáo")] = None,
    milestone: Annotated[Optional[str], typer.Option(help="Mốc (nhãn hoặc số thứ tự) khi mục có nhiều mốc")] = None,
    due: Annotated[Optional[str], typer.Option(help="Hạn cụ thể được cập nhật (YYYY-MM-DD)")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Mã kế hoạch khi có nhiều kế hoạch")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị")] = None,
):
    """Ghi nhận trạng thái một mục (lưu lịch sử, không ghi đè)."""
    engine = ready_engine()
    recorded = record_update(
        engine,
        item,
        status,
        on=parse_day(on, "--date") or today(),
        note=note,
        product=product,
        evidence=evidence,
        by=by,
        milestone=milestone,
        due=parse_day(due, "--due"),
        plan=plan,
        unit=unit,
    )
    when = f", hạn {recorded.due:%d/%m/%Y}" if recorded.due else ""
    console.print(f"Đã ghi nhận trạng thái cho mục {recorded.item} ({recorded.milestone}{when}).")
    _resync(engine, recorded.item)


@app.command("extend")
@guarded
def extend_command(
    item: Annotated[str, typer.Argument(help="Mục cần gia hạn")],
    to: Annotated[str, typer.Option(help="Hạn mới (YYYY-MM-DD)")],
    by: Annotated[str, typer.Option(help="Người cho gia hạn")],
    reason: Annotated[Optional[str], typer.Option(help="Lý do")] = None,
    milestone: Annotated[Optional[str], typer.Option(help="Mốc")] = None,
    due: Annotated[Optional[str], typer.Option(help="Hạn gốc được gia hạn (YYYY-MM-DD)")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Mã kế hoạch")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị")] = None,
):
    """Gia hạn một mục; hạn gốc vẫn được giữ."""
    engine = ready_engine()
    number, previous, new = extend(
        engine, item, parse_day(to, "--to"), by=by, reason=reason, milestone=milestone,
        due=parse_day(due, "--due"), on=today(), plan=plan, unit=unit,
    )
    console.print(f"Đã gia hạn mục {number}: từ {previous:%d/%m/%Y} đến {new:%d/%m/%Y} (hạn gốc được giữ).")
    _resync(engine, item, plan, unit)


@app.command()
@guarded
def ack(
    item: Annotated[str, typer.Argument(help="Mục quá hạn lãnh đạo đã nắm")],
    by: Annotated[str, typer.Option(help="Người xác nhận, vd \"Chủ tịch UBND xã\"")],
    note: Annotated[Optional[str], typer.Option(help="Ghi chú")] = None,
    on: Annotated[Optional[str], typer.Option("--date", help="Ngày xác nhận (mặc định hôm nay)")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Mã kế hoạch")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị")] = None,
):
    """Lãnh đạo xác nhận đã nắm một mục quá hạn ("đã nắm"): ngừng leo thang cho hạn đó."""
    from dondoc.chasing import acknowledge

    engine = ready_engine()
    dates = acknowledge(engine, item, by=by, on=parse_day(on, "--date") or today(), note=note, plan=plan, unit=unit)
    console.print(f"Đã ghi nhận: {by} đã nắm mục {item} (hạn {', '.join(f'{d:%d/%m/%Y}' for d in dates)}).")
    _resync(engine, item, plan, unit)


@app.command()
@guarded
def trigger(
    item: Annotated[str, typer.Argument(help="Mục đang chờ sự kiện")],
    due: Annotated[Optional[str], typer.Option(help="Hạn hoàn thành (YYYY-MM-DD)")] = None,
    days: Annotated[Optional[int], typer.Option(help="Hoặc: số ngày làm việc kể từ ngày phát sinh")] = None,
    on: Annotated[Optional[str], typer.Option("--date", help="Ngày phát sinh (văn bản đến), mặc định hôm nay")] = None,
    note: Annotated[Optional[str], typer.Option(help='Ghi chú, vd "Công văn 123/SNV ngày 02/3/2026"')] = None,
    milestone: Annotated[Optional[str], typer.Option(help="Mốc")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Mã kế hoạch")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị")] = None,
):
    """Ghi nhận sự kiện mà một mục đang chờ (vd đã có văn bản của Tỉnh) và hạn của nó."""
    from dondoc.schedule import work_calendar

    calendar = work_calendar(load_config(), get_settings())
    start = parse_day(on, "--date") or today()
    if (due is None) == (days is None):
        fail("Cần đúng một trong --due hoặc --days (give --due or --days).")
    due_date = parse_day(due, "--due") if due else calendar.add_working_days(start, days)
    engine = ready_engine()
    number, when = trigger_event(
        engine, item, on=start, due=due_date, note=note, milestone=milestone, plan=plan, unit=unit,
        calendar=calendar,
    )
    console.print(f"Mục {number}: đã ghi nhận sự kiện ngày {start:%d/%m/%Y}, hạn {when:%d/%m/%Y}.")
    _resync(engine, item, plan, unit)


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
    engine = ready_engine()
    result = set_deadline_meaning(
        engine, item, None if clear else meaning, config=load_config(), settings=get_settings(), plan=plan, unit=unit
    )
    if result.needs_review:
        fail("Thời hạn vẫn chưa đọc được: " + "; ".join(result.problems))
    console.print(f"Mục {item}: " + ", ".join(f"{m.label + ': ' if m.label else ''}{m.kind}" for m in result.milestones))
    _resync(engine, item, plan, unit)


@app.command()
@guarded
def status(
    as_of: Annotated[Optional[str], typer.Option(help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay")] = None,
    office: Annotated[Optional[str], typer.Option(help="Chỉ một cơ quan chủ trì")] = None,
    area: Annotated[Optional[str], typer.Option(help='Chỉ một lĩnh vực (mã "I" hoặc tên)')] = None,
    by_area: Annotated[bool, typer.Option("--by-area", help="Bảng theo lĩnh vực thay vì theo cơ quan")] = False,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ một đơn vị")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Chỉ một kế hoạch")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
    via_prefect: Annotated[bool, typer.Option("--via-prefect", help="Chạy qua deployment trên Prefect và chờ kết quả")] = False,
):
    """Tình hình thực hiện tính đến một ngày: tổng hợp, theo cơ quan, theo lĩnh vực."""
    from dondoc.db import read_session
    from dondoc.schedule import work_calendar
    from dondoc.statusrun import run_status

    settings = get_settings()
    day = parse_day(as_of, "--as-of") or today()
    if via_prefect:
        from dondoc.cli_ops import status_via_prefect

        return status_via_prefect(day if as_of else None, unit, office, as_json)
    engine = ready_engine()
    unit_ids = plan_ids = office_ids = None
    with read_session(engine) as session:
        if unit:
            unit_ids = [find_unit(session, unit).id]
        if plan:
            plan_ids = [find_plan(session, plan, unit).id]
        if office:
            office_ids = [o.id for o in find_offices(session, office, unit_ids[0] if unit_ids else None)]
    report = run_status(
        engine,
        day,
        work_calendar(load_config(), settings),
        due_soon_working_days=settings.due_soon_working_days,
        unit_ids=unit_ids,
        plan_ids=plan_ids,
        office_ids=office_ids,
        area=area,
    )
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
    else:
        render.print_status(console, report, by_area=by_area or bool(area))


@app.command()
@guarded
def review(
    plan: Annotated[Optional[str], typer.Option(help="Mã kế hoạch")] = None,
):
    """Liệt kê các mục có thời hạn chưa đọc được, cần đặt ý nghĩa bằng tay."""
    from sqlalchemy import select

    from dondoc.db import read_session
    from dondoc.models import Item, Plan

    with read_session(ready_engine()) as session:
        query = select(Item, Plan.code).join(Plan).where(Item.needs_review.is_(True), Item.removed_at.is_(None))
        if plan:
            query = query.where(Plan.id == find_plan(session, plan).id)
        rows = session.execute(query.order_by(Plan.id, Item.position)).all()
    render.print_review(console, rows)


@app.command("demo-data")
@guarded
def demo_data(
    communes: Annotated[int, typer.Option(min=1, max=2000, help="Số xã")] = 10,
    seed: Annotated[int, typer.Option(help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)")] = 2026,
    as_of: Annotated[Optional[str], typer.Option(help="Ngày làm mốc cho trạng thái giả lập")] = None,
    province: Annotated[str, typer.Option(help="Tên tỉnh")] = "Tỉnh Thanh Hóa",
):
    """Tạo dữ liệu mẫu nhiều xã từ hai phụ lục thật (dùng cho đo hiệu năng và thử nghiệm)."""
    from dondoc.demo import build_demo

    engine = ready_engine()
    day = parse_day(as_of, "--as-of") or today()
    with render.progress(console, f"Tạo dữ liệu {communes} xã", communes) as advance:
        summary = build_demo(
            engine, communes=communes, seed=seed, as_of=day, province=province,
            config=load_config(), settings=get_settings(), progress=advance,
        )
    console.print(
        f"Đã tạo {summary.units} xã, {summary.plans} kế hoạch, {summary.items} mục, "
        f"{summary.updates} cập nhật trạng thái (tính đến {day:%d/%m/%Y})."
    )


@app.command()
def settings():
    """Các thiết lập (biến môi trường DONDOC_*), giá trị mặc định và ý nghĩa."""
    render.print_settings(console, settings_table(), get_settings())


@app.command()
def migrate_db():
    """Tạo hoặc nâng cấp cơ sở dữ liệu lên lược đồ mới nhất."""
    ready_engine()
    console.print(f"Cơ sở dữ liệu sẵn sàng: {render.safe_url(get_settings().resolved_database_url)}")


@app.command()
def up(
    examples: Annotated[bool, typer.Option(help="Nhập các kế hoạch mẫu khi cơ sở dữ liệu còn trống")] = True,
    prefect: Annotated[bool, typer.Option(help="Khởi động Prefect: đồng bộ lịch các mục và chạy worker")] = True,
    once: Annotated[bool, typer.Option("--once", help="Chuẩn bị xong (máy chủ, đồng bộ, triển khai) rồi thoát, không phục vụ")] = False,
):
    """Chạy Đôn Đốc trên máy này: dữ liệu, máy chủ Prefect cục bộ, lịch nhắc của mọi mục, worker (Ctrl-C để dừng)."""
    from dondoc.embedded import run_up
    from dondoc.prefect_server import PrefectServerError

    try:
        code = run_up(console, import_examples=examples, orchestrate=prefect, serve=not once)
    except PrefectServerError as exc:
        fail(str(exc), 1)
    if code:
        raise typer.Exit(code)


# The notification and orchestration commands register on the same app.
from dondoc import cli_ops  # noqa: E402,F401
from dondoc import cli_web  # noqa: E402,F401
from dondoc import cli_calendar  # noqa: E402,F401


def main() -> None:  # pragma: no cover - console entry point
    app()
