"""What the pages and feeds reuse between requests: the office page's status run per unit and the feeds, kept
until their own unit changes (a write in another commune leaves them alone), and seen fresh across processes
when the web server runs several workers."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from conftest import PLAN_001, PLAN_002, build_app, seed_path
from fastapi.testclient import TestClient
from sqlalchemy import select

from dondoc.storage import links
from dondoc.storage.db import unit_of_work
from dondoc.storage.models import Item, Office, Plan, Unit
from dondoc.usecases.feedcache import FeedCache
from dondoc.usecases.unitcache import StatusRuns, UnitCache
from dondoc.web.app import create_app

NGOC_LIEN, TRUONG_XUAN = "Xã Ngọc Liên", "Xã Trường Xuân"
TODAY = datetime(2026, 4, 15, 8, 0)


def _tokens(app) -> dict[str, str]:
    with unit_of_work(app.engine) as session:
        units = dict(session.execute(select(Unit.name, Unit.id)).all())
        office = {name: session.scalar(select(Office.id).where(Office.unit_id == units[name],
                                                               Office.name == "Phòng Kinh tế"))
                  for name in (NGOC_LIEN, TRUONG_XUAN)}
        item = session.scalar(select(Item.id).join(Plan, Plan.id == Item.plan_id)
                              .where(Plan.unit_id == units[NGOC_LIEN], Item.number == "43"))
        return {
            "page": links.ensure_link(session, links.OFFICE, units[NGOC_LIEN], office[NGOC_LIEN]).token,
            "other_page": links.ensure_link(session, links.OFFICE, units[TRUONG_XUAN], office[TRUONG_XUAN]).token,
            "feed": links.ensure_link(session, links.OFFICE_FEED, units[NGOC_LIEN], office[NGOC_LIEN]).token,
            "item": str(item),
        }


def _two_communes():
    """The two example plans, each in its commune, and the links of the pages the tests ask for."""
    app = build_app(TODAY)
    app.import_file(seed_path(PLAN_001), unit_name=NGOC_LIEN)
    app.import_file(seed_path(PLAN_002), unit_name=TRUONG_XUAN)
    return app, _tokens(app)


@pytest.fixture
def two_communes(db_url):
    return _two_communes()


def test_the_office_page_reuses_its_units_status_run_until_the_unit_changes(two_communes):
    app, tokens = two_communes
    web = create_app(app)
    runs: StatusRuns = web.state.status_runs
    client = TestClient(web)
    page = f"/o/{tokens['page']}"
    assert client.get(page).status_code == 200 and runs.builds == 1
    assert client.get(f"{page}/items/{tokens['item']}").status_code == 200
    assert client.get(f"{page}?loc=qua-han").status_code == 200 and runs.builds == 1
    app.record_update("1", "dang_thuc_hien", unit=TRUONG_XUAN, note="Đang triển khai")
    assert client.get(page).status_code == 200 and runs.builds == 1  # another commune's write
    assert client.get(f"/o/{tokens['other_page']}").status_code == 200 and runs.builds == 2
    app.record_update("43", "hoan_thanh", unit=NGOC_LIEN, product="Kế hoạch số 12/KH-UBND")
    shown = client.get(f"{page}/items/{tokens['item']}")
    assert runs.builds == 3 and "Kế hoạch số 12/KH-UBND" in shown.text
    assert "hoàn thành" in shown.text.lower()


def test_the_province_page_is_built_once_until_one_of_its_communes_changes(two_communes):
    app, _ = two_communes
    with unit_of_work(app.engine) as session:
        province = Unit(name="Tỉnh Thanh Hóa", slug="tinh-thanh-hoa", level="province")
        session.add(province)
        session.flush()
        for commune in session.scalars(select(Unit).where(Unit.name.in_([NGOC_LIEN, TRUONG_XUAN]))):
            commune.parent_id = province.id
        token = links.ensure_link(session, links.LEADERSHIP, province.id).token
    web = create_app(app)
    views: UnitCache = web.state.province_views
    client = TestClient(web)
    first = client.get(f"/l/{token}")
    assert first.status_code == 200 and NGOC_LIEN in first.text and TRUONG_XUAN in first.text
    built = views.builds  # the first build issues the communes' leadership links: a write of its own
    assert client.get(f"/l/{token}").text == client.get(f"/l/{token}").text and views.builds <= built + 1
    built = views.builds
    assert client.get(f"/l/{token}").status_code == 200 and views.builds == built  # nothing changed: reused
    app.record_update("1", "hoan_thanh", unit=TRUONG_XUAN, product="Báo cáo số 1")  # a commune's write
    assert client.get(f"/l/{token}").status_code == 200 and views.builds == built + 1


def test_a_feed_is_rebuilt_after_a_write_in_its_unit_only(two_communes):
    app, tokens = two_communes
    web = create_app(app)
    web.state.feed_cache = cache = FeedCache(version_ttl=0)
    client = TestClient(web)
    url = f"/feeds/{tokens['feed']}.ics"
    first = client.get(url)
    assert first.status_code == 200 and cache.builds == 1
    app.record_update("1", "hoan_thanh", unit=TRUONG_XUAN, product="Quyết định số 3/QĐ-UBND")
    again = client.get(url)
    assert cache.builds == 1 and again.headers["etag"] == first.headers["etag"]
    app.record_update("43", "hoan_thanh", unit=NGOC_LIEN, product="Kế hoạch số 12/KH-UBND")
    changed = client.get(url)
    assert cache.builds == 2 and changed.headers["etag"] != first.headers["etag"]


def test_the_cache_is_bounded_and_builds_once_per_version():
    now = [0.0]
    cache = UnitCache(max_entries=2, max_age=60, clock=lambda: now[0])
    built = []

    def build(tag):
        built.append(tag)
        return tag

    assert cache.get("a", 1, lambda: build("a1")) == "a1"
    assert cache.get("a", 1, lambda: build("x")) == "a1"
    assert cache.get("a", 2, lambda: build("a2")) == "a2"
    cache.get("b", 1, lambda: build("b1"))
    cache.get("c", 1, lambda: build("c1"))  # "a" is the least recently used: dropped
    assert cache.get("a", 2, lambda: build("a2 again")) == "a2 again"
    now[0] = 61.0
    assert cache.get("a", 2, lambda: build("a2 late")) == "a2 late"
    assert built == ["a1", "a2", "b1", "c1", "a2 again", "a2 late"]


@pytest.fixture
def served(sqlite_engine):
    return _two_communes()


def test_several_worker_processes_serve_and_see_a_write_made_elsewhere(served):
    from dondoc.web.server import WebServer

    app, tokens = served
    item_page = f"/o/{tokens['page']}/items/{tokens['item']}"
    with WebServer(app, host="127.0.0.1", port=0, workers=2) as web:
        assert web.running and len({c.pid for c in web.children}) == 2
        with httpx.Client(base_url=web.url, timeout=60) as client:
            assert client.get("/healthz").text == "ok"
            before = [client.get(item_page) for _ in range(6)]  # both workers build and keep the run
            assert all(r.status_code == 200 for r in before)
            assert "Báo cáo từ một tiến trình khác" not in before[0].text
            app.record_update("43", "vuong_mac", unit=NGOC_LIEN, note="Báo cáo từ một tiến trình khác")
            after = [client.get(item_page) for _ in range(6)]
            assert all("Báo cáo từ một tiến trình khác" in r.text for r in after)
            # the pages' fixed day is the application's clock, in every worker
            assert all(re.search(r"15/04/2026", r.text) for r in after)
    assert not web.running and all(c.poll() is not None for c in web.children)
