"""``dondoc deliveries``, ``resend``, ``notify-test``, ``zalo-tokens``: the delivery log and the channels."""

from __future__ import annotations

import json
from datetime import timezone
from typing import Annotated, Optional

import typer
from rich.table import Table

from dondoc.cli.base import app, console, dondoc, fail


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
    application = dondoc()
    rows = application.deliveries(failed=failed, key=key, limit=limit)
    if as_json:
        console.print_json(json.dumps([{**r.__dict__, "at": r.at.isoformat()} for r in rows], ensure_ascii=False))
        return
    if not rows:
        console.print("Không có lần gửi nào thất bại." if failed else "Chưa có lần gửi nào.")
        return
    table = Table("ID", "Lúc", "Loại", "Người nhận", "Kênh", "Lần", "Kết quả", "Mã tin / lỗi", "Khóa sổ")
    for r in rows:
        at = (r.at if r.at.tzinfo else r.at.replace(tzinfo=timezone.utc)).astimezone(application.tz)
        table.add_row(str(r.id), f"{at:%d/%m/%Y %H:%M}", r.kind, r.person, r.channel, str(r.attempt), r.outcome,
                      r.error or r.provider_message_id or "", r.ledger_key)
    console.print(table)
    if failed:
        console.print("Gửi lại: dondoc resend ID")


def _dispatch(action) -> None:
    """Run ``action()``, print each person's outcome; exit 1 when someone was not reached."""
    from dondoc.configuration import ConfigError
    from notifications.delivery import DeliveryError

    try:
        report = action()
    except (DeliveryError, ConfigError) as exc:
        fail(str(exc))
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def resend(delivery_id: Annotated[int, typer.Argument(help="ID trong «dondoc deliveries»")]):
    """Gửi lại một tin đã ghi trong nhật ký tới đúng người nhận đó (thử lại mọi kênh của họ)."""
    _dispatch(lambda: dondoc().resend(delivery_id))


@app.command("notify-test")
def notify_test(person: Annotated[str, typer.Argument(help="ID của người trong people.yaml")]):
    """Gửi tin nhắn thử tới một người trên từng kênh của họ (Zalo, ZNS, email...)."""
    _dispatch(lambda: dondoc().notify_test(person))


@app.command("zalo-tokens")
def zalo_tokens(
    access_token: Annotated[str, typer.Option(prompt="Access token", hide_input=True, help="Access token của OA")],
    refresh_token: Annotated[str, typer.Option(prompt="Refresh token", hide_input=True, help="Refresh token của OA")],
):
    """Lưu cặp token Zalo OA (lấy từ trang quản lý ứng dụng Zalo) vào kho token trong thư mục dữ liệu."""
    path = dondoc().save_zalo_tokens(access_token, refresh_token)
    console.print(f"Đã lưu token Zalo vào {path} (chỉ chủ sở hữu đọc được).")
