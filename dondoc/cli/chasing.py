"""``dondoc chase``, ``dondoc check`` and ``dondoc people``: sending what is due, and who receives it."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from dondoc.cli.base import app, console, dondoc, fail, guarded

people_app = typer.Typer(help="Người nhận tin của từng đơn vị: nhập từ tệp, xem danh sách.", no_args_is_help=True)
app.add_typer(people_app, name="people")


def parse_moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    text = value.strip().replace("T", " ")
    for form in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    fail(f"--at: «{value}» không phải thời điểm hợp lệ, dùng «YYYY-MM-DD HH:MM» (giờ địa phương).")


@app.command()
@guarded
def chase(
    at: Annotated[Optional[str], typer.Option("--at", help="Thời điểm gửi «YYYY-MM-DD HH:MM» (giờ địa phương), mặc định bây giờ")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Chỉ một đơn vị")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
):
    """Gửi ngay mọi tin đến hạn của mọi mục (như các lượt chạy theo lịch), và gửi lại các tin chưa tới."""
    application = dondoc()
    moment = application.local(parse_moment(at))
    result = application.chase(moment, unit=unit)
    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
        return
    console.print(f"Lúc {moment:%H:%M %d/%m/%Y}: đã gửi {result.sent}, gửi lại được {result.redelivered}, "
                  f"chưa tới {result.failed}, bỏ qua {result.skipped} (đã gửi trước hoặc chưa đến lượt thử lại), "
                  f"hoãn {result.deferred}; {result.digested} cảnh báo chờ bản tổng hợp cho lãnh đạo.")
    if result.deferred_until:
        console.print(f"Giờ yên lặng hoặc ngày nghỉ: gửi từ {result.deferred_until:%H:%M %d/%m/%Y}.")
    if result.failed:
        console.print("[yellow]Tin chưa tới sẽ được gửi lại ở các lượt sau[/] (xem: dondoc deliveries --failed).")
    if result.given_up:
        console.print(f"Đã báo văn phòng {result.given_up} tin không gửi được.")


@app.command()
def check():
    """Kiểm tra người nhận và kênh gửi: đối tượng nào không ai nhận (tag:, area:, office:), thiết lập sai."""
    problems = dondoc().check()
    if not problems:
        console.print("[green]Không có vấn đề:[/] mọi đối tượng nhận tin đều có người nhận, kênh gửi hợp lệ.")
        return
    console.print(f"[bold red]{len(problems)} vấn đề[/] cần sửa trước khi tin đến hạn:", highlight=False)
    print_problems(problems)
    raise typer.Exit(1)


def print_problems(problems, out=None) -> None:
    """Grouped by unit (settings first), each problem with a hanging indent at any width."""
    out = out or console
    groups: dict[str | None, list[str]] = {}
    for problem in problems:
        groups.setdefault(problem.unit, []).append(problem.text)
    for unit, texts in groups.items():
        out.print(f"[bold]{unit or 'Thiết lập'}[/]", highlight=False)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, justify="right")
        grid.add_column(overflow="fold")
        for text in texts:
            grid.add_row("–", Text(text))
        out.print(grid, highlight=False, markup=False)


@people_app.command("import")
def people_import(
    file: Annotated[Path, typer.Argument(help="Tệp .yaml (như people.yaml) hoặc .xlsx (mỗi dòng một người)")],
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị (bỏ trống khi chỉ có một)")] = None,
):
    """Thay danh sách người nhận của một đơn vị bằng danh sách trong tệp (tất cả hoặc không gì)."""
    from dondoc.storage.lookups import LookupFailed
    from dondoc.usecases.people import PeopleFileError

    if not file.is_file():
        fail(f"Không có tệp {file}.")
    try:
        result = dondoc().import_people(file, unit=unit)
    except (PeopleFileError, LookupFailed) as exc:
        fail(str(exc))
    c = result.changes
    console.print(f"{result.unit}: {result.count} người nhận (thêm {c.added}, sửa {c.changed}, bỏ {c.removed}).",
                  highlight=False)
    if result.skipped:
        console.print(f"Bỏ qua {len(result.skipped)} người của đơn vị khác: {', '.join(result.skipped)}.", highlight=False)
    problems = [p for p in dondoc().check() if p.unit in (None, result.unit)]
    if problems:
        console.print(f"[yellow]Kiểm tra:[/] {len(problems)} vấn đề (dondoc check):")
        print_problems(problems)


@people_app.command("list")
@guarded
def people_list(unit: Annotated[Optional[str], typer.Option(help="Đơn vị (bỏ trống khi chỉ có một)")] = None):
    """Người nhận tin của một đơn vị và kênh của họ."""
    name, people = dondoc().unit_people(unit)
    table = Table("Mã", "Họ và tên", "Chức vụ", "Cơ quan / lĩnh vực / nhóm", "Kênh", title=name)
    for p in people.people:
        scope = "; ".join(filter(None, [(p.office or "") + (" (trưởng)" if p.head else ""),
                                        ", ".join(f"lĩnh vực {a}" for a in p.areas), ", ".join(p.tags)]))
        table.add_row(p.id, p.name, p.role or "", scope, ", ".join(people.channel_order(p)))
    console.print(table)
