"""``dondoc`` commands for the spreadsheet round trip, the secret links and the web pages.

They register on the app of :mod:`dondoc.cli`; the core lives in :mod:`dondoc.sheets`,
:mod:`dondoc.links` and :mod:`dondoc.web`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dondoc.cli import app, console, err, fail, guarded, parse_day, ready_engine, today
from dondoc.settings import get_settings

SECRET_WARNING = ("Các đường dẫn dưới đây là bí mật: ai có đường dẫn đều mở được trang. "
                  "Chỉ gửi cho đúng người; khi lộ, thay mới bằng --rotate.")


def _one_office(session, name: str, unit: str | None):
    from dondoc.plans import find_offices, find_unit

    unit_id = find_unit(session, unit).id if unit else None
    offices = find_offices(session, name, unit_id)
    if len(offices) > 1:
        names = "; ".join(f"{o.name} ({o.unit.name})" for o in offices)
        fail(f"«{name}» khớp với nhiều cơ quan, hãy ghi rõ hơn hoặc dùng --unit (ambiguous office): {names}")
    return offices[0]


@app.command("export-sheet")
@guarded
def export_sheet_command(
    office: Annotated[str, typer.Argument(help='Cơ quan chủ trì, vd "Phòng Kinh tế"')],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Tệp .xlsx sẽ ghi (mặc định: tên cơ quan)")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị, khi có nhiều đơn vị")] = None,
    as_of: Annotated[Optional[str], typer.Option(help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay")] = None,
):
    """Xuất bảng Excel các mục chưa hoàn thành của một cơ quan để điền trạng thái."""
    from dondoc.db import read_session
    from dondoc.plans import slugify
    from dondoc.sheets import export_sheet

    engine = ready_engine()
    day = parse_day(as_of, "--as-of") or today()
    with read_session(engine) as session:
        found = _one_office(session, office, unit)
        office_id, office_name = found.id, found.name
    path = output or Path(f"cap-nhat-{slugify(office_name)}-{day:%Y%m%d}.xlsx")
    if path.suffix.lower() != ".xlsx":
        fail(f"{path.name}: tệp xuất phải có đuôi .xlsx (output must be .xlsx).")
    count = export_sheet(engine, office_id, day, path)
    console.print(f"Đã xuất {count} dòng của {office_name} (tính đến {day:%d/%m/%Y}) vào {path}.")
    console.print("Điền các cột Trạng thái mới, Ghi chú, Sản phẩm, Ngày cập nhật rồi nhập lại: dondoc import-sheet TỆP")


@app.command("import-sheet")
@guarded
def import_sheet_command(
    file: Annotated[Path, typer.Argument(help="Bảng .xlsx đã điền (xuất bằng dondoc export-sheet)")],
    on: Annotated[Optional[str], typer.Option("--date", help="Ngày cho các dòng không ghi ngày (mặc định hôm nay)")] = None,
    by: Annotated[Optional[str], typer.Option(help="Người báo cáo (mặc định: cơ quan của bảng)")] = None,
):
    """Nhập bảng trạng thái đã điền: kiểm tra mọi dòng trước, ghi tất cả hoặc không ghi gì."""
    from dondoc.sheets import SheetError, import_sheet

    if not file.is_file():
        fail(f"Không tìm thấy tệp {file} (file not found).")
    engine = ready_engine()
    try:
        result = import_sheet(engine, file, on=parse_day(on, "--date") or today(), by=by)
    except SheetError as exc:
        fail(str(exc))
    console.print(f"Đã ghi nhận {len(result.recorded)} cập nhật từ {file.name}; "
                  f"{result.skipped} dòng để trống được bỏ qua.")
    from dondoc.cli_ops import resync_after_change

    for ref in dict.fromkeys(result.recorded):
        resync_after_change(engine, ref)


@app.command("links")
@guarded
def links_command(
    unit: Annotated[Optional[str], typer.Option(help="Chỉ một đơn vị")] = None,
    rotate: Annotated[Optional[str], typer.Option(
        help="Thay mới một đường dẫn: standing | leadership | leadership_feed | office | office_feed")] = None,
    office: Annotated[Optional[str], typer.Option(help="Cơ quan (với --rotate office hoặc office_feed)")] = None,
):
    """In các đường dẫn bí mật (trang cơ quan, lịch, lãnh đạo, cơ quan thường trực); --rotate để thay mới."""
    from sqlalchemy import select

    from dondoc import links
    from dondoc.db import unit_of_work
    from dondoc.models import Unit
    from dondoc.plans import find_unit
    from dondoc.web.standing import link_rows

    if rotate is not None and rotate not in links.KINDS:
        fail(f"--rotate: «{rotate}» không hợp lệ; dùng một trong: {', '.join(links.KINDS)} (invalid link kind).")
    if rotate in links.OFFICE_KINDS and not office:
        fail(f"--rotate {rotate} cần --office (which office).")
    if office and rotate not in links.OFFICE_KINDS:
        fail("--office chỉ dùng với --rotate office hoặc --rotate office_feed.")
    public_url = get_settings().public_url
    engine = ready_engine()
    with unit_of_work(engine) as session:
        units = [find_unit(session, unit)] if unit else list(session.scalars(select(Unit).order_by(Unit.name)))
        if not units:
            fail("Chưa có đơn vị nào; hãy nhập kế hoạch trước (dondoc import).")
        if rotate is not None:
            if len(units) > 1 and not office:
                fail("Có nhiều đơn vị, hãy chọn bằng --unit (several units).")
            office_id = None
            if office:
                found = _one_office(session, office, unit)
                office_id, unit_row = found.id, found.unit
            else:
                unit_row = units[0]
            new = links.rotate(session, rotate, unit_row.id, office_id, actor="cli")
            url = links.url_for(public_url, rotate, new.token)
            label = links.KIND_LABELS[rotate] + (f": {found.name}" if office_id else "")
            console.print(f"Đã thay mới {label} ({unit_row.name}); đường dẫn cũ không còn dùng được.")
            console.print(url, soft_wrap=True, highlight=False)
            err.print(f"[yellow]Lưu ý:[/] {SECRET_WARNING}")
            return
        err.print(f"[yellow]Lưu ý:[/] {SECRET_WARNING}")
        for the_unit in units:
            console.print(f"[bold]{the_unit.name}[/]")
            for row in link_rows(session, the_unit, public_url):
                label = row["label"] + (f": {row['office']}" if row["office"] else "")
                console.print(f"  {label}: {row['url']}", soft_wrap=True, highlight=False)


def _wait(server) -> None:
    """Block until the server stops (Ctrl-C raises KeyboardInterrupt here)."""
    while server.thread is not None and server.thread.is_alive():
        server.thread.join(timeout=1.0)


@app.command("web")
def web_command(
    port: Annotated[Optional[int], typer.Option(min=0, max=65535, help="Cổng (mặc định DONDOC_WEB_PORT)")] = None,
    host: Annotated[Optional[str], typer.Option(help="Địa chỉ lắng nghe (mặc định DONDOC_WEB_HOST)")] = None,
):
    """Chạy các trang web và lịch (cơ quan, lãnh đạo, cơ quan thường trực) đến khi bấm Ctrl-C."""
    from dondoc.web.server import WebServer

    settings = get_settings()
    server = WebServer(ready_engine(), settings, host=host, port=port)
    try:
        server.start()
    except RuntimeError as exc:
        fail(str(exc), 1)
    console.print(f"Trang web đang chạy tại {server.url} (địa chỉ công khai: {settings.public_url}). Bấm Ctrl-C để dừng.")
    try:
        _wait(server)
    except KeyboardInterrupt:
        console.print("Đang dừng máy chủ web…")
    finally:
        server.stop()
    console.print("Đã dừng.")
