"""Writes under contention: another writer holds the database (as a long import does) while offices
post reports on the web and the standing office records updates from the command line. Every report
is either stored or shown back to its sender; nothing is lost silently; no 500, no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from test_web_office import KINH_TE, make_site

BUSY = "Hệ thống đang bận"
NUMBERS = ["5", "43", "37", "4", "1"]
DONDOC = Path(sys.executable).parent / "dondoc"


@contextmanager
def writer_holding_the_database(url: str):
    """Another writer in the middle of a long transaction; released when the block ends."""
    holder = create_engine(url, poolclass=None) if not url.startswith("sqlite") else create_engine(
        url, connect_args={"timeout": 5, "isolation_level": None})
    conn = holder.connect()
    try:
        if url.startswith("sqlite"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.exec_driver_sql("UPDATE plans SET title = title")
        else:
            conn.execute(text("LOCK TABLE status_updates IN EXCLUSIVE MODE"))
        yield
    finally:
        if url.startswith("sqlite"):
            conn.exec_driver_sql("ROLLBACK")
        else:
            conn.rollback()
        conn.close()
        holder.dispose()


def _post_all(site, count: int):
    """``count`` reports posted at once, each with its own note (what the office would have to retype)."""
    forms = []
    for n in range(count):
        number = NUMBERS[n % len(NUMBERS)]
        url = site.office_url(KINH_TE, number)
        forms.append((url, {"csrf": site.csrf(url), "status": "dang_thuc_hien", "note": f"Báo cáo số {n} của phòng"}))
    with ThreadPoolExecutor(max_workers=count) as pool:
        answers = list(pool.map(lambda f: site.client.post(f[0], data=f[1], follow_redirects=False), forms))
    return forms, answers


def _cli_updates(db_url: str, count: int, busy: str) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "DONDOC_DATABASE_URL": db_url, "DONDOC_DB_BUSY_SECONDS": busy, "COLUMNS": "80"}
    procs = [subprocess.Popen([str(DONDOC), "update", NUMBERS[n], "--status", "dang_thuc_hien",
                               "--note", f"Cập nhật dòng lệnh {n}", "--unit", "Xã Ngọc Liên"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for n in range(count)]
    done = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return done


def test_a_held_database_refuses_every_report_clearly_and_loses_none(engine, db_url):
    site = make_site(engine, db_busy_seconds=0.5)
    before = len(site.updates())
    with writer_holding_the_database(db_url):
        forms, answers = _post_all(site, 20)
        cli = _cli_updates(db_url, 5, "0.5")
    assert len(site.updates()) == before  # nothing half-stored
    for (url, form), answer in zip(forms, answers):
        assert answer.status_code == 503, answer.text[:300]
        assert answer.headers["retry-after"].isdigit()
        assert BUSY in answer.text
        assert form["note"] in answer.text  # the form comes back filled in: nothing to retype
    for run in cli:
        assert run.returncode == 1, run.stderr
        assert BUSY in run.stderr and "Traceback" not in run.stderr
        assert len(run.stderr.strip().splitlines()) <= 3, run.stderr
        assert db_url not in run.stderr

    # The same reports sent again once the writer is done: each stored once. Twenty at once with a short
    # busy wait may still refuse a few (they wait for one another): those are shown back and sent again.
    pending = [(url, form) for url, form in forms]
    for _round in range(10):
        with ThreadPoolExecutor(max_workers=len(pending)) as pool:
            answers = list(pool.map(lambda f: site.client.post(f[0], data=f[1], follow_redirects=False), pending))
        assert all(a.status_code in (303, 503) for a in answers)
        assert all(form["note"] in a.text for (_u, form), a in zip(pending, answers) if a.status_code == 503)
        pending = [f for f, a in zip(pending, answers) if a.status_code == 503]
        if not pending:
            break
    assert not pending
    notes = [u.note for u in site.updates()[before:]]
    assert sorted(notes) == sorted(f["note"] for _, f in forms)


def test_reports_wait_for_a_short_writer_and_are_all_stored(engine, db_url):
    site = make_site(engine, db_busy_seconds=30)
    before = len(site.updates())
    release = threading.Event()

    def hold():
        with writer_holding_the_database(db_url):
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        forms = []
        for n in range(10):
            url = site.office_url(KINH_TE, NUMBERS[n % len(NUMBERS)])
            forms.append((url, {"csrf": site.csrf(url), "status": "dang_thuc_hien", "note": f"Chờ ghi {n}"}))
        with ThreadPoolExecutor(max_workers=10) as pool:
            pending = [pool.submit(site.client.post, url, data=form, follow_redirects=False) for url, form in forms]
            release.set()  # the writer finishes while the reports wait for it
            answers = [p.result(timeout=60) for p in pending]
    finally:
        release.set()
        holder.join()
    assert [a.status_code for a in answers] == [303] * 10
    assert sorted(u.note for u in site.updates()[before:]) == sorted(f["note"] for _, f in forms)


def test_a_real_import_while_offices_report_each_report_is_stored_or_shown_back(engine, db_url):
    """A plan imported while 20 reports are posted and 5 updates run: whatever the timing, each report is
    either stored (303, exit 0) or refused in front of its sender with nothing stored (503, exit 1)."""
    from conftest import PLAN_002, build_app, seed_path

    site = make_site(engine, db_busy_seconds=2)
    before = len(site.updates())
    forms = []
    for n in range(20):
        url = site.office_url(KINH_TE, NUMBERS[n % len(NUMBERS)])
        forms.append((url, {"csrf": site.csrf(url), "status": "dang_thuc_hien", "note": f"Trong lúc nhập {n}"}))
    with ThreadPoolExecutor(max_workers=24) as pool:
        importer = build_app()  # the import waits as long as it must (the default busy wait); the reports do not
        imports = [pool.submit(importer.import_file, seed_path(PLAN_002), unit_name=f"Xã Nhập {k}") for k in range(3)]
        posts = [pool.submit(site.client.post, url, data=form, follow_redirects=False) for url, form in forms]
        cli = pool.submit(_cli_updates, db_url, 5, "2")
        answers = [p.result(timeout=300) for p in posts]
        runs = cli.result(timeout=300)
        for i in imports:
            i.result(timeout=300)
    stored = [u.note for u in site.updates()[before:]]
    for (url, form), answer in zip(forms, answers):
        assert answer.status_code in (303, 503), answer.text[:300]
        if answer.status_code == 303:
            assert stored.count(form["note"]) == 1
        else:
            assert form["note"] in answer.text and form["note"] not in stored
    for n, run in enumerate(runs):
        assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
        assert stored.count(f"Cập nhật dòng lệnh {n}") == (1 if run.returncode == 0 else 0)
