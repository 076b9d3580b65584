"""``dondoc update``, ``extend``, ``ack``, ``trigger``: what offices report and leadership decides."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dondoc.cli.base import app, console, dondoc, guarded, parse_day, resync
from dondoc.cli.render import KIND_LABELS


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
    recorded = dondoc().record_update(
        item, status, on=parse_day(on, "--date"), note=note, product=product, evidence=evidence, by=by,
        milestone=milestone, due=parse_day(due, "--due"), plan=plan, unit=unit, source="cli",
    )
    # a milestone without a label is named by its kind ("fixed"): people read only labels and dates
    what = [f"mốc {recorded.milestone}"] if recorded.milestone and recorded.milestone not in KIND_LABELS else []
    what += [f"hạn {recorded.due:%d/%m/%Y}"] if recorded.due else []
    console.print(f"Đã ghi nhận trạng thái cho mục {recorded.item.rsplit('#', 1)[-1]}"
                  + (f" ({', '.join(what)})" if what else "") + ".", highlight=False)
    resync(recorded.item)


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
    number, previous, new = dondoc().extend(
        item, parse_day(to, "--to"), by=by, reason=reason, milestone=milestone, due=parse_day(due, "--due"),
        plan=plan, unit=unit,
    )
    console.print(f"Đã gia hạn mục {number}: từ {previous:%d/%m/%Y} đến {new:%d/%m/%Y} (hạn gốc được giữ).")
    resync(item, plan, unit)


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
    dates = dondoc().acknowledge(item, by=by, on=parse_day(on, "--date"), note=note, plan=plan, unit=unit)
    console.print(f"Đã ghi nhận: {by} đã nắm mục {item} (hạn {', '.join(f'{d:%d/%m/%Y}' for d in dates)}).")
    resync(item, plan, unit)


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
    start = parse_day(on, "--date")
    number, when = dondoc().trigger(item, on=start, due=parse_day(due, "--due"), working_days=days, note=note,
                                    milestone=milestone, plan=plan, unit=unit)
    start = start or dondoc().today()
    console.print(f"Mục {number}: đã ghi nhận sự kiện ngày {start:%d/%m/%Y}, hạn {when:%d/%m/%Y}.")
    resync(item, plan, unit)
