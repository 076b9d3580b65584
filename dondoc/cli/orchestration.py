"""``dondoc sync`` and ``dondoc worker``: the item deployments on Prefect, and the worker that runs them."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer

from dondoc.cli.base import app, console, dondoc, fail, guarded, parse_day


def prefect_url() -> str:
    from dondoc.orchestration.prefect_server import NoPrefectServer, api_url

    try:
        return api_url(dondoc().settings)
    except NoPrefectServer as exc:
        fail(str(exc), 1)


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

    from dondoc.orchestration.prefect_server import using
    from dondoc.orchestration.sync import sync

    application = dondoc()
    day = parse_day(as_of, "--as-of") or application.today()
    with using(prefect_url()), Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=not console.is_terminal, disable=as_json,
    ) as bar:
        task = bar.add_task("Đồng bộ deployment", total=None)
        report = sync(
            application, as_of=day, item_ids=[item] if item else None, dry_run=dry_run,
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
    from dondoc.orchestration.running import run_worker

    application = dondoc()  # migrates the database once, before any flow run of this machine
    name = pool or application.settings.prefect_pool
    if run_worker(console.print, name, prefect_url(), settings=application.settings, limit=limit) != 0:
        fail("Worker đã dừng bất ngờ; xem nhật ký worker.log trong thư mục Prefect của dữ liệu.", 1)
