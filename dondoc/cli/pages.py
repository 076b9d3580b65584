"""``dondoc export-sheet``, ``import-sheet``, ``links``, ``web``: the spreadsheet round trip, the secret
links and the web pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dondoc.cli.base import app, console, dondoc, err, fail, guarded, parse_day, resync

SECRET_WARNING = ("Các đường dẫn dưới đây là bí mật: ai có đường dẫn đều mở được trang. "
                  "Chỉ gửi cho đúng người; khi lộ, thay mới bằng --rotate.")


@app.command("export-sheet")
@guarded
def export_sheet_command(
    office: Annotated[str, typer.Argument(help='Cơ quan chủ trì, vd "Phòng Kinh tế"')],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Tệp .xlsx sẽ ghi (mặc định: tên cơ quan)")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị, khi có nhiều đơn vị")] = None,
    as_of: Annotated[Optional[str], typer.Option(help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay")] = None,
):
    """Xuất bảng Excel các mục chưa hoàn thành của một cơ quan để điền trạng thái."""
    if output is not None and output.suffix.lower() != ".xlsx":
        fail(f"{output.name}: tệp xuất phải có đuôi .xlsx (output must be .xlsx).")
    day = parse_day(as_of, "--as-of")
    count, name, path = dondoc().export_sheet(office, output, unit=unit, as_of=day)
    day = day or dondoc().today()
    console.print(f"Đã xuất {count} dòng của {name} (tính đến {day:%d/%m/%Y}) vào {path}.")
    console.print("Điền các cột Trạng thái mới, Ghi chú, Sản phẩm, Ngày cập nhật rồi nhập lại: dondoc import-sheet TỆP")


@app.command("import-sheet")
@guarded
def import_sheet_command(
    file: Annotated[Path, typer.Argument(help="Bảng .xlsx đã điền (xuất bằng dondoc export-sheet)")],
    on: Annotated[Optional[str], typer.Option("--date", help="Ngày cho các dòng không ghi ngày (mặc định hôm nay)")] = None,
    by: Annotated[Optional[str], typer.Option(help="Người báo cáo (mặc định: cơ quan của bảng)")] = None,
):
    """Nhập bảng trạng thái đã điền: kiểm tra mọi dòng trước, ghi tất cả hoặc không ghi gì."""
    from dondoc.usecases.sheets import SheetError

    if not file.is_file():
        fail(f"Không tìm thấy tệp {file} (file not found).")
    try:
        result = dondoc().import_sheet(file, on=parse_day(on, "--date"), by=by)
    except SheetError as exc:
        fail(str(exc))
    console.print(f"Đã ghi nhận {len(result.recorded)} cập nhật từ {file.name}; "
                  f"{result.skipped} dòng để trống được bỏ qua.")
    for ref in dict.fromkeys(result.recorded):
        resync(ref)


@app.command("links")
@guarded
def links_command(
    unit: Annotated[Optional[str], typer.Option(help="Chỉ một đơn vị")] = None,
    rotate: Annotated[Optional[str], typer.Option(
        help="Thay mới một đường dẫn: standing | leadership | leadership_feed | office | office_feed")] = None,
    office: Annotated[Optional[str], typer.Option(help="Cơ quan (với --rotate office hoặc office_feed)")] = None,
):
    """In các đường dẫn bí mật (trang cơ quan, lịch, lãnh đạo, cơ quan thường trực); --rotate để thay mới."""
    from dondoc.storage.links import KINDS, OFFICE_KINDS

    if rotate is not None and rotate not in KINDS:
        fail(f"--rotate: «{rotate}» không hợp lệ; dùng một trong: {', '.join(KINDS)} (invalid link kind).")
    if rotate in OFFICE_KINDS and not office:
        fail(f"--rotate {rotate} cần --office (which office).")
    if office and rotate not in OFFICE_KINDS:
        fail("--office chỉ dùng với --rotate office hoặc --rotate office_feed.")
    application = dondoc()
    if rotate is not None:
        rotated = application.rotate_link(rotate, unit=unit, office=office)
        console.print(f"Đã thay mới {rotated.label} ({rotated.unit}); đường dẫn cũ không còn dùng được.")
        console.print(rotated.url, soft_wrap=True, highlight=False)
        err.print(f"[yellow]Lưu ý:[/] {SECRET_WARNING}")
        return
    units = application.links(unit)
    if not units:
        fail("Chưa có đơn vị nào; hãy nhập kế hoạch trước (dondoc import).")
    err.print(f"[yellow]Lưu ý:[/] {SECRET_WARNING}")
    for the_unit in units:
        console.print(f"[bold]{the_unit.unit}[/]")
        for row in the_unit.rows:
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

    application = dondoc()
    server = WebServer(application, host=host, port=port)
    try:
        server.start()
    except RuntimeError as exc:
        fail(str(exc), 1)
    console.print(f"Trang web đang chạy tại {server.url} (địa chỉ công khai: {application.public_url}). "
                  "Bấm Ctrl-C để dừng.")
    try:
        _wait(server)
    except KeyboardInterrupt:
        console.print("Đang dừng máy chủ web…")
    finally:
        server.stop()
    console.print("Đã dừng.")
