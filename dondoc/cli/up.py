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
    print_status_line(console, application.status())
    problems = application.check()
    if problems:
        from dondoc.cli.chasing import print_problems

        console.print(f"[yellow]Kiểm tra người nhận và kênh gửi: {len(problems)} vấn đề[/] (dondoc check):")
        print_problems(problems, console)
    if not orchestrate:
        print_addresses(application, console, web_url=None, prefect_ui=None)
        return 0
    return run_orchestration(application, console, serve=serve)


def print_status_line(console: Console, report) -> None:
    """One line of today's status; the lists and tables are «dondoc status»."""
    from dondoc.usecases.status_view import item_states
    from dondoc.domain.status import Shown

    states = list(item_states(report.rows).values())
    console.print(
        f"Tình hình ngày {render.vn_date(report.as_of)}: {len(states)} nhiệm vụ, "
        f"{states.count(Shown.OVERDUE)} quá hạn, {states.count(Shown.DUE_SOON)} sắp đến hạn "
        "(chi tiết: [bold]dondoc status[/]).", highlight=False)


def messages_line(settings) -> str:
    """Where messages go: the mail server and the Zalo app when set, else the outbox folder (never a password)."""
    from urllib.parse import urlsplit

    parts = []
    if settings.smtp_url:
        where = urlsplit(settings.smtp_url)
        parts.append(f"thư điện tử qua {where.hostname}" + (f":{where.port}" if where.port else ""))
    if settings.zalo_app_id:
        parts.append(f"Zalo OA (ứng dụng {settings.zalo_app_id})")
    if not parts:
        return f"ghi vào tệp, chưa gửi đi (chưa cấu hình thư điện tử, Zalo: dondoc check):\n  {settings.outbox_path}"
    missing = "thư điện tử" if not settings.smtp_url else "Zalo" if not settings.zalo_app_id else ""
    return "; ".join(parts) + (f"; {missing}: ghi vào tệp trong\n  {settings.outbox_path}" if missing else "")


def print_addresses(application: Dondoc, console: Console, *, web_url: str | None, prefect_ui: str | None) -> None:
    """The closing block of «dondoc up»: where to click, and where messages go."""
    console.rule("[bold]Đôn Đốc[/]")
    say = lambda text: console.print(text, soft_wrap=True, highlight=False)  # noqa: E731 - links stay whole
    if web_url:
        say(f"Trang web và lịch: [bold]{web_url}[/]")
    else:
        say("Trang web và lịch: không chạy lần này (chạy riêng: [bold]dondoc web[/]).")
    units = application.links()
    public = application.settings.public_url.rstrip("/")
    # without DONDOC_PUBLIC_URL the pages are where this command serves them (the links in messages are not)
    here = web_url if web_url and "public_url" not in application.settings.model_fields_set else None
    if units:
        say("Trang cơ quan thường trực (đường dẫn bí mật, chỉ gửi đúng người):")
        for unit in units:
            for row in unit.rows:
                if row["kind"] == "standing":
                    url = here + row["url"].removeprefix(public) if here and row["url"].startswith(public) else row["url"]
                    say(f"  {unit.unit}: {url}")
        say("  Đường dẫn của từng cơ quan và lãnh đạo: [bold]dondoc links[/]")
    if prefect_ui:
        say(f"Giao diện Prefect: [bold]{prefect_ui}[/]")
    say(f"Tin nhắn: {messages_line(application.settings)}")


def run_orchestration(application: Dondoc, console: Console, *, serve: bool = True) -> int:
    """Prefect server (local unless PREFECT_API_URL), sync, service deployments, worker; returns an exit code."""
    from dondoc.orchestration.prefect_server import (
        LocalServer,
        prefect_database,
        prefect_home,
        start_worker,
        url_file,
        using,
    )
    from dondoc.orchestration.running import Recovery, stop_all, wait_for_stop
    from dondoc.orchestration.services import deploy_service_flows
    from dondoc.orchestration.sync import sync

    settings = application.settings
    home = prefect_home(settings)
    children = []
    try:
        url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
        external = bool(url)
        if url:
            console.print(f"Dùng máy chủ Prefect có sẵn: {url}")
            ui_url = url.removesuffix("/api")
        else:
            console.print(f"Khởi động máy chủ Prefect cục bộ ({prefect_database(home)})…")
            server = LocalServer(home, port=settings.prefect_port, api_workers=settings.prefect_api_workers).start()
            children.extend(server.children)
            url = server.api_url
            url_file(settings).write_text(url + "\n")
            ui_url = server.ui_url
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
            # the local server stops with this command: only a standing server's address stays useful
            print_addresses(application, console, web_url=None, prefect_ui=ui_url if external else None)
            return 0
        web_url = None
        if settings.web_port:
            from dondoc.web.server import WebServer

            web = WebServer(application).start()
            children.append(web)
            web_url = web.url
        home.mkdir(parents=True, exist_ok=True)
        worker = start_worker(settings.prefect_pool, url, log_path=home / "worker.log", prefect_home=home,
                              limit=settings.worker_concurrency)
        children.append(worker)
        console.print(f"Worker đang phục vụ work pool «{settings.prefect_pool}», tối đa {settings.worker_concurrency} "
                      f"lượt chạy cùng lúc (nhật ký: {home / 'worker.log'}).")
        print_addresses(application, console, web_url=web_url, prefect_ui=ui_url)
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
