"""The standing office's page: import, resolve office names, read deadlines, record triggers, links."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from conftest import PLAN_001, seed_path
from dondoc.storage import links
from dondoc.app import Dondoc
from dondoc.clock import FixedClock
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import AccessLink, Item, Milestone, Office, Plan, Unit
from dondoc.settings import Settings, get_settings
from dondoc.web.app import create_app

TODAY = date(2026, 4, 15)
LINES = seed_path(PLAN_001).read_text(encoding="utf-8").splitlines()
ITEM_5 = next(i for i, line in enumerate(LINES) if line.startswith("5.\t"))
UNKNOWN = 'Ban <dự án> "A&B"'


def plan_text(lead: str | None = None, deadline: str | None = None) -> bytes:
    cells = LINES[ITEM_5].split("\t")
    if lead is not None:
        cells[2] = lead
    if deadline is not None:
        cells[4] = deadline
    lines = list(LINES)
    lines[ITEM_5] = "\t".join(cells)
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def unit_id(engine):
    Dondoc.build(get_settings()).import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with read_session(engine) as session:
        return session.scalar(select(Unit.id))


def make_client(engine, settings: Settings | None = None) -> TestClient:
    app = create_app(Dondoc.build(settings or get_settings(), clock=FixedClock(TODAY)))
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def client(engine, unit_id):
    return make_client(engine)


@pytest.fixture
def token(engine, unit_id):
    with unit_of_work(engine) as session:
        return links.ensure_link(session, links.STANDING, unit_id).token


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def upload(client, token, name: str, data: bytes, csrf: str | None = None):
    csrf = csrf or csrf_of(client.get(f"/s/{token}"))
    return client.post(f"/s/{token}/import", data={"csrf": csrf}, files={"file": (name, data, "text/plain")})


def counts(engine) -> tuple:
    with read_session(engine) as session:
        return (session.scalar(select(func.count()).select_from(Plan)),
                session.scalar(select(func.count()).select_from(Item)),
                session.scalar(select(func.count()).select_from(Office)),
                tuple(session.scalars(select(Item.deadline_text).order_by(Item.id))))


def test_page_lists_waiting_items_and_links(client, token, engine):
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Trang cơ quan thường trực" in text and "Xã Ngọc Liên" in text and "15/04/2026" in text
    assert "Mục chờ sự kiện" in text and "Sau khi có văn bản của Tỉnh" in text
    assert f"http://localhost:8000/s/{token}" in text
    with read_session(engine) as session:
        office_link = session.scalar(select(AccessLink).where(AccessLink.kind == links.OFFICE))
        assert f"http://localhost:8000/o/{links.reveal(session, office_link)}" in text
        kinds = set(session.scalars(select(AccessLink.kind)))
    assert kinds == set(links.KINDS)
    # one script, from this site (the copy buttons); nothing inline
    assert re.findall(r"<script[^>]*>[^<]*</script>", page.text) == ['<script src="/static/standing.js" defer></script>']


def test_unknown_and_other_kind_tokens_are_404(client, engine, unit_id):
    assert client.get("/s/not-a-token").status_code == 404
    with unit_of_work(engine) as session:
        leadership = links.ensure_link(session, links.LEADERSHIP, unit_id).token
    assert client.get(f"/s/{leadership}").status_code == 404


def test_reimport_shows_the_report(client, token):
    page = upload(client, token, "ke-hoach.txt", seed_path(PLAN_001).read_bytes())
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Đã nhập lại kế hoạch" in text and "62 mục" in text and "giữ nguyên 62" in text


def test_bad_file_names_file_row_and_column_and_changes_nothing(client, token, engine):
    before = counts(engine)
    page = upload(client, token, "thieu-han.txt", plan_text(deadline=""))
    assert page.status_code == 400
    text = html.unescape(page.text)
    assert "thieu-han.txt" in text and f"dòng {ITEM_5 + 1}" in text and "Thời gian hoàn thành" in text
    broken = upload(client, token, "hong.xlsx", b"PK\x03\x04 broken")
    assert broken.status_code == 400 and "hong.xlsx" in html.unescape(broken.text)
    assert counts(engine) == before


def test_plan_of_another_unit_is_refused(client, token, engine):
    before = counts(engine)
    other = seed_path(PLAN_001).read_text(encoding="utf-8").replace("XÃ NGỌC LIÊN", "XÃ TRƯỜNG XUÂN")
    page = upload(client, token, "khac.txt", other.encode())
    assert page.status_code == 400 and "không phải của Xã Ngọc Liên" in html.unescape(page.text)
    assert counts(engine) == before


def test_upload_larger_than_the_limit_is_refused(engine, unit_id, token):
    client = make_client(engine, Settings(upload_max_bytes=1024))
    page = upload(client, token, "lon.txt", b"x" * 5000)
    assert page.status_code == 413 and "lon.txt" in page.text


def test_post_without_anti_forgery_token_is_refused(client, token, engine):
    before = counts(engine)
    client.get(f"/s/{token}")
    page = client.post(f"/s/{token}/import", data={"csrf": "forged"},
                       files={"file": ("ke-hoach.txt", plan_text(lead="Ban mới"), "text/plain")})
    assert page.status_code == 403
    assert counts(engine) == before


def test_unknown_office_is_resolved_and_remembered(client, token, engine):
    data = plan_text(lead=UNKNOWN, deadline="Tuần sau")
    page = upload(client, token, "ke-hoach-moi.txt", data)
    assert page.status_code == 200  # the items are stored and wait for their office
    assert "đang chờ xác định cơ quan" in html.unescape(page.text)
    with read_session(engine) as session:
        waiting = session.scalar(select(Item).where(Item.number == "5"))
        assert waiting.unknown_offices == [["Cơ quan chủ trì", UNKNOWN]]
        assert not [link for link in waiting.offices if link.role == "lead"]
    assert "Ban &lt;dự án&gt; &#34;A&amp;B&#34;" in page.text and UNKNOWN not in page.text  # escaped
    assert f"dòng {ITEM_5 + 1}" in page.text and "Phòng Kinh tế" in page.text
    sha = re.search(r'name="sha" value="([0-9a-f]{64})"', page.text).group(1)
    filename = re.search(r'name="filename" value="([^"]+)"', page.text).group(1)
    name = html.unescape(re.search(r'name="name_0" value="([^"]*)"', page.text).group(1))
    assert name == UNKNOWN and filename == "ke-hoach-moi.txt"

    done = client.post(f"/s/{token}/resolve", data={"csrf": csrf_of(page), "sha": sha, "filename": filename,
                                                    "name_0": name, "choice_0": "Phòng Kinh tế"})
    assert done.status_code == 200, done.text
    text = html.unescape(done.text)
    assert "Đã nhập lại kế hoạch" in text and "1 mục có thời hạn cần xem lại" in text
    with read_session(engine) as session:
        office = session.scalar(select(Office).where(Office.name == "Phòng Kinh tế"))
        assert UNKNOWN in office.aliases
        item5 = session.scalar(select(Item).where(Item.number == "5"))
        assert item5.lead_text == UNKNOWN and item5.needs_review and item5.unknown_offices is None
        assert [link.office.name for link in item5.offices if link.role == "lead"] == ["Phòng Kinh tế"]
    # The alias is remembered: the same file imports straight away.
    again = upload(client, token, "ke-hoach-moi.txt", data)
    assert again.status_code == 200 and "Đã nhập lại kế hoạch" in html.unescape(again.text)

    # The flagged deadline is listed and given a meaning by hand.
    page = client.get(f"/s/{token}")
    assert "Thời hạn cần xem lại (1)" in html.unescape(page.text) and "Tuần sau" in page.text
    bad = client.post(f"/s/{token}/deadline", data={"csrf": csrf_of(page), "item": str(item5.id), "meaning": "Tuần sau"})
    assert bad.status_code == 400 and "vẫn chưa đọc được" in html.unescape(bad.text)
    too_long = client.post(f"/s/{token}/deadline", data={"csrf": csrf_of(page), "item": str(item5.id), "meaning": "x" * 501})
    assert too_long.status_code == 400
    ok = client.post(f"/s/{token}/deadline", data={"csrf": csrf_of(page), "item": str(item5.id), "meaning": "Quý II/2026"})
    assert ok.status_code == 303 and ok.headers["location"] == f"/s/{token}?done=deadline"
    with read_session(engine) as session:
        item5 = session.get(Item, item5.id)
        assert not item5.needs_review and item5.deadline_override == "Quý II/2026"
        [milestone] = session.scalars(select(Milestone).where(Milestone.item_id == item5.id, Milestone.active.is_(True))).all()
        assert [o.nominal_due for o in milestone.occurrences] == [date(2026, 6, 30)]
    assert "Thời hạn cần xem lại (0)" in html.unescape(client.get(f"/s/{token}?done=deadline").text)


def test_unknown_office_created_as_new(client, token, engine):
    page = upload(client, token, "ke-hoach.txt", plan_text(lead="Ban Quản lý chợ xã"))
    assert page.status_code == 200 and 'name="name_0"' in page.text
    sha = re.search(r'name="sha" value="([0-9a-f]{64})"', page.text).group(1)
    done = client.post(f"/s/{token}/resolve", data={"csrf": csrf_of(page), "sha": sha, "filename": "ke-hoach.txt",
                                                    "name_0": "Ban Quản lý chợ xã", "choice_0": "__new__"})
    assert done.status_code == 200, done.text
    with read_session(engine) as session:
        office = session.scalar(select(Office).where(Office.name == "Ban Quản lý chợ xã"))
        assert office is not None and not office.from_config
    bad_sha = client.post(f"/s/{token}/resolve", data={"csrf": csrf_of(page), "sha": "../../etc", "filename": "x"})
    assert bad_sha.status_code == 400


def _waiting(engine, number: str) -> Milestone:
    with read_session(engine) as session:
        return session.scalar(select(Milestone).join(Item).where(Item.number == number, Milestone.kind == "event"))


def test_trigger_with_due_date_or_working_days(client, token, engine):
    milestone = _waiting(engine, "4")
    csrf = csrf_of(client.get(f"/s/{token}"))
    done = client.post(f"/s/{token}/trigger", data={"csrf": csrf, "milestone": str(milestone.id), "on": "2026-03-02",
                                                   "due": "2026-05-29", "note": "Công văn 123/SNV"})
    assert done.status_code == 303
    with read_session(engine) as session:
        m = session.get(Milestone, milestone.id)
        assert m.triggered_on == date(2026, 3, 2) and m.trigger_note == "Công văn 123/SNV"
        assert [(o.nominal_due, o.effective_due) for o in m.occurrences] == [(date(2026, 5, 29), date(2026, 5, 29))]
    page = client.get(f"/s/{token}?done=trigger")
    assert "Đã ghi nhận sự kiện" in html.unescape(page.text)
    assert f'name="milestone" value="{milestone.id}"' not in page.text  # no longer waiting

    other = _waiting(engine, "6")
    days = client.post(f"/s/{token}/trigger", data={"csrf": csrf, "milestone": str(other.id), "on": "2026-04-10",
                                                   "days": "5"})
    assert days.status_code == 303
    with read_session(engine) as session:
        [occ] = session.get(Milestone, other.id).occurrences
        assert occ.nominal_due == date(2026, 4, 17)  # five working days after Friday 10/04/2026
    both = client.post(f"/s/{token}/trigger", data={"csrf": csrf, "milestone": str(other.id), "on": "2026-04-10",
                                                   "days": "5", "due": "2026-05-01"})
    assert both.status_code == 400 and "đúng một trong hai" in html.unescape(both.text)


def test_rotating_links(client, token, engine, unit_id):
    page = client.get(f"/s/{token}")
    csrf = csrf_of(page)
    with read_session(engine) as session:
        office = session.scalar(select(Office).where(Office.name == "Phòng Kinh tế"))
        old = links.active_link(session, links.OFFICE, unit_id, office.id).token
    done = client.post(f"/s/{token}/links/rotate", data={"csrf": csrf, "kind": "office", "office": str(office.id)})
    assert done.status_code == 303 and done.headers["location"] == f"/s/{token}?done=rotated"
    with read_session(engine) as session:
        assert links.resolve(session, old) is None
        new = links.active_link(session, links.OFFICE, unit_id, office.id).token
    assert new in client.get(f"/s/{token}").text and old not in client.get(f"/s/{token}").text

    moved = client.post(f"/s/{token}/links/rotate", data={"csrf": csrf, "kind": "standing"})
    assert moved.status_code == 303
    target = moved.headers["location"]
    assert target.startswith("/s/") and token not in target
    assert client.get(f"/s/{token}").status_code == 404
    assert client.get(target).status_code == 200
    assert client.post(f"/s/{token}/links/rotate", data={"csrf": csrf, "kind": "standing"}).status_code == 404


def test_a_trigger_recorded_on_the_page_refreshes_the_items_schedule(client, token, engine, monkeypatch):
    """The item changed on the page is re-synced with Prefect after the response (best effort)."""
    import dondoc.orchestration.resync as resync

    assert resync.resync_items(Dondoc.build(get_settings()), [1]) == resync.NO_SERVER
    calls = []
    monkeypatch.setattr(resync, "resync_items", lambda app, item_ids: calls.append(item_ids))
    milestone = _waiting(engine, "4")
    csrf = csrf_of(client.get(f"/s/{token}"))
    done = client.post(f"/s/{token}/trigger", data={"csrf": csrf, "milestone": str(milestone.id), "on": "2026-03-02",
                                                   "days": "15"}, follow_redirects=False)
    assert done.status_code == 303
    assert calls == [[milestone.item_id]]


def test_items_are_named_with_their_text_and_never_by_plan_code(client, token):
    page = client.get(f"/s/{token}")
    text = html.unescape(page.text)
    waiting = text[text.index('id="waiting"'):text.index('id="report-on-behalf"')]
    summaries = re.findall(r"<summary>(.*?)</summary>", waiting)
    assert summaries and all(re.match(r"<b>Mục \d+:</b> \S", s) for s in summaries)
    with read_session(client.app.state.dondoc.engine) as session:
        item_4 = session.scalar(select(Item).where(Item.number == "4"))
        code, source = session.execute(select(Plan.code, Plan.source_file)).one()
    assert f"Mục 4:</b> {item_4.content[:60]}" in waiting
    assert "Sau khi có văn bản của Tỉnh" in waiting  # the event it waits for, under the item's text
    shown = page.text.replace(Path(source).name, "")  # the file the plan came from may be named anything
    assert code not in shown and "xa-ngoc-lien" not in shown


def test_each_link_has_a_copy_button_its_url_to_select_a_qr_code_and_a_send_button(client, token):
    page = client.get(f"/s/{token}")
    section = page.text[page.text.index('id="links"'):]
    rows = re.findall(r'<div class="link-row" id="link-([a-z_]+-\d*)">(.*?)</details>', section, re.S)
    assert len(rows) >= 3 + 2 * 8
    for lid, row in rows:
        assert f'<input class="url" id="url-{lid}" type="text" readonly value="http://localhost:8000/' in row
        assert f'data-copy="url-{lid}" hidden>Sao chép</button>' in row  # shown by the script; hidden without it
        assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="qr-code"><title>', row) and "<path" in row
        assert 'action="/s/' in row and "/links/send" in row and ">Gửi qua Zalo/email</button>" in row
        assert ">Thay mới</button>" in row
    assert client.get("/static/standing.js").status_code == 200


def test_sending_an_office_link_records_a_delivery_per_person_and_says_who_received_it(client, token, engine):
    from dondoc.storage.delivery_log import ChaseEntry, NotificationMessage, Recipient

    page = client.get(f"/s/{token}")
    for pid, name in (("kt1", "Phạm Thị Hoa"), ("kt2", "Đỗ Văn Minh")):
        saved = client.post(f"/s/{token}/people", data={
            "csrf": csrf_of(page), "id": pid, "name": name, "office": "Phòng Kinh tế", "email": f"{pid}@nl.test",
            "channels": "email"})
        assert saved.status_code == 303
    with read_session(engine) as session:
        office = session.scalar(select(Office).where(Office.name == "Phòng Kinh tế"))
        link = session.scalar(select(AccessLink).where(AccessLink.kind == links.OFFICE,
                                                      AccessLink.office_id == office.id, AccessLink.revoked_at.is_(None)))
        url = f"http://localhost:8000/o/{links.reveal(session, link)}"
    answer = client.post(f"/s/{token}/links/send", data={"csrf": csrf_of(page), "kind": "office",
                                                         "office": str(office.id)})
    assert answer.status_code == 200
    sent = html.unescape(answer.text[answer.text.index('id="sent"'):])
    sent = sent[:sent.index("</div>")]
    assert "Đã gửi đường dẫn Trang báo cáo của cơ quan: Phòng Kinh tế tới:" in sent
    # no mail server in the tests: each copy lands in the outbox, and the page says so
    assert "Phạm Thị Hoa (tin nằm ở hộp thư đi" in sent and "Đỗ Văn Minh (tin nằm ở hộp thư đi" in sent
    with read_session(engine) as session:
        [entry] = session.scalars(select(ChaseEntry).where(ChaseEntry.purpose == "link")).all()
        people = session.execute(select(Recipient.person, Recipient.state).where(Recipient.entry_id == entry.id)).all()
        message = session.scalar(select(NotificationMessage).where(NotificationMessage.ledger_key == entry.key))
    assert sorted(people) == [("kt1", "delivered"), ("kt2", "delivered")]
    assert message.data["link"] == url and message.data["office"] == "Phòng Kinh tế"
    # a second click in the same minute sends nothing more
    again = client.post(f"/s/{token}/links/send", data={"csrf": csrf_of(page), "kind": "office",
                                                        "office": str(office.id)})
    assert again.status_code == 200 and "Phạm Thị Hoa (tin nằm ở hộp thư đi" in html.unescape(again.text)
    with read_session(engine) as session:
        assert len(session.scalars(select(ChaseEntry).where(ChaseEntry.purpose == "link")).all()) == 1


def test_sending_a_link_is_refused_without_the_anti_forgery_token_or_for_another_units_office(client, token):
    assert client.post(f"/s/{token}/links/send", data={"kind": "leadership"}).status_code == 403
    page = client.get(f"/s/{token}")
    assert client.post(f"/s/{token}/links/send", data={"csrf": csrf_of(page), "kind": "office",
                                                       "office": "99999"}).status_code == 404
    assert client.post(f"/s/{token}/links/send", data={"csrf": csrf_of(page), "kind": "bogus"}).status_code == 400


def test_the_leadership_link_goes_to_the_people_tagged_leadership_else_to_the_standing_office(client, token):
    page = client.get(f"/s/{token}")
    nobody = client.post(f"/s/{token}/links/send", data={"csrf": csrf_of(page), "kind": "leadership"})
    sent = html.unescape(nobody.text[nobody.text.index('id="sent"'):])
    assert "Đã gửi đường dẫn Trang lãnh đạo tới:" in sent[:200] and "nhận thay cho lãnh đạo UBND" in sent[:400]
    saved = client.post(f"/s/{token}/people", data={"csrf": csrf_of(page), "id": "ct", "name": "Nguyễn Văn An",
                                                    "tags": "chu-tich, leadership", "email": "ct@nl.test"})
    assert saved.status_code == 303
    page = client.get(f"/s/{token}")
    rotated = client.post(f"/s/{token}/links/rotate", data={"csrf": csrf_of(page), "kind": "leadership"})
    assert rotated.status_code == 303  # a new link: a new message, even in the same minute
    answer = client.post(f"/s/{token}/links/send", data={"csrf": csrf_of(page), "kind": "leadership"})
    sent = html.unescape(answer.text[answer.text.index('id="sent"'):])
    sent = sent[:sent.index("</div>")]
    assert "tới: Nguyễn Văn An (" in sent and "nhận thay" not in sent
