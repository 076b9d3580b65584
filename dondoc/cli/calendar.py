"""``dondoc calendar``: write an office's or a leadership's calendar feed to an .ics file.

The same core as the web feed (:func:`dondoc.feeds.build_feed`): the file holds
the same events, UIDs and SEQUENCE a calendar app subscribed to the feed link sees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dondoc.cli import app, console, fail, guarded, parse_day, ready_engine, today
from dondoc.configuration import load_config
from dondoc.settings import get_settings


def _scope(engine, office: str | None, unit: str | None, leadership: bool):
    from dondoc.db import read_session
    from dondoc.feeds import Scope
    from dondoc.models import Unit
    from dondoc.plans import find_offices, find_unit
    from sqlalchemy import select

    with read_session(engine) as session:
        unit_row = find_unit(session, unit) if unit else None
        if leadership:
            if office:
                fail("Lịch lãnh đạo gồm mọi mục của đơn vị: bỏ tên cơ quan, chỉ dùng --unit (office not allowed).")
            if unit_row is None:
                units = list(session.scalars(select(Unit).where(Unit.plans.any())))
                if len(units) != 1:
                    names = ", ".join(u.name for u in units) or "(chưa có)"
                    fail(f"Hãy chọn đơn vị bằng --unit (several units). Các đơn vị: {names}")
                unit_row = units[0]
            return Scope(unit_row.id), f"lãnh đạo {unit_row.name}"
        if not office:
            fail("Cần tên cơ quan, hoặc --leadership cho lịch của lãnh đạo (office required).")
        found = find_offices(session, office, unit_row.id if unit_row else None)
        if len({o.id for o in found}) > 1:
            names = "; ".join(f"{o.name} ({o.unit.name})" for o in found)
            fail(f"Tên «{office}» khớp nhiều cơ quan, hãy nói rõ hơn hoặc chọn --unit (ambiguous office): {names}")
        return Scope(found[0].unit_id, found[0].id), found[0].name


@app.command()
@guarded
def calendar(
    office: Annotated[Optional[str], typer.Argument(help='Cơ quan, ví dụ "Phòng Kinh tế"')] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Tệp .ics sẽ ghi")] = Path("lich.ics"),
    unit: Annotated[Optional[str], typer.Option(help="Đơn vị (khi có nhiều đơn vị)")] = None,
    leadership: Annotated[bool, typer.Option("--leadership", help="Lịch của lãnh đạo: mọi mục của đơn vị")] = False,
    as_of: Annotated[Optional[str], typer.Option(help="Tính trạng thái đến ngày (YYYY-MM-DD), mặc định hôm nay")] = None,
):
    """Ghi lịch hạn các mục (iCalendar .ics) của một cơ quan hoặc của lãnh đạo đơn vị, kèm nhắc trước hạn."""
    from dondoc import feeds, links
    from dondoc.db import unit_of_work

    settings = get_settings()
    day = parse_day(as_of, "--as-of") or today()
    engine = ready_engine()
    scope, who = _scope(engine, office, unit, leadership)
    options = feeds.options_from(settings, load_config(), day)
    try:
        built = feeds.build_feed(engine, scope, options)
    except feeds.FeedNotFound as exc:
        fail(str(exc))
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(built.body)
    except OSError as exc:
        fail(f"Không ghi được tệp {output}: {exc.strerror or exc} (cannot write).", 1)
    with unit_of_work(engine) as session:
        book = links.LinkBook(session, settings.public_url)
        url = book.leadership_feed(scope.unit_id) if scope.leadership else book.office_feed(scope.office_id)
    console.print(f"Đã ghi {built.events} sự kiện của {who} vào {output}.", highlight=False)
    console.print(f"Đăng ký lịch (tự cập nhật) bằng đường dẫn: {url}", highlight=False, soft_wrap=True)
