"""``dondoc up`` starts a local Prefect server and a worker, and Ctrl-C stops all of it (no orphans)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DONDOC = Path(sys.executable).with_name("dondoc")


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_up_serves_until_sigint_then_stops_everything(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    web_port = free_port()
    env.update({"DONDOC_HOME": str(tmp_path / "home"), "PREFECT_WORKER_QUERY_SECONDS": "2", "COLUMNS": "200",
                "DONDOC_WEB_PORT": str(web_port)})
    env.pop("DONDOC_DATABASE_URL", None)
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(DONDOC), "up", "--no-examples"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and "Đang chạy" not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")
            time.sleep(0.5)
        output = log.read_text(errors="replace")
        assert "Đang chạy" in output, output
        assert "Giao diện Prefect: http://127.0.0.1:" in output
        url = (tmp_path / "home" / "prefect" / "api_url").read_text().strip()
        assert httpx.get(f"{url}/health", timeout=5).json() is True
        assert (tmp_path / "home" / "prefect" / "prefect.db").exists()
        assert f"Trang web và lịch: http://127.0.0.1:{web_port}" in output
        assert httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=5).text == "ok"
        below = descendants(process.pid)
        assert len(below) >= 2  # the server and the worker (and their children)

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0, log.read_text(errors="replace")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(p) for p in below):
            time.sleep(0.2)
        assert not [p for p in below if alive(p)], "orphan processes left after Ctrl-C"
        assert not (tmp_path / "home" / "prefect" / "api_url").exists()
        with socket.socket() as sock:  # the web port is free again
            sock.bind(("127.0.0.1", web_port))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_up_ends_with_the_addresses_and_prints_no_status_tables(sqlite_app, tmp_path):
    """Without Prefect: a summary line of the status, then the closing block (web, standing office's link per
    commune, where messages go), all in a few dozen lines at 80 columns."""
    from rich.console import Console

    from dondoc.cli.up import run_up

    console = Console(record=True, width=80, file=open(os.devnull, "w"))
    assert run_up(sqlite_app, console, import_examples=True, orchestrate=False) == 0
    lines = console.export_text().splitlines()
    text = "\n".join(lines)
    assert len(lines) <= 50, text
    assert "Tình hình ngày 16/03/2026: 93 nhiệm vụ" in text and "Quá hạn:" not in text
    assert "xa-ngoc-lien-2026-2030" not in text
    block = text[text.index("Đôn Đốc ─"):]
    assert "Trang web và lịch:" in block and "Giao diện Prefect" not in block
    for unit in ("Xã Ngọc Liên", "Xã Trường Xuân"):
        [line] = [line for line in block.splitlines() if line.strip().startswith(unit + ":")]
        assert "/s/" in line  # the standing office's page, whole on its line
    assert "Tin nhắn: ghi vào tệp, chưa gửi đi" in block and f"\n  {sqlite_app.settings.outbox_path}\n" in block + "\n"


def test_messages_line_names_the_mail_server_without_its_password():
    from dondoc.cli.up import messages_line
    from dondoc.settings import Settings

    settings = Settings(smtp_url="smtp://dondoc:MatKhau9@mail.ngoclien.example.vn:587?security=starttls")
    line = messages_line(settings)
    assert "mail.ngoclien.example.vn:587" in line and "MatKhau9" not in line and "Zalo: ghi vào tệp" in line
    assert line.endswith(f"\n  {settings.outbox_path}")


def test_the_standing_links_point_at_the_served_pages_unless_a_public_address_is_set(sqlite_app, monkeypatch):
    from rich.console import Console

    from dondoc.cli.up import print_addresses

    sqlite_app.import_file(ROOT / "examples" / "ke-hoach-cchc-xa-ngoc-lien-2026-2030.txt", unit_name="Xã Ngọc Liên")
    console = Console(record=True, width=80, file=open(os.devnull, "w"))
    print_addresses(sqlite_app, console, web_url="http://127.0.0.1:8093", prefect_ui="http://127.0.0.1:4393")
    text = console.export_text()
    assert "Trang web và lịch: http://127.0.0.1:8093" in text and "Giao diện Prefect: http://127.0.0.1:4393" in text
    [link] = [line for line in text.splitlines() if line.startswith("  Xã Ngọc Liên: ")]
    assert link.startswith("  Xã Ngọc Liên: http://127.0.0.1:8093/s/")
