"""The office page on plan 001 (Xã Ngọc Liên), computed for Friday 10/04/2026."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conftest import PLAN_001, PLAN_002, seed_path
from dondoc.app import Dondoc
from dondoc.clock import FixedClock
from dondoc.settings import get_settings
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import Evidence, Item, ItemOffice, Milestone, Office, StatusUpdate
from dondoc.web.app import create_app

TODAY = date(2026, 4, 10)
KINH_TE = "Phòng Kinh tế"
VAN_HOA = "Phòng Văn hóa - Xã hội"
PDF = b"%PDF-1.4\n% minh chung\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Site:
    engine: object
    settings: object
    client: TestClient
    app: Dondoc
    tokens: dict[str, str]  # office name -> token of its page
    leadership: str
    items: dict[str, int]  # item number -> id

    def office_url(self, office: str = KINH_TE, number: str | None = None) -> str:
        base = f"/o/{self.tokens[office]}"
        return base if number is None else f"{base}/items/{self.items[number]}"

    def csrf(self, url: str) -> str:
        page = self.client.get(url)
        assert page.status_code == 200, page.text
        return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    def report(self, number: str, office: str = KINH_TE, files=None, **fields):
        url = self.office_url(office, number)
        data = {"csrf": self.csrf(url), **fields}
        return self.client.post(url, data=data, files=files, follow_redirects=False)

    def updates(self) -> list[StatusUpdate]:
        with read_session(self.engine) as session:
            return list(session.scalars(select(StatusUpdate).order_by(StatusUpdate.id)))


def make_site(engine, plan_path: Path | None = None, today: date = TODAY, **settings_update) -> Site:
    settings = get_settings()
    if settings_update:
        settings = settings.model_copy(update=settings_update)
    app = Dondoc.build(settings, clock=FixedClock(today))
    app.import_file(plan_path or seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    with unit_of_work(engine) as session:
        offices = list(session.scalars(select(Office)))
        tokens = {o.name: links.ensure_link(session, links.OFFICE, o.unit_id, o.id).token for o in offices}
        leadership = links.ensure_link(session, links.LEADERSHIP, offices[0].unit_id).token
        items = {i.number: i.id for i in session.scalars(select(Item))}
    client = TestClient(create_app(app))
    return Site(engine, settings, client, app, tokens, leadership, items)


@pytest.fixture
def site(engine) -> Site:
    return make_site(engine)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_every_item_lists_lead_items_first_and_what_needs_attention_on_top(site):
    page = site.client.get(site.office_url() + "?loc=tat-ca")
    assert page.status_code == 200
    html = page.text
    assert "Nhiệm vụ của Phòng Kinh tế" in html
    position = {n: html.index(f'id="item-{site.items[n]}"') for n in ("37", "43", "5", "4", "1")}
    # overdue since 02/02 before overdue since 31/03, then on track, then awaiting; continuous items last, folded
    assert position["37"] < position["43"] < position["5"] < position["4"] < position["1"]
    assert html.index("Nhiệm vụ chủ trì") < position["37"]
    assert f'class="card red" id="item-{site.items["43"]}"' in html
    assert f'class="card blue" id="item-{site.items["5"]}"' in html
    assert "quá 10 ngày" in html  # 43: due 31/03/2026
    folded = html.index('<details class="continuous">')
    assert folded < position["1"] and html.index("Nhiệm vụ thường xuyên") > folded
    # cooperating items come after every lead item, in their own section; continuous ones in the folded section
    with read_session(site.engine) as session:
        office_id = session.scalar(select(Office.id).where(Office.name == KINH_TE))
        roles = {(r.item_id, r.role) for r in session.scalars(select(ItemOffice).where(ItemOffice.office_id == office_id))}
    lead = {i for i, role in roles if role == "lead"}
    coop_only = {i for i, role in roles if role == "coop"} - lead
    assert coop_only
    continuous = set(map(int, re.findall(r'id="item-(\d+)"', html[folded:])))
    assert continuous and all(
        "thường xuyên" in html[html.index(f'id="item-{i}"'):].split("</article>")[0] for i in continuous)
    coop_heading = html.index("Nhiệm vụ phối hợp")
    assert all(html.index(f'id="item-{i}"') < coop_heading for i in lead - continuous)
    assert all(coop_heading < html.index(f'id="item-{i}"') < folded for i in coop_only - continuous)
    assert html.count('enctype="multipart/form-data"') == len(lead | coop_only)


def test_reporting_done_with_a_product_turns_the_item_green(site):
    answer = site.report("5", status="hoan_thanh", product="Quyết định số 45/QĐ-UBND", note="Đã trình UBND xã")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{site.office_url(number='5')}?ok=saved"
    page = site.client.get(answer.headers["location"])
    assert "Đã ghi nhận báo cáo" in page.text
    assert '<span class="badge green">hoàn thành đúng hạn</span>' in page.text
    assert "Quyết định số 45/QĐ-UBND" in page.text
    [update] = site.updates()
    assert (update.status, update.source, update.reported_by, update.as_of) == ("hoan_thanh", "web", KINH_TE, TODAY)
    assert (update.product, update.note) == ("Quyết định số 45/QĐ-UBND", "Đã trình UBND xã")
    listing = site.client.get(site.office_url() + "?loc=tat-ca").text
    assert f'class="card green" id="item-{site.items["5"]}"' in listing


def test_done_after_the_due_date_is_orange_and_the_list_form_comes_back_to_the_list(site):
    answer = site.report("43", status="hoan_thanh", product="Tờ trình số 8/TTr-KT", back="list")
    assert answer.headers["location"] == f"{site.office_url()}?ok=saved&item={site.items['43']}#item-{site.items['43']}"
    listing = site.client.get(answer.headers["location"]).text
    card = listing[listing.index(f'id="item-{site.items["43"]}"'):]
    assert "Đã ghi nhận báo cáo" in card[:card.index("</article>")]
    assert f'class="card orange" id="item-{site.items["43"]}"' in listing


@pytest.mark.parametrize("fields, message", [
    ({"status": "vuong_mac"}, "Khi báo vướng mắc, hãy ghi rõ lý do"),
    ({"status": "hoan_thanh"}, "Khi báo hoàn thành, hãy ghi sản phẩm"),
    ({"status": "xong"}, "Hãy chọn một trạng thái"),
    ({"status": "dang_thuc_hien", "milestone": "9"}, "Mốc thời gian đã chọn không có"),
])
def test_an_incomplete_report_is_shown_again_with_the_reason(site, fields, message):
    answer = site.report("43", **{"note": "", **fields})
    assert answer.status_code == 422
    assert message in answer.text
    assert site.updates() == []


def test_done_without_a_document_may_say_its_result_in_the_note(site):
    assert site.report("43", status="hoan_thanh", note="Đã tổ chức hội nghị ngày 20/3").status_code == 303
    [update] = site.updates()
    assert update.status == "hoan_thanh" and update.product is None


def test_a_blocked_report_keeps_its_reason_as_the_latest_note(site):
    assert site.report("43", status="vuong_mac", note="Chưa được bố trí kinh phí").status_code == 303
    page = site.client.get(site.office_url(number="43")).text
    assert "vướng mắc" in page and "Chưa được bố trí kinh phí" in page


def test_a_report_may_name_the_milestone(site):
    # item 37 has three milestones; the second is its yearly report
    assert site.report("37", status="dang_thuc_hien", milestone="2", note="Đang tổng hợp").status_code == 303
    [update] = site.updates()
    with read_session(site.engine) as session:
        positions = list(session.scalars(select(Milestone.id).where(Milestone.item_id == site.items["37"],
                                                                    Milestone.active.is_(True))
                                         .order_by(Milestone.position)))
    assert update.milestone_id == positions[1]


def test_the_item_page_shows_the_whole_history_newest_first(site):
    for n, note in enumerate(["Bước một", "Bước hai", "Bước ba", "Bước bốn"]):
        assert site.report("5", status="dang_thuc_hien", note=note).status_code == 303
    item_page = site.client.get(site.office_url(number="5")).text
    history = item_page[item_page.index("Lịch sử báo cáo"):]
    assert [history.index(n) for n in ("Bước bốn", "Bước ba", "Bước hai", "Bước một")] == sorted(
        history.index(n) for n in ("Bước bốn", "Bước ba", "Bước hai", "Bước một"))
    listing = site.client.get(site.office_url() + "?loc=chu-tri").text
    card = listing[listing.index(f'id="item-{site.items["5"]}"'):]
    card = card[: card.index("</article>")]
    assert "Bước bốn" in card and "Bước một" not in card  # the list shows the latest three
    assert "Lịch sử báo cáo (4)" in card and "Xem toàn bộ 4 báo cáo" in card


def test_an_item_of_another_office_is_not_found(site):
    with read_session(site.engine) as session:
        kinh_te = session.scalar(select(Office.id).where(Office.name == KINH_TE))
        mine = set(session.scalars(select(ItemOffice.item_id).where(ItemOffice.office_id == kinh_te)))
    foreign = next(i for i in site.items.values() if i not in mine)
    url = f"{site.office_url()}/items/{foreign}"
    assert site.client.get(url).status_code == 404
    csrf = site.csrf(site.office_url())
    assert site.client.post(url, data={"csrf": csrf, "status": "dang_thuc_hien"}).status_code == 404
    assert site.client.get(f"{site.office_url()}/items/abc").status_code == 404
    assert site.client.get(f"{site.office_url()}/items/999999").status_code == 404
    assert site.updates() == []


@pytest.mark.parametrize("name, content, content_type", [
    ("Báo cáo số 12.pdf", PDF, "application/pdf"),
    ("anh.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg"),
    ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
    ("quyet-dinh.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("bang.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "application/vnd.ms-excel"),
])
def test_evidence_is_kept_by_its_digest_and_served_back_as_an_attachment(site, name, content, content_type):
    content = content if content is not None else docx_bytes()
    answer = site.report("5", status="hoan_thanh", product="Kế hoạch số 12/KH-UBND",
                         files={"evidence": (name, content, "application/octet-stream")})
    assert answer.status_code == 303, answer.text
    with read_session(site.engine) as session:
        [evidence] = session.scalars(select(Evidence)).all()
    assert (evidence.filename, evidence.content_type, evidence.size) == (name, content_type, len(content))
    stored = site.settings.evidence_path / evidence.sha256
    assert stored.read_bytes() == content
    assert [p.name for p in site.settings.evidence_path.iterdir()] == [evidence.sha256]
    page = site.client.get(answer.headers["location"]).text
    assert f'{site.office_url()}/evidence/{evidence.id}' in page
    download = site.client.get(f"{site.office_url()}/evidence/{evidence.id}")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-type"].startswith(content_type)
    # another office, even one cooperating on the item, cannot fetch it
    assert site.client.get(f"{site.office_url(VAN_HOA)}/evidence/{evidence.id}").status_code == 404
    # leadership of the unit can
    assert site.client.get(f"/l/{site.leadership}/evidence/{evidence.id}").content == content


def test_an_evidence_file_name_is_cleaned(site):
    answer = site.report("5", status="dang_thuc_hien", note="x",
                         files={"evidence": ('..\\..\\tạm/<b>"kế hoạch".pdf', PDF, "application/pdf")})
    assert answer.status_code == 303
    with read_session(site.engine) as session:
        assert session.scalar(select(Evidence.filename)) == "bkế hoạch.pdf"


def test_a_recorded_report_queues_a_resync_of_the_item_schedule(site, monkeypatch):
    import dondoc.web.office as office

    queued = []
    monkeypatch.setattr(office, "resync_after", lambda tasks, request, item_ids: queued.append(item_ids))
    assert site.report("43", status="vuong_mac", note="").status_code == 422
    assert queued == []
    assert site.report("43", status="hoan_thanh", product="Tờ trình số 8/TTr-KT").status_code == 303
    assert queued == [[site.items["43"]]]


def test_a_cooperating_office_reports_its_part_but_cannot_close_the_lead_offices_item(site):
    with read_session(site.engine) as session:
        office_id = session.scalar(select(Office.id).where(Office.name == KINH_TE))
        roles = {}
        for link in session.scalars(select(ItemOffice)):
            roles.setdefault(link.item_id, {})[link.office_id] = link.role
        number = next(n for n, i in sorted(site.items.items(), key=lambda kv: int(kv[0]))
                      if roles[i].get(office_id) == "coop" and "lead" not in [r for o, r in roles[i].items() if o == office_id])
        lead_id = next(o for o, r in roles[site.items[number]].items() if r == "lead")
        lead = session.scalar(select(Office.name).where(Office.id == lead_id))
    item_id = site.items[number]
    before = {(r.label, r.nominal_due): r.shown for r in site.app.status(TODAY).rows if r.item_id == item_id}
    page = site.client.get(site.office_url(KINH_TE, number)).text
    assert "Phần việc phối hợp" in page

    answer = site.report(number, status="hoan_thanh", product="Báo cáo phối hợp số 3/BC-KT", note="Đã gửi số liệu")
    assert answer.status_code == 303
    [update] = site.updates()
    assert (update.part, update.reported_by) == ("coop", KINH_TE)
    after = {(r.label, r.nominal_due): r.shown for r in site.app.status(TODAY).rows if r.item_id == item_id}
    assert after == before  # the lead office's milestone is not closed by a cooperating office
    assert not any(str(s).startswith("hoan_thanh") for s in after.values())

    # The lead office and the leadership see the cooperating report, marked as such.
    lead_page = site.client.get(site.office_url(lead, number)).text
    assert "phần phối hợp: hoàn thành" in lead_page and "Báo cáo phối hợp số 3/BC-KT" in lead_page
    leadership = site.client.get(f"/l/{site.leadership}/items/{item_id}").text
    assert "phần phối hợp: hoàn thành" in leadership

    # The lead office's own report closes it.
    assert site.report(number, office=lead, status="hoan_thanh", product="Kế hoạch số 9/KH-UBND").status_code == 303
    done = {(r.label, r.nominal_due): r.shown for r in site.app.status(TODAY).rows if r.item_id == item_id}
    assert any(str(s).startswith("hoan_thanh") for s in done.values())


# --- tabs, search, header, the status form, what people read -------------------------------------------------

TABS = ("can-lam", "qua-han", "sap-den-han", "chu-tri", "phoi-hop", "thuong-xuyen", "cho", "tat-ca")


def listed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="card [a-z]+" id="item-(\d+)"', html)]


def expected_tabs(site: Site, office: str = KINH_TE, today: date = TODAY) -> dict[str, set[int]]:
    """What each tab should list, worked out from the status run and the office's roles."""
    with read_session(site.engine) as session:
        office_id = session.scalar(select(Office.id).where(Office.name == office))
        roles: dict[int, set[str]] = {}
        for link in session.scalars(select(ItemOffice).where(ItemOffice.office_id == office_id)):
            roles.setdefault(link.item_id, set()).add(link.role)
    shown: dict[int, set[str]] = {i: set() for i in roles}
    blocked: set[int] = set()
    for row in site.app.status(today).rows:
        if row.item_id in shown:
            shown[row.item_id].add(str(row.shown))
            if row.stored == "vuong_mac" and not str(row.shown).startswith("hoan_thanh"):
                blocked.add(row.item_id)
    lead = {i for i, r in roles.items() if "lead" in r}
    return {
        "can-lam": {i for i, s in shown.items() if s & {"qua_han", "sap_den_han"}} | blocked,
        "qua-han": {i for i, s in shown.items() if "qua_han" in s},
        "sap-den-han": {i for i, s in shown.items() if "sap_den_han" in s},
        "chu-tri": lead,
        "phoi-hop": set(roles) - lead,
        "thuong-xuyen": {i for i, s in shown.items() if s == {"thuong_xuyen"}},
        "cho": {i for i, s in shown.items() if "cho" in s},
        "tat-ca": set(roles),
    }


def test_each_tab_lists_its_items_server_side_with_its_count(site):
    assert site.report("5", status="vuong_mac", note="Chưa có kinh phí").status_code == 303  # blocked: needs doing
    expected = expected_tabs(site)
    assert site.items["5"] in expected["can-lam"] and expected["qua-han"] < expected["can-lam"]
    assert all(expected[t] for t in ("qua-han", "chu-tri", "phoi-hop", "thuong-xuyen", "cho"))
    default = site.client.get(site.office_url()).text
    assert set(listed(default)) == expected["can-lam"]
    for tab in TABS:
        page = site.client.get(f"{site.office_url()}?loc={tab}")
        assert page.status_code == 200
        items = listed(page.text)
        assert len(items) == len(set(items)) and set(items) == expected[tab], tab
        assert f'href="{site.office_url()}?loc={tab}" ' in page.text
        assert re.search(rf'\?loc={tab}"[^>]*aria-current="page"><b>{len(expected[tab])}</b>', page.text), tab
        # every tab shows every count, in items
        for other in TABS:
            assert re.search(rf'\?loc={other}"[^>]*><b>{len(expected[other])}</b>', page.text), (tab, other)
    # continuous items are folded into one section of their own in the lists of every item, lead and cooperating
    everything = site.client.get(f"{site.office_url()}?loc=tat-ca").text
    folded = everything[everything.index('<details class="continuous">'):]
    assert f"Nhiệm vụ thường xuyên <span class=\"muted\">({len(expected['thuong-xuyen'])})</span>" in folded
    assert set(listed(folded)) == expected["thuong-xuyen"]


def test_the_default_view_is_short_and_an_unknown_tab_falls_back_to_it(site):
    default = site.client.get(site.office_url()).text
    assert len(listed(default)) < 10
    assert "<b>Cần làm</b>" in default
    odd = site.client.get(f"{site.office_url()}?loc=%3Cb%3Exyz")
    assert odd.status_code == 200
    assert "Không có nhóm «&lt;b&gt;xyz»; đang hiện các nhiệm vụ cần làm." in odd.text
    assert listed(odd.text) == listed(default)


@pytest.mark.parametrize("query, numbers", [
    ("43", {"43"}), ("Mục 43", {"43"}), ("mục 43", {"43"}), ("số 37", {"37"}), ("999", set()),
])
def test_searching_by_item_number(site, query, numbers):
    page = site.client.get(site.office_url(), params={"q": query})
    assert page.status_code == 200
    assert set(listed(page.text)) == {site.items[n] for n in numbers}
    if not numbers:
        assert f"Không tìm thấy nhiệm vụ nào khớp với «{query}»." in page.text


def test_searching_by_words_with_or_without_accents_looks_through_every_item(site):
    with read_session(site.engine) as session:
        office_id = session.scalar(select(Office.id).where(Office.name == KINH_TE))
        mine = {i.id: i.content for i in session.scalars(
            select(Item).join(ItemOffice, ItemOffice.item_id == Item.id).where(ItemOffice.office_id == office_id))}
    wanted = {i for i, text in mine.items() if "kinh phí" in text.lower()}
    assert wanted
    for query in ("kinh phí", "KINH PHI", "  kinh   phi "):
        page = site.client.get(site.office_url(), params={"q": query}).text
        assert set(listed(page)) == wanted, query
        assert f"<b>{len(wanted)}</b> nhiệm vụ khớp với «{' '.join(query.split())}»" in page
    # within a tab, the search keeps to the tab
    in_tab = site.client.get(site.office_url(), params={"q": "kinh phí", "loc": "qua-han"}).text
    assert set(listed(in_tab)) == wanted & expected_tabs(site)["qua-han"]
    assert '<input type="hidden" name="loc" value="qua-han">' in in_tab


def test_the_header_names_the_office_and_its_unit(site):
    for url in (site.office_url(), site.office_url(number="43")):
        html = site.client.get(url).text
        assert "<span>Phòng Kinh tế – Xã Ngọc Liên</span>" in html
        assert "Phòng Kinh tế – Xã Ngọc Liên · Đôn Đốc</title>" in html


def _status_select(html: str, item_id: int) -> str:
    start = html.index(f'<select id="status-{item_id}"')
    return html[start:html.index("</select>", start)]


def test_no_status_is_chosen_for_an_item_never_reported(site):
    for url in (site.office_url(number="43"), site.office_url() + "?loc=tat-ca"):
        select_html = _status_select(site.client.get(url).text, site.items["43"])
        assert re.findall(r'<option value="([^"]*)"[^>]* selected', select_html) == [""]
        assert "— Chọn trạng thái —" in select_html and " required" in select_html
    # once reported, the form starts from the office's own latest status
    assert site.report("43", status="vuong_mac", note="Chưa có kinh phí").status_code == 303
    select_html = _status_select(site.client.get(site.office_url(number="43")).text, site.items["43"])
    assert re.findall(r'<option value="([^"]*)"[^>]* selected', select_html) == ["vuong_mac"]


def test_a_report_without_a_status_is_refused_in_vietnamese_and_the_form_kept(site):
    answer = site.report("43", note="Đã họp tổ công tác", product="Biên bản số 2")
    assert answer.status_code == 422
    assert "Hãy chọn một trạng thái cho báo cáo: chưa thực hiện, đang thực hiện, hoàn thành hoặc vướng mắc." in answer.text
    assert ">Đã họp tổ công tác</textarea>" in answer.text and 'value="Biên bản số 2"' in answer.text
    assert "dang_thuc_hien)" not in answer.text
    assert site.updates() == []


def test_a_report_from_a_tab_comes_back_to_the_same_tab_and_search(site):
    url = site.office_url(number="37")
    data = {"csrf": site.csrf(url), "status": "dang_thuc_hien", "note": "Đang soạn", "back": "list",
            "loc": "qua-han", "q": "trách nhiệm"}
    answer = site.client.post(url, data=data, follow_redirects=False)
    assert answer.status_code == 303
    item = site.items["37"]
    assert answer.headers["location"] == (f"{site.office_url()}?loc=qua-han&q=tr%C3%A1ch+nhi%E1%BB%87m"
                                          f"&ok=saved&item={item}#item-{item}")
    # an item that left the tab with the report stays in view once, with the confirmation
    done = site.report("43", status="hoan_thanh", product="Tờ trình số 8/TTr-KT", back="list")
    page = site.client.get(done.headers["location"]).text
    assert site.items["43"] in listed(page) and "Đã ghi nhận báo cáo" in page
    assert site.items["43"] not in listed(site.client.get(site.office_url()).text)


def test_office_pages_name_items_and_plans_without_codes(site):
    with read_session(site.engine) as session:
        from dondoc.storage.models import Plan
        code = session.scalar(select(Plan.code))
    assert code and "-" in code
    urls = [site.office_url() + f"?loc={tab}" for tab in TABS] + [site.office_url(number=n) for n in ("37", "43", "1")]
    for url in urls + [site.office_url() + "?q=kinh+ph%C3%AD"]:
        html = site.client.get(url).text
        assert code not in html, url
        assert "Nhiệm vụ số" not in html and "#37" not in html
    item_page = site.client.get(site.office_url(number="37")).text
    assert "<h1>Mục 37 " in item_page
    assert "Kế hoạch cải cách hành chính" in item_page  # the plan by its title
    assert ">Mục 37</a>" in site.client.get(site.office_url()).text


def test_with_items_of_several_plans_each_item_names_its_plan_by_title(site):
    site.app.import_file(seed_path(PLAN_002), unit_name="Xã Ngọc Liên")  # a second plan of the same unit
    html = site.client.get(site.office_url() + "?loc=tat-ca").text
    with read_session(site.engine) as session:
        from dondoc.storage.models import Plan
        plans = {p.code: p.title for p in session.scalars(select(Plan))}
    assert len(plans) == 2
    # both short titles are "KH CCHC 2026–2030": the full titles tell them apart
    for code, title in plans.items():
        assert f">{title}, mục " in html
        assert code not in html
    assert ">Mục " not in html


@pytest.mark.parametrize("params", [
    {"q": "x" * 5000}, {"q": "<script>alert(1)</script>"}, {"loc": "ô" * 300}, {"loc": ""}, {"q": "   "},
    {"ok": "saved", "item": "abc"}, {"ok": "saved", "item": "99999999999999999999"}, {"q": "%", "loc": "cho"},
])
def test_odd_filters_and_searches_give_a_page_not_an_error(site, params):
    page = site.client.get(site.office_url(), params=params)
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert 'class="filters"' in page.text


ASKING = date(2026, 5, 27)  # offices are asked for the "6 tháng" progress report (send by 02/06/2026)


def test_while_progress_reports_are_asked_for_the_lead_items_without_one_are_to_do(engine):
    site = make_site(engine, today=ASKING)
    expected = expected_tabs(site, today=ASKING)
    with read_session(site.engine) as session:
        office_id = session.scalar(select(Office.id).where(Office.name == KINH_TE))
        lead = set(session.scalars(select(ItemOffice.item_id).where(ItemOffice.office_id == office_id,
                                                                    ItemOffice.role == "lead")))
    open_lead = {i for i in lead if any(str(r.shown) in ("qua_han", "sap_den_han", "trong_han", "thuong_xuyen")
                                        for r in site.app.status(ASKING).rows if r.item_id == i)}
    page = site.client.get(site.office_url()).text
    assert set(listed(page)) == expected["can-lam"] | open_lead
    assert "chờ báo cáo tiến độ 6 tháng năm 2026 (hạn gửi 02/06/2026)" in page
    assert page.count("Chờ báo cáo tiến độ 6 tháng năm 2026: hạn gửi 02/06/2026") == len(open_lead)
    # continuous items waiting only for their progress report are folded
    folded = page[page.index('<details class="continuous">'):]
    assert set(listed(folded)) == {i for i in open_lead if i in expected["thuong-xuyen"]}
    assert "chờ báo cáo tiến độ 6 tháng năm 2026, hạn gửi 02/06/2026</span></summary>" in folded
    # a report in this round takes an item on track off the list; one from before the last round does not count
    on_track = next(n for n, i in site.items.items() if i in open_lead - expected["can-lam"] - expected["thuong-xuyen"])
    assert site.report(on_track, status="dang_thuc_hien", note="Đã xong bước 1").status_code == 303
    assert site.items[on_track] not in listed(site.client.get(site.office_url()).text)
    continuous = next(n for n, i in site.items.items() if i in open_lead & expected["thuong-xuyen"])
    site.app.record_update(f"{next(iter(site.app.status(ASKING).rows)).plan}#{continuous}", "dang_thuc_hien",
                           note="Báo cáo quý I", by=KINH_TE, on=date(2026, 2, 25), source="web")
    assert site.items[continuous] in listed(site.client.get(site.office_url()).text)


def test_an_item_opened_from_a_tab_leads_back_to_it(site):
    listing = site.client.get(site.office_url(), params={"loc": "chu-tri", "q": "kinh phí"}).text
    item = site.items["43"]
    link = f'{site.office_url()}/items/{item}?loc=chu-tri&amp;q=kinh+ph%C3%AD'
    assert f'href="{link}"' in listing
    page = site.client.get(f"{site.office_url()}/items/{item}", params={"loc": "chu-tri", "q": "kinh phí"}).text
    assert f'<a href="{site.office_url()}?loc=chu-tri&amp;q=kinh+ph%C3%AD#item-{item}">← Nhiệm vụ của Phòng Kinh tế</a>' in page
    assert f'action="{link}"' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    answer = site.client.post(link.replace("&amp;", "&"), data={"csrf": csrf, "status": "dang_thuc_hien", "back": "item"},
                              follow_redirects=False)
    assert answer.headers["location"] == f"{site.office_url()}/items/{item}?loc=chu-tri&q=kinh+ph%C3%AD&ok=saved"
    assert "Đã ghi nhận báo cáo" in site.client.get(answer.headers["location"]).text
