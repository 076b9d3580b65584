"""The standing office's page, delivery part: the unit's people and the messages not delivered yet."""

from __future__ import annotations

import io

from openpyxl import Workbook

from conftest import build_app
from dondoc.settings import get_settings
from test_web_standing import client, csrf_of, token, unit_id  # noqa: F401 - fixtures

PEOPLE = """
people:
  - {id: vhxh, name: Trần Văn Cường, office: Phòng Văn hóa - Xã hội, head: true, email: vhxh@nl.test}
  - {id: ct, name: Nguyễn Văn An, tags: [chu-tich, leadership], email: ct@nl.test}
"""


def test_people_are_listed_added_changed_and_removed_without_losing_the_others(client, token, tmp_path,  # noqa: F811
                                                                             monkeypatch):
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    from test_web_standing import make_client

    client = make_client(None)
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert "Trần Văn Cường" in page.text and "Người nhận tin (2)" in page.text
    assert "Phó Chủ tịch UBND phụ trách lĩnh vực I, II, III" in page.text  # nobody holds them: said, by title

    added = client.post(f"/s/{token}/people", data={
        "csrf": csrf_of(page), "id": "pct", "name": "Lê Thị Bình", "role": "Phó Chủ tịch UBND xã",
        "areas": "I, II, III, IV, V, VI", "tags": "leadership", "email": "pct@nl.test", "channels": "email"})
    assert added.status_code == 303
    page = client.get(f"/s/{token}")
    assert "Người nhận tin (3)" in page.text and "Lê Thị Bình" in page.text and "phụ trách lĩnh vực I, II" not in page.text
    name, people = build_app().unit_people()
    assert [p.id for p in people.people] == ["vhxh", "ct", "pct"]  # the file's people kept, stored for the unit

    bad = client.post(f"/s/{token}/people", data={"csrf": csrf_of(page), "id": "có dấu cách", "name": "X",
                                                  "email": "không-phải-email"})
    assert bad.status_code == 422 and "không hợp lệ" in bad.text
    assert "Người nhận tin (3)" in bad.text

    edit = client.get(f"/s/{token}?edit=pct")
    assert 'value="Lê Thị Bình"' in edit.text and "readonly" in edit.text
    removed = client.post(f"/s/{token}/people/remove", data={"csrf": csrf_of(edit), "id": "ct"})
    assert removed.status_code == 303
    assert [p.id for p in build_app().unit_people()[1].people] == ["vhxh", "pct"]
    forged = client.post(f"/s/{token}/people/remove", data={"csrf": "forged", "id": "vhxh"})
    assert forged.status_code == 403


def test_a_spreadsheet_replaces_the_list_or_is_refused_naming_row_and_column(client, token):  # noqa: F811
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã", "Họ và tên", "Cơ quan", "Trưởng cơ quan", "Email", "Kênh"])
    sheet.append(["kt", "Hoàng Văn Em", "Phòng Kinh tế", "x", "kt@nl.test", "email"])
    sheet.append(["vhxh", "Trần Văn Cường", "Phòng Văn hóa - Xã hội", "có", "vhxh@nl.test", "email, zalo"])
    data = io.BytesIO()
    book.save(data)
    page = client.get(f"/s/{token}")
    done = client.post(f"/s/{token}/people/import", data={"csrf": csrf_of(page)},
                       files={"file": ("nguoi-nhan.xlsx", data.getvalue(), "application/octet-stream")})
    assert done.status_code == 303
    people = build_app().unit_people()[1]
    assert [(p.id, p.head, people.channel_order(p)) for p in people.people] == [
        ("kt", True, ["email"]), ("vhxh", True, ["email", "zalo"])]

    sheet.append(["sai", "Người Sai", "", "", "", "fax"])
    broken = io.BytesIO()
    book.save(broken)
    refused = client.post(f"/s/{token}/people/import", data={"csrf": csrf_of(page)},
                          files={"file": ("nguoi-nhan.xlsx", broken.getvalue(), "application/octet-stream")})
    assert refused.status_code == 422
    assert "dòng 4, cột F (Kênh)" in refused.text and "chưa ghi gì" in refused.text
    assert [p.id for p in build_app().unit_people()[1].people] == ["kt", "vhxh"]  # unchanged
