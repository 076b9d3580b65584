"""``dondoc`` commands for delivery and orchestration: notifications, Prefect sync, worker.

They register on the app of :mod:`dondoc.cli`; the core they call lives in
``notifications/``, :mod:`dondoc.sync` and :mod:`dondoc.worker`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from dondoc.cli import app, console, fail, guarded, parse_day, ready_engine, today
from dondoc.configuration import ConfigError
from dondoc.settings import get_settings


# -- notifications ------------------------------------------------------------------------

def _notify_errors():
    from notifications.delivery import DeliveryError

    return (DeliveryError, ConfigError)


def _print_report(report) -> None:
    for outcome in report.outcomes:
        if outcome.delivered:
            where = "thư mục outbox" if outcome.channel == "outbox" else f"kênh {outcome.channel}"
            console.print(f"[green]Đã gửi[/] tới {outcome.person} qua {where} ({outcome.attempts} lần thử).")
        else:
            console.print(f"[red]Không gửi được[/] tới {outcome.person} sau {outcome.attempts} lần thử: {outcome.error}")


@app.command()
def deliveries(
    failed: Annotated[bool, typer.Option("--failed", help="Chỉ những lần gửi cuối cùng không tới được người nhận")] = False,
    key: Annotated[Optional[str], typer.Option("--key", help="Chỉ các lần gửi của một khóa sổ (ledger key)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="Số dòng tối đa")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON")] = False,
):
    """Nhật ký gửi tin (Zalo, email, outbox): mỗi lần thử một dòng; --failed để xem tin chưa tới."""
    from notifications.ledger import list_deliveries
    from dondoc.db import read_session

    with read_session(ready_engine()) as session:
        rows = list_deliveries(session, failed_only=failed, ledger_key=key, limit=limit)
    if as_json:
        console.print_json(json.dumps([{**r.__dict__, "at": r.at.isoformat()} for r in rows], ensure_ascii=False))
        return
    if not rows:
        console.print("Không có lần gửi nào thất bại." if failed else "Chưa có lần gửi nào.")
        return
    from datetime import timezone

    from rich.table import Table

    zone = ZoneInfo(get_settings().timezone)
    table = Table("ID", "Lúc", "Loại", "Người nhận", "Kênh", "Lần", "Kết quả", "Mã tin / lỗi", "Khóa sổ")
    for r in rows:
        at = (r.at if r.at.tzinfo else r.at.replace(tzinfo=timezone.utc)).astimezone(zone)
        table.add_row(str(r.id), f"{at:%d/%m/%Y %H:%M}", r.kind, r.person, r.channel, str(r.attempt), r.outcome,
                      r.error or r.provider_message_id or "", r.ledger_key)
    console.print(table)
    if failed:
        console.print("Gửi lại: dondoc resend ID")


def _dispatch(action) -> None:
    """Run ``action(dispatcher)``, print each person's outcome; exit 1 when someone was not reached."""
    from notifications.delivery import Dispatcher

    try:
        with Dispatcher(ready_engine()) as dispatcher:
            report = action(dispatcher)
    except _notify_errors() as exc:
        fail(str(exc))
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def resend(delivery_id: Annotated[int, typer.Argument(help="ID trong «dondoc deliveries»")]):
    """Gửi lại một tin đã ghi trong nhật ký tới đúng người nhận đó (thử lại mọi kênh của họ)."""
    _dispatch(lambda dispatcher: dispatcher.resend(delivery_id))


@app.command("notify-test")
def notify_test(person: Annotated[str, typer.Argument(help="ID của người trong people.yaml")]):
    """Gửi tin nhắn thử tới một người trên từng kênh của họ (Zalo, ZNS, email...)."""
    _dispatch(lambda dispatcher: dispatcher.send_test(person))


@app.command("zalo-tokens")
def zalo_tokens(
    access_token: Annotated[str, typer.Option(prompt="Access token", hide_input=True, help="Access token của OA")],
    refresh_token: Annotated[str, typer.Option(prompt="Refresh token", hide_input=True, help="Refresh token của OA")],
):
    """Lưu cặp token Zalo OA (lấy từ trang quản lý ứng dụng Zalo) vào kho token trong thư mục dữ liệu."""
    from notifications.zalo_api import TokenStore

    store = TokenStore(get_settings().zalo_token_path)
    with store.locked():
        store.write(access_token.strip(), refresh_token.strip())
    console.print(f"Đã lưu token Zalo vào {store.path} (chỉ chủ sở hữu đọc được).")


# -- orchestration (Prefect) ----------------------------------------------------------------

def _prefect_url() -> str:
    from dondoc.worker import NoPrefectServer, api_url

    try:
        return api_url()
    except NoPrefectServer as exc:
        fail(str(exc), 1)


def status_via_prefect(day, unit, office, as_json) -> None:
    from rich.markdown import Markdown

    from dondoc.worker import status_via_prefect, using

    with using(_prefect_url()):
        state, markdown = status_via_prefect(day, unit, office)
    if as_json:
        sys.stdout.write(json.dumps({"state": state, "markdown": markdown}, ensure_ascii=False) + "\n")
    elif markdown:
        console.print(Markdown(markdown))
    if state != "Completed":
        fail(f"Lượt chạy trên Prefect kết thúc ở trạng thái {state} (xem nhật ký trên giao diện Prefect).", 1)


@app.command("sync")
@guarded
def sync_command(
    as_of: Annotated[Optional[str], typer.Option(help="Ngày bắt đầu khoảng lịch (YYYY-MM-DD), mặc định hôm nay")] = None,
    item: Annotated[Optional[int], typer.Option(help="Chỉ đồng bộ một mục (id trong cơ sở dữ liệu)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ cho biết sẽ thay đổi gì")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
):
    """Đồng bộ Prefect với cơ sở dữ liệu: mỗi mục một deployment, lịch là các mốc nhắc và leo thang."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from dondoc.sync import sync
    from dondoc.worker import using

    settings = get_settings()
    day = parse_day(as_of, "--as-of") or today()
    engine = ready_engine()
    with using(_prefect_url()), Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=not console.is_terminal, disable=as_json,
    ) as bar:
        task = bar.add_task("Đồng bộ deployment", total=None)
        report = sync(
            engine, as_of=day, settings=settings, item_ids=[item] if item else None, dry_run=dry_run,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
        return
    start, end = report.horizon
    prefix = "Sẽ " if dry_run else "Đã "
    console.print(
        f"{prefix}tạo {report.created}, cập nhật {report.updated}, xóa {report.deleted}; giữ nguyên {report.unchanged}. "
        f"{report.scheduled} mục có {report.checkpoints} lần nhắc từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}."
    )


@app.command()
def worker(
    pool: Annotated[Optional[str], typer.Option(help="Work pool (mặc định DONDOC_PREFECT_POOL)")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Số lượt chạy đồng thời tối đa trên máy này")] = None,
):
    """Chạy một worker cho work pool (mở rộng: chạy trên bao nhiêu máy cũng được). Ctrl-C để dừng."""
    from dondoc.worker import run_worker

    name = pool or get_settings().prefect_pool
    if run_worker(console, name, _prefect_url(), limit=limit) != 0:
        fail("Worker đã dừng bất ngờ; xem nhật ký worker.log trong thư mục Prefect của dữ liệu.", 1)


def resync_after_change(engine, ref: str, plan: str | None = None, unit: str | None = None) -> None:
    """After a change to an item's dates or status: refresh its schedule on Prefect, when a server runs.

    Best effort: the change is already stored; without a server (or if it fails) the next
    ``dondoc sync`` or the monthly re-sync brings the schedule up to date.
    """
    from dondoc.db import read_session
    from dondoc.plans import find_item
    from dondoc.sync import resync_item
    from dondoc.worker import api_url, using

    url = api_url(required=False)
    if not url:
        return
    with read_session(engine) as session:
        item_id = find_item(session, ref, plan, unit).id
    try:
        with using(url):
            resync_item(engine, item_id, as_of=today())
    except Exception as exc:  # noqa: BLE001 - the stored change stands; say why the schedule did not follow
        console.print(f"[yellow]Chưa cập nhật được lịch trên Prefect[/] ({type(exc).__name__}); «dondoc sync» sẽ làm lại.")
        return
    console.print("Đã cập nhật lịch nhắc việc của mục trên Prefect.")


# -- reports --------------------------------------------------------------------------------

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
    from sqlalchemy import select

    from dondoc.configuration import load_config
    from dondoc.db import read_session
    from dondoc.models import Unit
    from dondoc.plans import LookupFailed, find_unit
    from dondoc.reports import PeriodError, parse_period
    from dondoc.reports.build import build_report
    from dondoc.schedule import work_calendar

    try:
        the_period = parse_period(period)
    except PeriodError as exc:
        fail(str(exc))
    engine = ready_engine()
    with read_session(engine) as session:
        if unit:
            the_unit = find_unit(session, unit)
        else:
            units = list(session.scalars(select(Unit).where(Unit.plans.any())))
            if len(units) != 1:
                raise LookupFailed("Có nhiều đơn vị (hoặc chưa có), hãy chọn bằng --unit: " + ", ".join(u.name for u in units))
            the_unit = units[0]
    settings = get_settings()
    files = build_report(
        engine, the_unit, the_period, output, calendar=work_calendar(load_config(), settings),
        due_soon_working_days=settings.due_soon_working_days,
        signed_on=parse_day(signed_on, "--date") or today(), number=number,
    )
    content = files.content
    scope = f" (tổng hợp {len(files.province.units)} đơn vị)" if files.province else ""
    console.print(f"Đã lập báo cáo {the_period.title} của {the_unit.name}{scope} (số liệu đến {content.cutoff:%d/%m/%Y}):")
    for path in files.paths:
        console.print(f"  {path}")

