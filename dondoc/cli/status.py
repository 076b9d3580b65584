"""``dondoc status`` (here or through Prefect) and ``dondoc report``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

import dondoc.cli.render as render
from dondoc.cli.base import app, console, dondoc, fail, guarded, parse_day


@app.command()
@guarded
def status(
    as_of: Annotated[Optional[str], typer.Option(help="Tính đến ngày (YYYY-MM-DD), mặc định hôm nay")] = None,
    office: Annotated[Optional[str], typer.Option(help="Chỉ một cơ quan chủ trì")] = None,
    area: Annotated[Optional[str], typer.Option(help='Chỉ một lĩnh vực (mã "I" hoặc tên)')] = None,
    by_area: Annotated[bool, typer.Option("--by-area", help="Bảng theo lĩnh vực thay vì theo cơ quan")] = False,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ một đơn vị")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Chỉ một kế hoạch")] = None,
    full: Annotated[bool, typer.Option("--all", help="Bảng đầy đủ từng mốc thay vì bản tóm tắt")] = False,
    codes: Annotated[bool, typer.Option("--codes", help="Ghi mục theo mã kế hoạch (để dùng trong lệnh)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
    via_prefect: Annotated[bool, typer.Option("--via-prefect", help="Chạy qua deployment trên Prefect và chờ kết quả")] = False,
):
    """Tình hình thực hiện tính đến một ngày: tổng số nhiệm vụ, các mục quá hạn và sắp đến hạn, số nhiệm vụ
    theo cơ quan chủ trì (hoặc theo lĩnh vực); --all in bảng đầy đủ từng mốc."""
    day = parse_day(as_of, "--as-of")
    if via_prefect:
        if full or codes or by_area or area or plan:
            fail("--via-prefect chỉ nhận --as-of, --unit, --office và --json; bỏ --all, --codes, --by-area, "
                 "--area, --plan hoặc chạy không có --via-prefect.")
        return _via_prefect(day, unit, office, as_json)
    report = dondoc().status(day, unit=unit, plan=plan, office=office, area=area)
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
    elif full:
        render.print_full_status(console, report, by_area=by_area or bool(area), codes=codes)
    else:
        render.print_status(console, report, by_area=by_area or bool(area), codes=codes)


def _via_prefect(day, unit, office, as_json) -> None:
    from rich.markdown import Markdown

    from dondoc.orchestration.prefect_server import NoPrefectServer, api_url, using
    from dondoc.orchestration.services import status_via_prefect

    try:
        url = api_url(dondoc().settings)
    except NoPrefectServer as exc:
        fail(str(exc), 1)
    with using(url):
        state, markdown = status_via_prefect(day, unit, office)
    if as_json:
        sys.stdout.write(json.dumps({"state": state, "markdown": markdown}, ensure_ascii=False) + "\n")
    elif (lines := render.fenced_lines(markdown)) is not None:
        render.print_lines(console, lines)  # the compact status, as the worker laid it out
    elif markdown:
        console.print(Markdown(markdown))
    if state != "Completed":
        fail(f"Lượt chạy trên Prefect kết thúc ở trạng thái {state} (xem nhật ký trên giao diện Prefect).", 1)


@app.command()
@guarded
def report(
    period: Annotated[str, typer.Option(help="Kỳ báo cáo: 2026-Q1, 2026-H1, 2026-Q3 hoặc 2026")],
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị (mặc định: đơn vị duy nhất đã nhập)")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Thư mục ghi báo cáo")] = Path("."),
    signed_on: Annotated[Optional[str], typer.Option("--date", help="Ngày ký (mặc định hôm nay)")] = None,
    number: Annotated[str, typer.Option(help="Số văn bản")] = "…/BC-UBND",
):
    """Lập báo cáo định kỳ CCHC: tệp Word theo Nghị định 30/2020, phụ lục Excel và bản tóm tắt Markdown.

    Với đơn vị cấp tỉnh (hoặc có đơn vị trực thuộc), báo cáo tổng hợp mọi đơn vị trực thuộc.
    """
    files = dondoc().build_report(unit, period, output, signed_on=parse_day(signed_on, "--date"), number=number)
    content = files.content
    scope = f" (tổng hợp {len(files.province.units)} đơn vị)" if files.province else ""
    console.print(f"Đã lập báo cáo {content.period.title} của {files.unit_name}{scope} "
                  f"(số liệu đến {content.cutoff:%d/%m/%Y}):")
    for path in files.paths:
        console.print(f"  {path}")
