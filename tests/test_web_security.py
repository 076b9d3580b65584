"""Security of the office and leadership pages: one test per point."""

from __future__ import annotations

import base64
import logging

import pytest
from sqlalchemy import select

from conftest import PLAN_001, seed_path
from dondoc.storage import links
from dondoc.storage.db import read_session, unit_of_work
from dondoc.storage.models import Acknowledgement, Evidence, Extension, Item, Office
from test_web_office import KINH_TE, PDF, make_site


@pytest.fixture
def site(engine):
    return make_site(engine)


def test_link_tokens_carry_at_least_128_random_bits(site):
    tokens = [*site.tokens.values(), site.leadership]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128


def test_unknown_mistyped_rotated_and_wrong_kind_links_are_not_found(site):
    office = site.tokens[KINH_TE]
    for path in ("/o/unknown", f"/o/{office[:-1]}", f"/o/{office}x/items/{site.items['43']}",
                 "/l/unknown", f"/l/{office}", f"/o/{site.leadership}", f"/l/{site.leadership}/items/abc",
                 "/o/" + "a" * 500):
        answer = site.client.get(path)
        assert answer.status_code == 404, path
        assert "Không tìm thấy trang" in answer.text
    with unit_of_work(site.engine) as session:
        kinh_te = session.scalar(select(Office).where(Office.name == KINH_TE))
        new_office = links.rotate(session, links.OFFICE, kinh_te.unit_id, kinh_te.id).token
        new_leadership = links.rotate(session, links.LEADERSHIP, kinh_te.unit_id).token
    assert site.client.get(f"/o/{office}").status_code == 404
    assert site.client.get(f"/o/{office}/items/{site.items['43']}").status_code == 404
    assert site.client.get(f"/l/{site.leadership}").status_code == 404
    assert site.client.get(f"/o/{new_office}").status_code == 200
    assert site.client.get(f"/l/{new_leadership}").status_code == 200


def _unchanged(site) -> None:
    assert site.updates() == []
    with read_session(site.engine) as session:
        assert session.scalars(select(Acknowledgement)).all() == []
        assert session.scalars(select(Extension)).all() == []


def test_a_post_without_the_right_anti_forgery_token_is_refused(site):
    office_item = site.office_url(number="43")
    lead_item = f"/l/{site.leadership}/items/{site.items['43']}"
    good_office = site.csrf(office_item)
    good_lead = site.csrf(lead_item)
    report = {"status": "hoan_thanh", "product": "Kế hoạch số 1/KH-UBND"}
    for url, data in [
        (office_item, report),
        (office_item, {**report, "csrf": "x" * 64}),
        (office_item, {**report, "csrf": good_lead}),  # a token made for another link
        (lead_item + "/ack", {"by": "Nguyễn Văn An"}),
        (lead_item + "/ack", {"by": "Nguyễn Văn An", "csrf": good_office}),
        (lead_item + "/extend", {"by": "Nguyễn Văn An", "new_due": "2026-06-30", "csrf": "y" * 64}),
    ]:
        answer = site.client.post(url, data=data, follow_redirects=False)
        assert answer.status_code == 403, (url, data)
        assert "vui lòng tải lại trang" in answer.text
    # a valid token without its cookie (another browser) is refused too
    site.client.cookies.clear()
    assert site.client.post(office_item, data={**report, "csrf": good_office}).status_code == 403
    _unchanged(site)


def test_a_post_from_another_site_is_refused(site):
    office_item = site.office_url(number="43")
    lead_item = f"/l/{site.leadership}/items/{site.items['43']}"
    csrf_office, csrf_lead = site.csrf(office_item), site.csrf(lead_item)
    evil = {"Origin": "https://evil.example"}
    answers = [
        site.client.post(office_item, data={"csrf": csrf_office, "status": "hoan_thanh", "product": "x"}, headers=evil),
        site.client.post(lead_item + "/ack", data={"csrf": csrf_lead, "by": "A"}, headers=evil),
        site.client.post(lead_item + "/extend", data={"csrf": csrf_lead, "by": "A", "new_due": "2026-06-30"},
                         headers=evil),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert "trang khác" in answers[0].text
    _unchanged(site)
    same_site = site.client.post(office_item, data={"csrf": csrf_office, "status": "dang_thuc_hien"},
                                 headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert same_site.status_code == 303


@pytest.mark.parametrize("fields, message", [
    ({"status": "dang_thuc_hien", "note": "á" * 2001}, "Ghi chú tiến độ dài 2001 ký tự, tối đa 2000 ký tự"),
    ({"status": "hoan_thanh", "product": "b" * 501}, "Sản phẩm dài 501 ký tự, tối đa 500 ký tự"),
])
def test_office_fields_have_length_limits(site, fields, message):
    answer = site.report("43", **fields)
    assert answer.status_code == 422
    assert message in answer.text
    assert fields.get("note", fields.get("product")) in answer.text  # the form keeps what was typed
    assert site.updates() == []
    at_limit = {"status": "hoan_thanh", "note": "á" * 2000, "product": "b" * 500}
    assert site.report("43", **at_limit).status_code == 303


def test_leadership_fields_have_length_limits(site):
    url = f"/l/{site.leadership}/items/{site.items['43']}"
    csrf = site.csrf(url)
    answers = [
        site.client.post(url + "/ack", data={"csrf": csrf, "by": "A" * 201}),
        site.client.post(url + "/ack", data={"csrf": csrf, "by": "A", "note": "n" * 2001}),
        site.client.post(url + "/extend", data={"csrf": csrf, "by": "A", "new_due": "2026-06-30", "reason": "r" * 2001}),
        site.client.post(url + "/extend", data={"csrf": csrf, "by": "A", "new_due": "2026-06-30" + "0" * 50}),
    ]
    assert [a.status_code for a in answers] == [422] * 4
    assert "tối đa 200 ký tự" in answers[0].text
    assert "Ghi chú dài 2001 ký tự, tối đa 2000 ký tự" in answers[1].text
    assert "Lý do dài 2001 ký tự, tối đa 2000 ký tự" in answers[2].text
    _unchanged(site)


def test_plan_text_is_shown_escaped(engine, tmp_path):
    text = seed_path(PLAN_001).read_text(encoding="utf-8")
    cell = "Tham mưu cho UBND xã bố trí kinh phí"
    assert cell in text
    plan = tmp_path / "ke-hoach.txt"
    plan.write_text(text.replace(cell, "<script>alert(1)</script> " + cell), encoding="utf-8")
    site = make_site(engine, plan_path=plan)
    # the importer drops tags from cells; a cell that still holds one (edited or read by another reader) is escaped
    with unit_of_work(site.engine) as session:
        item = session.get(Item, site.items["43"])
        item.content = "<script>alert(1)</script> " + item.content
        item.deadline_text = item.deadline_text + " <script>alert(1)</script>"
    pages = [site.client.get(site.office_url()), site.client.get(site.office_url(number="43")),
             site.client.get(f"/l/{site.leadership}"), site.client.get(f"/l/{site.leadership}/items/{site.items['43']}")]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert site.report("43", status="vuong_mac", note="<img src=x onerror=alert(2)>").status_code == 303
    overview = site.client.get(f"/l/{site.leadership}").text
    assert "<img src=x" not in overview and "&lt;img src=x onerror=alert(2)&gt;" in overview


def test_an_evidence_file_too_big_is_refused_with_a_clear_message(engine):
    site = make_site(engine, upload_max_bytes=4096)
    big = PDF + b"0" * 4096
    answer = site.report("43", status="dang_thuc_hien", note="kèm tệp",
                         files={"evidence": ("bao-cao.pdf", big, "application/pdf")})
    assert answer.status_code == 413
    assert "Tệp đính kèm quá lớn: tối đa 4 KB" in answer.text
    assert "kèm tệp" in answer.text  # the form keeps the note
    # far beyond the limit, the request is refused before it is read
    huge = site.report("43", status="dang_thuc_hien", files={"evidence": ("x.pdf", PDF + b"0" * 400_000, "application/pdf")})
    assert huge.status_code == 413
    assert "quá lớn" in huge.text
    assert site.updates() == []
    evidence_dir = site.settings.evidence_path
    assert not evidence_dir.exists() or list(evidence_dir.iterdir()) == []


@pytest.mark.parametrize("name, content", [
    ("chuong-trinh.exe", b"MZ\x90\x00" + b"\x00" * 64),
    ("trang.html", b"<html><script>alert(1)</script></html>"),
    ("gia-mao.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("gia-mao.docx", b"PK\x03\x04" + b"\x00" * 64),
    ("khong-duoi", PDF),
])
def test_an_evidence_file_of_another_type_is_refused(site, name, content):
    answer = site.report("43", status="dang_thuc_hien", note="kèm tệp",
                         files={"evidence": (name, content, "application/pdf")})
    assert answer.status_code == 415
    assert "Chỉ nhận tệp PDF, ảnh JPG/PNG" in answer.text
    assert site.updates() == []
    with read_session(site.engine) as session:
        assert session.scalars(select(Evidence)).all() == []
    evidence_dir = site.settings.evidence_path
    assert not evidence_dir.exists() or list(evidence_dir.iterdir()) == []


def test_the_access_log_never_shows_a_token(site, caplog):
    caplog.set_level(logging.INFO, logger="dondoc.web.access")
    office = site.tokens[KINH_TE]
    site.report("43", status="dang_thuc_hien", note="x", files={"evidence": ("a.pdf", PDF, "application/pdf")})
    with read_session(site.engine) as session:
        evidence_id = session.scalar(select(Evidence.id))
    site.client.get(f"{site.office_url()}/evidence/{evidence_id}")
    site.client.get(f"/l/{site.leadership}")
    site.client.get(f"/l/{site.leadership}/items/{site.items['43']}")
    site.client.get(f"/o/{office}x")
    records = [r for r in caplog.records if r.name == "dondoc.web.access"]
    assert len(records) == 6
    logged = "\n".join(r.getMessage() for r in records)
    assert "/o/…/items/" in logged and "/o/…/evidence/" in logged and "/l/…" in logged
    for token in (office, site.leadership):
        assert token not in logged
        assert token[:8] not in logged


def test_every_answer_asks_for_no_referrer(site):
    office_item = site.office_url(number="43")
    csrf = site.csrf(office_item)
    answers = [
        site.client.get(site.office_url()),
        site.client.get(office_item),
        site.client.get(f"/l/{site.leadership}"),
        site.client.get("/o/unknown"),
        site.client.post(office_item, data={"status": "dang_thuc_hien"}),  # 403
        site.client.post(office_item, data={"csrf": csrf, "status": "vuong_mac"}),  # 422
        site.client.post(office_item, data={"csrf": csrf, "status": "dang_thuc_hien"}, follow_redirects=False),  # 303
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 403, 422, 303]
    for answer in answers:
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert '<meta name="referrer" content="no-referrer">' in answers[0].text
