"""``dondoc up``: everything on one machine, on the embedded default (SQLite in the data directory).

After preparing the database (migrations, example plans when empty) it starts a
local Prefect server on SQLite under ``<home>/prefect`` (or uses ``PREFECT_API_URL``),
syncs the item deployments, deploys the other flows, and serves the work pool with
a process worker until Ctrl-C (SIGINT) or SIGTERM, which stop all of it.
"""

from __future__ import annotations


from rich.console import Console
from sqlalchemy import func, select

from dondoc.configuration import load_config
from dondoc.db import get_engine, migrate, read_session
from dondoc.demo import EXAMPLES, NGOC_LIEN, TRUONG_XUAN
from dondoc.importer import parse_plan_file
from dondoc.models import Plan
from dondoc.plans import import_plan
from dondoc.render import print_import_report, print_status, safe_url
from dondoc.settings import get_settings

EXAMPLE_UNITS = {NGOC_LIEN: "Xã Ngọc Liên", TRUONG_XUAN: "Xã Trường Xuân"}


def run_up(console: Console, import_examples: bool = True, orchestrate: bool = True, serve: bool = True) -> int:
    from dondoc.cli import today
    from dondoc.schedule import work_calendar
    from dondoc.statusrun import run_status

    settings, config = get_settings(), load_config()
    settings.home_path.mkdir(parents=True, exist_ok=True)
    engine = get_engine()
    migrate(engine)
    console.print(f"Thư mục dữ liệu: {settings.home_path}")
    console.print(f"Cơ sở dữ liệu: {safe_url(settings.resolved_database_url)}")
    with read_session(engine) as session:
        plans = session.scalar(select(func.count(Plan.id)))
    if not plans and import_examples:
        for name, unit in EXAMPLE_UNITS.items():
            path = EXAMPLES / name
            if path.is_file():
                report = import_plan(
                    engine, parse_plan_file(path), unit_name=unit, config=config, settings=settings,
                    source_bytes=path.read_bytes(),
                )
                print_import_report(console, report)
    report = run_status(
        engine, today(), work_calendar(config, settings), due_soon_working_days=settings.due_soon_working_days
    )
    print_status(console, report)
    if not orchestrate:
        return 0
    return run_orchestration(console, engine, serve=serve)


def run_orchestration(console: Console, engine, *, serve: bool = True) -> int:
    """Prefect server (local unless PREFECT_API_URL), sync, service deployments, worker; returns an exit code."""
    import os

    from dondoc.cli import today
    from dondoc.prefect_server import LocalServer, start_worker
    from dondoc.sync import sync
    from dondoc.worker import deploy_service_flows, load_policy_or_none, prefect_home, stop_all, url_file, using, wait_for_stop

    settings = get_settings()
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
            report = sync(engine, as_of=today(), settings=settings)
            console.print(
                f"Đồng bộ lịch các mục: tạo {report.created}, cập nhật {report.updated}, xóa {report.deleted}, "
                f"giữ nguyên {report.unchanged} ({report.scheduled} mục có lịch nhắc trong {settings.sync_horizon_days} ngày tới)."
            )
            services = deploy_service_flows(settings, load_policy_or_none(settings))
            console.print("Các luồng khác: " + ", ".join(f"{name} ({state})" for name, state in services.items()))
        if not serve:
            return 0
        if settings.web_port:
            from dondoc.web.server import WebServer

            web = WebServer(engine, settings).start()
            children.append(web)
            console.print(f"Trang web và lịch: [bold]{web.url}[/] (đường dẫn riêng của từng cơ quan, lãnh đạo: [bold]dondoc links[/]).")
        home.mkdir(parents=True, exist_ok=True)
        worker = start_worker(settings.prefect_pool, url, log_path=home / "worker.log", prefect_home=home)
        children.append(worker)
        console.print(f"Worker đang phục vụ work pool «{settings.prefect_pool}» (nhật ký: {home / 'worker.log'}).")
        console.print("Đang chạy. Nhấn Ctrl-C để dừng.")
        reason = wait_for_stop(children)
        if reason != "signal":
            console.print(f"[red]{reason} đã dừng bất ngờ[/]; dừng tất cả.")
            return 1
        console.print("Đang dừng…")
        return 0
    finally:
        stop_all(children)
        if children and children[0].name == "prefect-server":
            url_file(settings).unlink(missing_ok=True)
