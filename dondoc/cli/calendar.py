"""``dondoc calendar``: write an office's or a leadership's calendar feed to an .ics file.

The same core as the web feed: the file holds the same events, UIDs and SEQUENCE
a calendar app subscribed to the feed link sees. ``--no-continuous`` leaves the
continuous items out, as ``?thuong_xuyen=0`` does on the feed link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dondoc.cli.base import app, console, dondoc, fail, guarded, parse_day
from dondoc.usecases.feeds import webcal


@app.command()
@guarded
def calendar(
    office: Annotated[Optional[str], typer.Argument(help='Cơ quan, ví dụ "Phòng Kinh tế"')] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Tệp .ics sẽ ghi")] = Path("lich.ics"),
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị (khi có nhiều đơn vị)")] = None,
    leadership: Annotated[bool, typer.Option("--leadership", help="Lịch của lãnh đạo: mọi mục của đơn vị")] = False,
    no_continuous: Annotated[bool, typer.Option(
        "--no-continuous", help="Bỏ các nhiệm vụ thường xuyên (không ghi các kỳ báo cáo định kỳ), chỉ giữ các hạn")] = False,
    as_of: Annotated[Optional[str], typer.Option(help="Tính trạng thái đến ngày (YYYY-MM-DD), mặc định hôm nay")] = None,
):
    """Ghi lịch hạn các mục (iCalendar .ics) của một cơ quan hoặc của lãnh đạo đơn vị, kèm nhắc trước hạn."""
    built, who, url = dondoc().feed(office, unit=unit, leadership=leadership, as_of=parse_day(as_of, "--as-of"),
                                    continuous=not no_continuous)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(built.body)
    except OSError as exc:
        fail(f"Không ghi được tệp {output}: {exc.strerror or exc} (cannot write).", 1)
    console.print(f"Đã ghi {built.events} sự kiện của {who} vào {output}.", highlight=False)
    console.print(f"Đăng ký lịch (tự cập nhật) bằng đường dẫn: {url}", highlight=False, soft_wrap=True)
    console.print(f"Trên iPhone, Outlook: {webcal(url)}", highlight=False, soft_wrap=True)
