"""``dondoc deliveries``, ``resend``, ``notify-test``, ``zalo-tokens``: the delivery log and the channels."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from dondoc.cli.base import app, console, dondoc, fail, guarded
from dondoc.clock import aware


def _print_report(report) -> None:
    for outcome in report.outcomes:
        if outcome.delivered:
            where = "thư mục outbox" if outcome.channel == "outbox" else f"kênh {outcome.channel}"
            console.print(f"[green]Đã gửi[/] tới {outcome.person} qua {where} ({outcome.attempts} lần thử).")
        else:
            console.print(f"[red]Không gửi được[/] tới {outcome.person} sau {outcome.attempts} lần thử: {outcome.error}")


@app.command()
@guarded
def deliveries(
    failed: Annotated[bool, typer.Option("--failed", help="Tin chưa tới người nhận: sẽ gửi lại, có thể đã tới, đã thôi gửi")] = False,
    key: Annotated[Optional[str], typer.Option("--key", help="Chỉ các lần gửi của một khóa sổ (ledger key)")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ một đơn vị (với --failed)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="Số dòng tối đa")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON")] = False,
):
    """Nhật ký gửi tin (Zalo, email, outbox): mỗi lần thử một dòng; --failed: các tin chưa tới người nhận."""
    application = dondoc()
    if failed:
        return _not_delivered(application, unit, limit, as_json)
    rows = application.deliveries(key=key, limit=limit)
    if as_json:
        console.print_json(json.dumps([{**r.__dict__, "at": r.at.isoformat()} for r in rows], ensure_ascii=False))
        return
    if not rows:
        console.print("Không có lần gửi nào thất bại." if failed else "Chưa có lần gửi nào.")
        return
    table = Table("ID", "Lúc", "Loại", "Người nhận", "Kênh", "Lần", "Kết quả", "Mã tin / lỗi", "Khóa sổ")
    for r in rows:
        at = aware(r.at).astimezone(application.tz)
        table.add_row(str(r.id), f"{at:%d/%m/%Y %H:%M}", r.kind, r.person, r.channel, str(r.attempt), r.outcome,
                      r.error or r.provider_message_id or "", r.ledger_key)
    console.print(table)


def _not_delivered(application, unit, limit, as_json) -> None:
    rows = application.not_delivered(unit=unit, limit=limit)
    if as_json:
        def plain(value):
            return value.isoformat() if hasattr(value, "isoformat") else value

        console.print_json(json.dumps([{k: plain(v) for k, v in r.__dict__.items()} for r in rows], ensure_ascii=False))
        return
    if not rows:
        console.print("Mọi tin đã tới người nhận.")
        return
    table = Table("Tin", "Người nhận", "Tình trạng", "Lý do")
    for r in rows:
        state = r.state_label
        if r.next_try is not None:
            state += f" lúc {r.next_try:%H:%M %d/%m}"
        if r.state == "given_up":
            state += ", đã báo văn phòng" if r.reported else ", chưa báo văn phòng"
        table.add_row(f"{r.what} ({r.since:%d/%m})", r.person, f"{state} ({r.attempts} lần thử)", r.error)
    console.print(table)
    console.print("Tin chưa tới được gửi lại tự động đến hết hạn thử; gửi lại ngay: dondoc chase.")


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
