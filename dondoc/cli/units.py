"""``dondoc unit``: put a commune, ward or special zone under its province."""

from __future__ import annotations

from typing import Annotated

import typer

from dondoc.cli.base import app, console, dondoc, guarded


@app.command("unit")
@guarded
def unit(
    name: Annotated[str, typer.Argument(help="Tên đơn vị, ví dụ \"Xã Ngọc Liên\"")],
    under: Annotated[str, typer.Option("--under", help="Đơn vị cấp trên, ví dụ \"Tỉnh Thanh Hóa\"")],
):
    """Đặt một đơn vị (xã, phường, đặc khu) dưới đơn vị cấp trên (tỉnh): trang, lịch, báo cáo và
    `dondoc status --unit <tỉnh>` của cấp trên cộng cả đơn vị này."""
    placed = dondoc().place_unit(name, under)
    made = " (đơn vị cấp trên mới được tạo)" if placed.parent_created else ""
    console.print(f"Đã đặt «{placed.unit}» dưới «{placed.parent}»{made}; «{placed.parent}» có "
                  f"{placed.siblings} đơn vị trực thuộc.", highlight=False)
