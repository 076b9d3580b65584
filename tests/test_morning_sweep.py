"""The morning's sweep: the first scheduled item run of a morning sends every item's messages of that
morning at once (set-based); the runs after it find theirs delivered; each message reaches each person once
whatever order the runs come in, and a sweep that died or failed is taken over."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from conftest import PLAN_001, build_app, seed_path
from dondoc.clock import utcnow
from dondoc.storage import sweeps
from dondoc.storage.db import read_session
from dondoc.storage.delivery_log import ChaseEntry, Delivery, Recipient
from dondoc.storage.models import Item, Sweep
from dondoc.usecases import chasing

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime(2026, 3, 17, 8, 0, tzinfo=TZ)  # Tuesday: items 37, 38 and 43 each have six messages due


@pytest.fixture
def app(engine):
    app = build_app(MORNING.replace(tzinfo=None))
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    return app


def item_id(app, number: str) -> int:
    with read_session(app.engine) as session:
        return session.scalar(select(Item.id).where(Item.number == number))


def delivered_per_item(app) -> Counter:
    """(message, person) pairs a channel took (the outbox here: nobody has an address), per item number."""
    with read_session(app.engine) as session:
        rows = session.execute(select(Item.number).join(ChaseEntry, ChaseEntry.item_id == Item.id)
                               .join(Recipient, Recipient.entry_id == ChaseEntry.id)
                               .where(Recipient.state == "delivered"))
        return Counter(number for (number,) in rows)


def deliveries_per_person(app) -> Counter:
    """Attempts that reached a person, per (message, person): never more than one."""
    with read_session(app.engine) as session:
        return Counter(session.execute(select(Delivery.ledger_key, Delivery.person)
                                       .where(Delivery.outcome.in_(["sent", "outbox"]))).all())


def test_the_first_run_of_the_morning_sends_every_items_messages(app):
    first = app.chase_checkpoint(item_id(app, "43"), MORNING)
    assert first.swept is not None and first.swept["sent"] == 18  # items 37, 38 and 43: six each
    assert delivered_per_item(app) == {"37": 6, "38": 6, "43": 6}
    assert first.sent == 0 and first.skipped == 6  # its own item's six were in the sweep: found delivered
    # the later runs of the same morning find theirs sent: nothing twice, no second sweep
    for number in ("37", "38"):
        later = app.chase_checkpoint(item_id(app, number), MORNING + timedelta(minutes=3))
        assert later.swept is None and later.sent == 0 and later.skipped == 6
    assert delivered_per_item(app) == {"37": 6, "38": 6, "43": 6}
    assert max(deliveries_per_person(app).values()) == 1
    with read_session(app.engine) as session:
        sweep = session.get(Sweep, "2026-03-17")
        assert sweep.finished_at is not None and sweep.counts["sent"] == 18 and "mục" in sweep.holder


def test_a_run_started_by_hand_sends_only_for_its_item(app):
    result = app.chase_checkpoint(item_id(app, "43"), MORNING, sweep=False)
    assert result.swept is None and result.sent == 6
    assert delivered_per_item(app) == {"43": 6}
    with read_session(app.engine) as session:
        assert session.scalar(select(func.count()).select_from(Sweep)) == 0
    # the scheduled runs that follow still sweep the rest, and send item 43's messages no second time
    assert app.chase_checkpoint(item_id(app, "37"), MORNING).swept["sent"] == 12
    assert delivered_per_item(app) == {"37": 6, "38": 6, "43": 6}


def test_no_sweep_in_quiet_hours(app):
    night = datetime(2026, 3, 17, 22, 0, tzinfo=TZ)
    result = app.chase_checkpoint(item_id(app, "43"), night)
    assert result.swept is None and result.sent == 0 and result.deferred == 6
    with read_session(app.engine) as session:
        assert session.scalar(select(func.count()).select_from(Sweep)) == 0
    # the deferred run of the next working morning sweeps that morning
    assert app.chase_checkpoint(item_id(app, "43"), MORNING + timedelta(days=1)).swept is not None


def test_a_sweep_whose_run_died_is_taken_over_after_the_lease(app):
    key, lease = "2026-03-17", chasing.SWEEP_LEASE
    now = utcnow()
    assert sweeps.claim(app.engine, key, "mục 1, tiến trình 1", lease, now - lease - timedelta(minutes=1))
    # the holder was killed before it finished: the next run takes the sweep over and sends everything
    result = app.chase_checkpoint(item_id(app, "37"), MORNING)
    assert result.swept is not None and result.swept["sent"] == 18
    # a claim still within its lease is left to its holder: the run sends its own item's messages only
    assert sweeps.claim(app.engine, "2026-03-18", "mục 2, tiến trình 2", lease, now)
    result = app.chase_checkpoint(item_id(app, "43"), MORNING + timedelta(days=1))
    assert result.swept is None
    with read_session(app.engine) as session:
        assert session.get(Sweep, "2026-03-18").holder == "mục 2, tiến trình 2"


def test_a_sweep_that_fails_gives_its_claim_back(app, monkeypatch):
    real = chasing.chase

    def broken(ctx, at, *, item_ids=None, **kwargs):
        if item_ids is None:
            raise ConnectionError("database went away")
        return real(ctx, at, item_ids=item_ids, **kwargs)

    monkeypatch.setattr(chasing, "chase", broken)
    with pytest.raises(ConnectionError):
        app.chase_checkpoint(item_id(app, "43"), MORNING)
    with read_session(app.engine) as session:
        assert session.get(Sweep, "2026-03-17") is None  # the next run (the task's retry) sweeps at once
    monkeypatch.setattr(chasing, "chase", real)
    assert app.chase_checkpoint(item_id(app, "43"), MORNING).swept["sent"] == 18


def test_one_claim_among_runs_that_start_together(app):
    barrier, won = threading.Barrier(8), []

    def take(n: int) -> None:
        barrier.wait()
        if sweeps.claim(app.engine, "2026-12-17", f"mục {n}", chasing.SWEEP_LEASE):
            won.append(n)

    threads = [threading.Thread(target=take, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1


def test_runs_of_one_morning_at_the_same_time_deliver_each_message_once(app):
    """Three item runs at once (as a worker starts them): whichever sweeps, every message goes out once."""
    ids = [item_id(app, n) for n in ("37", "38", "43")]
    barrier, results = threading.Barrier(3), []

    def run(item: int) -> None:
        barrier.wait()
        results.append(app.chase_checkpoint(item, MORNING))

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and sum(1 for r in results if r.swept is not None) == 1
    assert delivered_per_item(app) == {"37": 6, "38": 6, "43": 6}
    assert max(deliveries_per_person(app).values()) == 1
