"""No input gives a 500: random paths and random forms, with a valid anti-forgery token so they reach
the handlers, posted to every route of the web application (Hypothesis), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dondoc.storage import links
from dondoc.storage.db import unit_of_work
from dondoc.storage.models import Office
from test_web_office import KINH_TE, make_site

# What people and scripts really send, and what breaks naive code: digits that are not ASCII, NUL and
# other control characters, lone surrogates' neighbours, very long values, dates and numbers.
NASTY = ["", "0", "1", "5", "43", "-1", "99999999999999999999", "²", "٤٢", "1e3", " 5 ", "\x00", "a\x00b", "\x1b[31m",
         "2026-02-30", "31/12/2026", "9999-12-31", "hoan_thanh", "dang_thuc_hien", "vuong_mac", "x" * 3000,
         "<script>alert(1)</script>", "'; DROP TABLE items; --", "../../etc/passwd", "%00", "🙂", "\u202e", "Ⅻ"]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
FIELDS = ["status", "note", "product", "milestone", "due", "new_due", "reason", "by", "on", "days", "item", "meaning",
          "kind", "office", "id", "name", "role", "areas", "tags", "email", "zalo_user_id", "phone", "channels", "head",
          "sha", "filename", "name_0", "choice_0", "back", "text", "to"]
FORMS = st.dictionaries(st.sampled_from(FIELDS), TEXT, max_size=8)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def site(engine):
    site = make_site(engine)
    with unit_of_work(engine) as session:
        unit_id = session.scalar(select(Office.unit_id))
        site.standing = links.ensure_link(session, links.STANDING, unit_id).token
        office_id = session.scalar(select(Office.id).where(Office.name == KINH_TE))
        site.feed = links.ensure_link(session, links.OFFICE_FEED, unit_id, office_id).token
    return site


def _routes(site):
    o, l, s = site.tokens[KINH_TE], site.leadership, site.standing
    item = str(site.items["43"])
    gets = [f"/o/{o}", f"/o/{o}/items/{{}}", f"/o/{o}/evidence/{{}}", f"/l/{l}", f"/l/{l}/items/{{}}",
            f"/l/{l}/evidence/{{}}", f"/l/{l}/reports/{{}}", f"/s/{s}/reports/{{}}", f"/l/{l}/reports/{{}}/{{}}",
            f"/s/{s}", f"/feeds/{site.feed}.ics", "/feeds/{}.ics", "/o/{}", "/l/{}/items/{}", "/healthz", "/"]
    posts = {f"/o/{o}/items/{item}": f"/o/{o}/items/{item}", f"/o/{o}/items/{{}}": f"/o/{o}",
             f"/l/{l}/items/{item}/ack": f"/l/{l}/items/{item}", f"/l/{l}/items/{item}/extend": f"/l/{l}/items/{item}",
             f"/l/{l}/items/{{}}/ack": f"/l/{l}/items/{item}", **{f"/s/{s}/{p}": f"/s/{s}" for p in (
                 "import", "resolve", "deadline", "trigger", "report", "links/rotate", "people", "people/remove",
                 "people/import")}}
    return gets, posts


def _csrf(site, page: str) -> str:
    answer = site.client.get(page)
    assert answer.status_code == 200, (page, answer.status_code)
    return re.search(r'name="csrf" value="([^"]+)"', answer.text).group(1)


def _fill(template: str, values: list[str]) -> str:
    parts = iter(values)
    return re.sub(r"\{\}", lambda _: quote(next(parts, "1"), safe=""), template)


def test_random_paths_and_forms_never_give_a_500(site):
    gets, posts = _routes(site)
    tokens = {page: _csrf(site, page) for page in set(posts.values())}

    @SETTINGS
    @given(route=st.sampled_from(sorted(gets)), values=st.lists(TEXT, min_size=2, max_size=2))
    def get_anything(route, values):
        answer = site.client.get(_fill(route, values))
        assert answer.status_code < 500, (route, values, answer.status_code, answer.text[:300])

    @SETTINGS
    @given(route=st.sampled_from(sorted(posts)), values=st.lists(TEXT, min_size=1, max_size=1), form=FORMS,
           upload=st.sampled_from([None, b"", b"\x00" * 10, b"PK\x03\x04broken", "TT\tNội dung\n".encode()]))
    def post_anything(route, values, form, upload):
        data = {"csrf": tokens[posts[route]], **form}
        files = {"file": ("tep.txt", upload)} if upload is not None else None
        answer = site.client.post(_fill(route, values), data=data, files=files, follow_redirects=False)
        assert answer.status_code < 500, (route, values, form, answer.status_code, answer.text[:300])
        assert "data refused" not in answer.text, (route, form)  # the rules caught it before the database did
        seen.add(answer.status_code)

    seen: set[int] = set()
    get_anything()
    post_anything()
    assert seen - {403, 404}, seen  # the forms reached the handlers, not only the guards
