"""Province-scale demo data: realistic, varied, reproducible."""

from datetime import date

from sqlalchemy import func, select

from dondoc.domain.status import Shown
from dondoc.storage.db import read_session
from dondoc.storage.models import Item, Office, StatusUpdate, Unit


def test_demo_data_builds_varied_communes(app):
    engine = app.engine
    summary = app.build_demo(communes=4, seed=7, as_of=date(2027, 6, 30), province="Tỉnh Thanh Hóa")
    assert summary.units == 4 and summary.plans == 5 and summary.items == 4 * 62 + 31
    with read_session(engine) as s:
        communes = s.scalars(select(Unit).where(Unit.level == "commune")).all()
        assert len(communes) == 4 and all(u.parent_id is not None for u in communes)
        assert s.scalar(select(func.count(Item.id))) == summary.items
        assert s.scalar(select(func.count(StatusUpdate.id))) == summary.updates > 0
        # Spelling variants were written into the cells, and all resolved to the same offices.
        leads = set(s.scalars(select(Item.lead_text)))
        assert {"Văn Phòng HĐND và UBND", "Văn phòng HĐND&UBND xã"} & leads
        assert s.scalar(select(func.count(Office.id)).where(Office.from_config.is_(False))) == 0
    report = app.status(date(2027, 6, 30))
    seen = {r.shown for r in report.rows}
    assert {Shown.DONE_ON_TIME, Shown.DONE_LATE, Shown.OVERDUE, Shown.CONTINUOUS, Shown.AWAITING} <= seen
    # Same seed, same data: a second build into the same database adds nothing new.
    again = app.build_demo(communes=4, seed=7, as_of=date(2027, 6, 30), province="Tỉnh Thanh Hóa")
    assert again.updates == 0
