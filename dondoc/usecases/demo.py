"""Province-scale demonstration data, built from the two real appendices.

Every commune gets the Ngọc Liên appendix (62 items); every fourth also gets the
Trường Xuân one (31 items). Office names are rewritten with the spelling
variants real plans use, some fixed deadlines move by a quarter, and statuses
are drawn (with a fixed seed) so that a status run sees every shown status:
done on time, done late, overdue, blocked with a reason, in progress, progress
notes on continuous items. The same seed gives the same data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, select

from dondoc.importer import ParsedPlan, parse_plan_file
from dondoc.storage import unitversions
from dondoc.storage.db import unit_of_work
from dondoc.storage.models import Item, Milestone, Occurrence, Plan, StatusUpdate, Unit
from dondoc.text import slugify
from dondoc.usecases.context import Context
from dondoc.usecases.importing import import_plan
from dondoc.usecases.plans import EXAMPLES

NGOC_LIEN = "ke-hoach-cchc-xa-ngoc-lien-2026-2030.txt"
TRUONG_XUAN = "ke-hoach-cchc-xa-truong-xuan-2026-2030.txt"

COMMUNE_NAMES = [
    "An Bình", "Bình Minh", "Cẩm Thủy", "Đông Sơn", "Hà Trung", "Hoằng Hóa", "Hậu Lộc", "Nga Sơn",
    "Ngọc Lặc", "Như Xuân", "Nông Cống", "Quảng Xương", "Thạch Thành", "Thiệu Hóa", "Thọ Xuân",
    "Thường Xuân", "Triệu Sơn", "Vĩnh Lộc", "Yên Định", "Tĩnh Gia", "Lang Chánh", "Bá Thước",
    "Quan Hóa", "Mường Lát", "Xuân Lập", "Tân Phúc", "Minh Sơn", "Phú Lộc", "Hải Bình", "Kim Tân",
]

# Spelling variants real plans use for the same office.
VARIANTS = {
    "Văn phòng HĐND và UBND xã.": ["Văn phòng HĐND và UBND xã.", "Văn Phòng HĐND và UBND", "Văn phòng HĐND&UBND xã"],
    "Trung tâm Phục vụ hành chính công.": ["Trung tâm Phục vụ hành chính công.", "Trung tâm Phục vụ HCC", "Trung tâm PVHCC"],
    "Phòng Văn hóa - Xã hội.": ["Phòng Văn hóa - Xã hội.", "Phòng Văn hoá - Xã hội", "Phòng VH-XH"],
}
BLOCK_REASONS = [
    "Chưa có hướng dẫn của Sở Nội vụ",
    "Thiếu kinh phí thực hiện",
    "Cán bộ phụ trách nghỉ chế độ, chưa bố trí người thay",
    "Hệ thống phần mềm của tỉnh chưa nâng cấp xong",
]
PROGRESS_NOTES = [
    "Đã triển khai đến các thôn, tổ dân phố",
    "Đã rà soát {n} văn bản, đề nghị sửa đổi {k} văn bản",
    "Tổ chức {n} buổi tuyên truyền",
    "Tiếp nhận {n} hồ sơ, giải quyết đúng hạn {k} hồ sơ",
    "Đang tổng hợp số liệu quý",
]
PRODUCTS = ["Kế hoạch số {n}/KH-UBND", "Báo cáo số {n}/BC-UBND", "Quyết định số {n}/QĐ-UBND", "Thông báo số {n}/TB-UBND"]
QUARTER_SHIFT = {"Quý I/2026": "Quý II/2026", "Quý II/2026": "Quý III/2026"}


@dataclass
class DemoSummary:
    units: int = 0
    plans: int = 0
    items: int = 0
    updates: int = 0
    import_seconds: float = 0.0


def commune_name(index: int) -> str:
    base = COMMUNE_NAMES[index % len(COMMUNE_NAMES)]
    round_ = index // len(COMMUNE_NAMES)
    return f"Xã {base}" + (f" {round_ + 1}" if round_ else "")


def _vary(plan: ParsedPlan, rng: random.Random, name: str, heading: str) -> ParsedPlan:
    items = []
    for item in plan.items:
        lead, coop, deadline = item.lead, item.cooperating, item.deadline
        for canonical, variants in VARIANTS.items():
            key = canonical.rstrip(".")
            if key in lead:
                lead = lead.replace(canonical if canonical in lead else key, rng.choice(variants))
            if key in coop:
                coop = coop.replace(canonical if canonical in coop else key, rng.choice(variants))
        for text, later in QUARTER_SHIFT.items():
            if text in deadline and rng.random() < 0.3:
                deadline = deadline.replace(text, later)
        items.append(replace(item, lead=lead, cooperating=coop, deadline=deadline))
    return replace(plan, items=items, title=f"{heading} cải cách hành chính {name.lower()} giai đoạn 2026 - 2030")


def build_demo(
    ctx: Context,
    *,
    communes: int,
    seed: int,
    as_of: date,
    province: str,
    progress: Callable[[int, int], None] | None = None,
    examples: Path = EXAMPLES,
) -> DemoSummary:
    """``communes`` communes under ``province``, with statuses drawn as of ``as_of``; the same seed
    gives the same data."""
    engine = ctx.engine
    rng = random.Random(seed)
    sources = {NGOC_LIEN: parse_plan_file(examples / NGOC_LIEN), TRUONG_XUAN: parse_plan_file(examples / TRUONG_XUAN)}
    summary = DemoSummary()
    with unit_of_work(engine) as session:
        parent = session.scalar(select(Unit).where(Unit.name == province))
        if parent is None:
            parent = Unit(name=province, slug=slugify(province), level="province")
            session.add(parent)
            session.flush()
        parent_id = parent.id
    plan_ids: list[int] = []
    for index in range(communes):
        name = commune_name(index)
        files = [NGOC_LIEN] + ([TRUONG_XUAN] if index % 4 == 3 else [])
        for file in files:
            heading = "Kế hoạch" if file == NGOC_LIEN else "Danh mục nhiệm vụ trọng tâm"
            varied = _vary(sources[file], rng, name, heading)
            started = time.perf_counter()
            report = import_plan(ctx, varied, unit_name=name, level="commune")
            summary.import_seconds += time.perf_counter() - started
            summary.plans += 1
            summary.items += report.items_total
        summary.units += 1
        with unit_of_work(engine) as session:
            unit = session.scalar(select(Unit).where(Unit.name == name))
            unit.parent_id = parent_id
            plan_ids.extend(session.scalars(select(Plan.id).where(Plan.unit_id == unit.id)))
        if progress:
            progress(index + 1, communes)
    summary.updates = _statuses(engine, plan_ids, rng, as_of)
    return summary


def _statuses(engine: Engine, plan_ids: list[int], rng: random.Random, as_of: date) -> int:
    """Draw status updates for the demo plans, set-based: one read, one bulk insert."""
    with engine.connect() as conn:
        already = conn.execute(
            select(StatusUpdate.id).join(Item, Item.id == StatusUpdate.item_id).where(Item.plan_id.in_(plan_ids)).limit(1)
        ).first()
        if already:
            return 0
        occurrences = conn.execute(
            select(Occurrence.id, Occurrence.item_id, Occurrence.milestone_id, Occurrence.effective_due)
            .join(Item, Item.id == Occurrence.item_id)
            .where(Item.plan_id.in_(plan_ids))
            .order_by(Occurrence.id)
        ).all()
        undated = conn.execute(
            select(Milestone.id, Milestone.item_id, Milestone.kind)
            .join(Item, Item.id == Milestone.item_id)
            .where(Item.plan_id.in_(plan_ids), Milestone.active.is_(True), Milestone.kind == "continuous")
            .order_by(Milestone.id)
        ).all()
    rows: list[dict] = []
    for occ in occurrences:
        due = occ.effective_due
        base = dict(item_id=occ.item_id, milestone_id=occ.milestone_id, occurrence_id=occ.id, source="demo")
        if due <= as_of:
            draw = rng.random()
            if draw < 0.6:
                done = due - timedelta(days=rng.randint(0, 40))
                rows.append(base | dict(status="hoan_thanh", as_of=min(done, as_of), product=_product(rng), note=None))
            elif draw < 0.75:
                done = due + timedelta(days=rng.randint(1, 30))
                if done <= as_of:
                    rows.append(base | dict(status="hoan_thanh", as_of=done, product=_product(rng), note=None))
            elif draw < 0.85:
                rows.append(base | dict(status="vuong_mac", as_of=due - timedelta(days=rng.randint(1, 20)), product=None, note=rng.choice(BLOCK_REASONS)))
        elif (due - as_of).days < 120 and rng.random() < 0.4:
            rows.append(base | dict(status="dang_thuc_hien", as_of=as_of - timedelta(days=rng.randint(0, 30)), product=None, note=_note(rng)))
    for m in undated:
        if rng.random() < 0.7:
            rows.append(
                dict(item_id=m.item_id, milestone_id=m.id, occurrence_id=None, source="demo", status="dang_thuc_hien",
                     as_of=as_of - timedelta(days=rng.randint(0, 90)), product=None, note=_note(rng))
            )
    if rows:
        with engine.begin() as conn:
            for start in range(0, len(rows), 5000):
                conn.execute(insert(StatusUpdate), rows[start : start + 5000])
            unitversions.bump(conn, plans=plan_ids)
    return len(rows)


def _note(rng: random.Random) -> str:
    return rng.choice(PROGRESS_NOTES).format(n=rng.randint(2, 40), k=rng.randint(1, 5))


def _product(rng: random.Random) -> str:
    return rng.choice(PRODUCTS).format(n=rng.randint(1, 250))
