"""``dondoc up``: everything on one machine, on the embedded default (SQLite in the data directory).

After preparing the database (migrations, example plans when empty) it starts a
local Prefect server on SQLite under ``<home>/prefect`` (or uses ``PREFECT_API_URL``),
syncs the item deployments, deploys the other flows, and serves the work pool with
a process worker (and the web pages) until Ctrl-C (SIGINT) or SIGTERM, which stop all of it.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from dondoc.app import Dondoc
import dondoc.cli.render as render
from dondoc.cli.base import app, console, dondoc, fail


@app.command()
def up(
    examples: Annotated[bool, typer.Option(help="Nhập các kế hoạch mẫu khi cơ sở dữ liệu còn trống")] = True,
    prefect: Annotated[bool, typer.Option(help="Khởi động Prefect: đồng bộ lịch các mục và chạy worker")] = True,
    once: Annotated[bool, typer.Option("--once", help="Chuẩn bị xong (máy chủ, đồng bộ, triển khai) rồi thoát, không phục vụ")] = False,
):
    """Chạy Đôn Đốc trên máy này: dữ liệu, máy chủ Prefect cục bộ, lịch nhắc của mọi mục, worker (Ctrl-C để dừng)."""
    from dondoc.orchestration.prefect_server import PrefectServerError

    try:
        code = run_up(dondoc(), console, import_examples=examples, orchestrate=prefect, serve=not once)
    except PrefectServerError as exc:
        fail(str(exc), 1)
    if code:
        raise typer.Exit(code)


def run_up(application: Dondoc, console: Console, import_examples: bool = True, orchestrate: bool = True,
           serve: bool = True) -> int:
    console.print(f"Thư mục dữ liệu: {application.settings.home_path}")
    console.print(f"Cơ sở dữ liệu: {render.safe_url(application.settings.resolved_database_url)}")
    if import_examples:
        for report in application.import_examples():
            render.print_import_report(console, report)
    render.print_status(console, application.status())
    problems = application.check()
    if problems:
        from dondoc.cli.chasing import print_problems

        console.print(f"[yellow]Kiểm tra người nhận và kênh gửi: {len(problems)} vấn đề[/] (dondoc check):")
        print_problems(problems, console)
    if not orchestrate:
        return 0
    return run_orchestration(application, console, serve=serve)


def run_orchestration(application: Dondoc, console: Console, *, serve: bool = True) -> int:
    """Prefect server (local unless PREFECT_API_URL), sync, service deployments, worker; returns an exit code."""
    from dondoc.orchestration.prefect_server import LocalServer, prefect_home, start_worker, url_file, using
    from dondoc.orchestration.running import Recovery, stop_all, wait_for_stop
    from dondoc.orchestration.services import deploy_service_flows
    from dondoc.orchestration.sync import sync

    settings = application.settings
    home = prefect_home(settings)
    children = []
    try:
        url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
        if url:
            console.print(f"Dùng máy chủ Prefect có sẵn: {url}")
        else:
            console.print(f"Khởi động máy chủ Prefect cục bộ (SQLite trong {home})…")
            server = LocalServer(home, port=settings.prefect_port).start()
            children.append(server.child)
            url = server.api_url
            url_file(settings).write_text(url + "\n")
            console.print(f"Giao diện Prefect: [bold]{server.ui_url}[/]")
        with using(url):
            report = sync(application, as_of=application.today())
            console.print(
                f"Đồng bộ lịch các mục: tạo {report.created}, cập nhật {report.updated}, xóa {report.deleted}, "
                f"giữ nguyên {report.unchanged} ({report.scheduled} mục có lịch nhắc trong "
                f"{settings.sync_horizon_days} ngày tới)."
            )
            services = deploy_service_flows(settings, application.policy)
            console.print("Các luồng khác: " + ", ".join(f"{name} ({state})" for name, state in services.items()))
        if not serve:
            return 0
        if settings.web_port:
            from dondoc.web.server import WebServer

            web = WebServer(application).start()
            children.append(web)
            console.print(f"Trang web và lịch: [bold]{web.url}[/] (đường dẫn riêng của từng cơ quan, lãnh đạo: "
                          "[bold]dondoc links[/]).")
        home.mkdir(parents=True, exist_ok=True)
        worker = start_worker(settings.prefect_pool, url, log_path=home / "worker.log", prefect_home=home,
                              limit=settings.worker_concurrency)
        children.append(worker)
        console.print(f"Worker đang phục vụ work pool «{settings.prefect_pool}», tối đa {settings.worker_concurrency} "
                      f"lượt chạy cùng lúc (nhật ký: {home / 'worker.log'}).")
        console.print("Đang chạy. Nhấn Ctrl-C để dừng.")
        reason = wait_for_stop(children, on_tick=Recovery(url, console.print))
        if reason != "signal":
            console.print(f"[red]{reason} đã dừng bất ngờ[/]; dừng tất cả.")
            return 1
        console.print("Đang dừng…")
        return 0
    finally:
        stop_all(children)
        if children and children[0].name == "prefect-server":
            url_file(settings).unlink(missing_ok=True)
