"""The standing office's page, ``/s/<token>``: import a plan, resolve office names, read deadlines, record triggers, links.

Everything happens in plain forms (no JavaScript), each protected by the
anti-forgery token of :mod:`dondoc.web.security` and checked for length before
the core is called. An uploaded plan is kept under ``<home>/uploads/<sha256>/``
so that, when the import stops on office names the unit does not know, the
standing office can map each name to an office (stored as an alias, so that later
re-imports match it) or create a new office, and the same file is imported again.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import date, datetime
from pathlib import Path

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from dondoc import links
from dondoc.db import read_session, unit_of_work
from dondoc.importer import ImportFormatError, parse_plan_file
from dondoc.models import AccessLink, AuditEntry, Item, Milestone, Office, Plan, Unit
from dondoc.offices import fold
from dondoc.plans import LookupFailed, UnknownOffices, _ensure_offices, import_plan, office_directory
from dondoc.updates import InvalidUpdate, set_deadline_meaning, trigger_event
from dondoc.web.app import engine_of, page_link, render, today_of, work_calendar_of
from dondoc.web.security import check_csrf
from dondoc.web.resync import schedule_resync

router = APIRouter()

NEW_OFFICE = "__new__"
MAX_FIELD = 500
MAX_NOTE = 1000
MAX_NAMES = 200
MAX_DAYS = 365
_SHA = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE_NAME = re.compile(r"[^\w .()\-]+")
DONE = {
    "deadline": "Đã lưu ý nghĩa thời hạn.",
    "trigger": "Đã ghi nhận sự kiện và hạn của mục.",
    "rotated": "Đã thay đường dẫn mới; đường dẫn cũ không còn dùng được. Hãy gửi đường dẫn mới cho người dùng.",
}


# ------------------------------------------------------------------------------ helpers


def link_rows(session: Session, unit: Unit, public_url: str) -> list[dict]:
    """Every link of the unit (issued now when missing): standing, leadership, feeds, each office's page and feed."""
    offices = list(session.scalars(select(Office).where(Office.unit_id == unit.id).order_by(Office.name)))
    active = {(l.kind, l.office_id): l for l in session.scalars(
        select(AccessLink).where(AccessLink.unit_id == unit.id, AccessLink.revoked_at.is_(None)).order_by(AccessLink.id))}
    wanted = [(k, None, None) for k in (links.STANDING, links.LEADERSHIP, links.LEADERSHIP_FEED)]
    wanted += [(k, o.id, o.name) for o in offices for k in links.OFFICE_KINDS]
    rows = []
    for kind, office_id, office_name in wanted:
        link = active.get((kind, office_id)) or links.ensure_link(session, kind, unit.id, office_id)
        rows.append({"kind": kind, "label": links.KIND_LABELS[kind], "office_id": office_id, "office": office_name,
                     "url": links.url_for(public_url, kind, link.token)})
    return rows


def _unit(session: Session, token: str) -> tuple[AccessLink, Unit]:
    link = page_link(session, token, links.STANDING)
    return link, session.get(Unit, link.unit_id)


async def _posted(request: Request, token: str, max_files: int = 0):
    """The standing link's scope and the POSTed form, once its anti-forgery token checks out (else 404 or 403)."""
    with read_session(engine_of(request)) as session:
        link, unit = _unit(session, token)
    form = await request.form(max_files=max_files, max_fields=2 * MAX_NAMES + 20)
    check_csrf(request, link.token_sha256, _field(form, "csrf", 128))
    return link, unit, form


def _field(form, name: str, limit: int = MAX_FIELD) -> str:
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    if len(value) > limit:
        raise HTTPException(400, f"Trường «{name}» dài quá {limit} ký tự (field too long).")
    return value.strip()


def _day(value: str, label: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InvalidUpdate(f"{label}: «{value[:20]}» không phải ngày hợp lệ (invalid date).")


def _item_of_unit(session: Session, unit: Unit, item_id: str) -> tuple[Item, Plan]:
    row = session.execute(select(Item, Plan).join(Plan).where(
        Item.id == (int(item_id) if item_id.isdigit() else -1), Plan.unit_id == unit.id,
        Item.removed_at.is_(None))).first()
    if row is None:
        raise HTTPException(404)
    return row[0], row[1]


def _upload_dir(request: Request) -> Path:
    return request.app.state.settings.home_path / "uploads"


def _safe_filename(name: str | None) -> str:
    stem = _UNSAFE_NAME.sub("_", Path((name or "").replace("\\", "/")).name).strip(" .")[:120]
    return stem or "ke-hoach.txt"


def _stored_upload(request: Request, sha: str, filename: str) -> Path:
    if not _SHA.match(sha):
        raise HTTPException(400, "Mã tệp tải lên không hợp lệ (invalid upload id).")
    path = _upload_dir(request) / sha / _safe_filename(filename)
    if not path.is_file():
        raise HTTPException(400, "Tệp tải lên không còn; hãy tải tệp kế hoạch lên lại (upload expired).")
    return path


def _page(request: Request, token: str, *, status_code: int = 200, **extra) -> HTMLResponse:
    settings = request.app.state.settings
    with unit_of_work(engine_of(request)) as session:
        link, unit = _unit(session, token)
        review = session.execute(
            select(Item, Plan.code).join(Plan).where(Plan.unit_id == unit.id, Item.needs_review.is_(True),
                                                     Item.removed_at.is_(None)).order_by(Plan.id, Item.position)).all()
        waiting = session.execute(
            select(Milestone, Item, Plan.code).join(Item, Item.id == Milestone.item_id).join(Plan)
            .where(Plan.unit_id == unit.id, Item.removed_at.is_(None), Milestone.active.is_(True),
                   Milestone.kind == "event", Milestone.triggered_on.is_(None))
            .order_by(Plan.id, Item.position, Milestone.position)).all()
        plans = session.scalars(select(Plan).where(Plan.unit_id == unit.id).order_by(Plan.id)).all()
        rows = link_rows(session, unit, settings.public_url)
        context = {
            "unit": unit, "plans": plans, "review": review, "waiting": waiting, "links": rows, "token": token,
            "today": today_of(request), "max_mb": settings.upload_max_bytes // (1024 * 1024) or 1,
            "notice": DONE.get(request.query_params.get("done", "")), **extra,
        }
        return render(request, "standing.html", context, status_code=status_code, link=link)


def _again(token: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/s/{token}?done={done}", status_code=303)


# ------------------------------------------------------------------------------ routes


@router.get("/s/{token}", response_class=HTMLResponse)
def standing_page(request: Request, token: str):
    return _page(request, token)


@router.post("/s/{token}/import", response_class=HTMLResponse)
async def upload_plan(request: Request, token: str, background_tasks: BackgroundTasks):
    settings = request.app.state.settings
    _link, _unit_row, form = await _posted(request, token, max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, token, status_code=400, error="Hãy chọn tệp kế hoạch (.txt, .docx hoặc .xlsx).")
    data = await upload.read(settings.upload_max_bytes + 1)
    if len(data) > settings.upload_max_bytes:
        return _page(request, token, status_code=413,
                     error=f"Tệp {_safe_filename(upload.filename)} lớn quá {settings.upload_max_bytes:,} byte (file too large).")
    sha = hashlib.sha256(data).hexdigest()
    path = _upload_dir(request) / sha / _safe_filename(upload.filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return _import(request, token, path, sha, background_tasks)


@router.post("/s/{token}/resolve", response_class=HTMLResponse)
async def resolve_offices(request: Request, token: str, background_tasks: BackgroundTasks):
    engine = engine_of(request)
    link, unit, form = await _posted(request, token)
    sha, filename = _field(form, "sha", 64), _field(form, "filename", 200)
    path = _stored_upload(request, sha, filename)
    names = [_field(form, f"name_{i}") for i in range(MAX_NAMES) if f"name_{i}" in form]
    choices = [_field(form, f"choice_{i}", 200) for i in range(len(names))]
    config = request.app.state.config
    with unit_of_work(engine) as session:
        unit = session.get(Unit, link.unit_id)
        stored = list(session.scalars(select(Office).where(Office.unit_id == unit.id)))
        by_name = {o.name: o for o in _ensure_offices(session, unit, config, stored).values()}
        for name, choice in zip(names, choices):
            if not name or not choice:
                continue
            if choice == NEW_OFFICE:
                if name[:200] not in by_name:
                    office = Office(unit=unit, name=name[:200], aliases=[], in_unit_group=False, from_config=False)
                    session.add(office)
                    by_name[office.name] = office
                    session.add(AuditEntry(action="office.create", entity="office", details={"name": name, "via": "standing"}))
                continue
            office = by_name.get(choice)
            if office is None:
                raise HTTPException(400, f"Không có cơ quan «{choice[:60]}» trong đơn vị (unknown office).")
            if name not in (office.aliases or []):
                office.aliases = [*(office.aliases or []), name]
                session.add(AuditEntry(action="office.alias", entity="office", entity_id=office.id,
                                       details={"alias": name, "via": "standing"}))
    return _import(request, token, path, sha, background_tasks)


def _import(request: Request, token: str, path: Path, sha: str, background_tasks: BackgroundTasks) -> HTMLResponse:
    engine, settings, config = engine_of(request), request.app.state.settings, request.app.state.config
    with read_session(engine) as session:
        _, unit = _unit(session, token)
        unit_name, level = unit.name, unit.level
    try:
        parsed = parse_plan_file(path)
        if parsed.unit_name and fold(parsed.unit_name).strip() != fold(unit_name).strip():
            raise InvalidUpdate(f"Tệp {path.name} là kế hoạch của {parsed.unit_name}, không phải của {unit_name} "
                                "(the plan belongs to another unit).")
        report = import_plan(engine, parsed, unit_name=unit_name, level=level, config=config, settings=settings,
                             source_bytes=path.read_bytes(), actor="standing")
    except UnknownOffices as exc:
        with read_session(engine) as session:
            stored = list(session.scalars(select(Office).where(Office.unit_id == unit.id)))
            known = sorted(ref.name for ref in office_directory(config, level, stored).offices)
        names = list(dict.fromkeys(p.name for p in exc.problems if p.name != "(trống)"))[:MAX_NAMES]
        places = {n: [p for p in exc.problems if p.name == n] for n in names}
        return _page(request, token, status_code=409, unknown=names, places=places, known=known,
                     new_office=NEW_OFFICE, sha=sha, filename=path.name,
                     error=f"Tệp {path.name}: {len(names)} tên cơ quan chưa khớp với cơ quan nào của {unit_name}. "
                           "Hãy chọn cơ quan tương ứng cho từng tên rồi nhập lại.")
    except (ImportFormatError, InvalidUpdate) as exc:
        shutil.rmtree(path.parent, ignore_errors=True)
        return _page(request, token, status_code=400, error=str(exc))
    shutil.rmtree(path.parent, ignore_errors=True)
    schedule_resync(background_tasks, request, None)  # new, changed and removed items
    return _page(request, token, report=report)


@router.post("/s/{token}/deadline", response_class=HTMLResponse)
async def set_meaning(request: Request, token: str, background_tasks: BackgroundTasks):
    engine = engine_of(request)
    _link, unit, form = await _posted(request, token)
    meaning = _field(form, "meaning")
    with read_session(engine) as session:
        item, plan = _item_of_unit(session, unit, _field(form, "item", 20))
    if not meaning:
        return _page(request, token, status_code=400, error=f"Mục {item.number}: hãy ghi thời hạn hiểu được, ví dụ «Quý II/2026».")
    try:
        result = set_deadline_meaning(engine, f"{plan.code}#{item.number}", meaning, config=request.app.state.config,
                                      settings=request.app.state.settings, by="standing", unit=unit.name)
    except (LookupFailed, InvalidUpdate) as exc:
        return _page(request, token, status_code=400, error=str(exc))
    if result.needs_review:
        return _page(request, token, status_code=400,
                     error=f"Mục {item.number}: thời hạn «{meaning}» vẫn chưa đọc được: " + "; ".join(result.problems))
    schedule_resync(background_tasks, request, [item.id])
    return _again(token, "deadline")


@router.post("/s/{token}/trigger", response_class=HTMLResponse)
async def record_trigger(request: Request, token: str, background_tasks: BackgroundTasks):
    engine = engine_of(request)
    _link, unit, form = await _posted(request, token)
    milestone_id = _field(form, "milestone", 20)
    with read_session(engine) as session:
        milestone = session.get(Milestone, int(milestone_id)) if milestone_id.isdigit() else None
        if milestone is None or milestone.kind != "event" or not milestone.active:
            raise HTTPException(404)
        item, plan = _item_of_unit(session, unit, str(milestone.item_id))
        active = [m.id for m in session.scalars(select(Milestone).where(
            Milestone.item_id == item.id, Milestone.active.is_(True)).order_by(Milestone.position))]
    calendar = work_calendar_of(request)
    try:
        on = _day(_field(form, "on", 10), "Ngày phát sinh") if _field(form, "on", 10) else today_of(request)
        due_text, days_text = _field(form, "due", 10), _field(form, "days", 3)
        if bool(due_text) == bool(days_text):
            raise InvalidUpdate("Cần ghi đúng một trong hai: hạn hoàn thành hoặc số ngày làm việc.")
        if days_text:
            if not days_text.isdigit() or not 1 <= int(days_text) <= MAX_DAYS:
                raise InvalidUpdate(f"Số ngày làm việc phải từ 1 đến {MAX_DAYS}.")
            due = calendar.add_working_days(on, int(days_text))
        else:
            due = _day(due_text, "Hạn hoàn thành")
        trigger_event(engine, f"{plan.code}#{item.number}", on=on, due=due, note=_field(form, "note", MAX_NOTE) or None,
                      by="standing", milestone=str(active.index(milestone.id) + 1), unit=unit.name, calendar=calendar)
    except (LookupFailed, InvalidUpdate) as exc:
        return _page(request, token, status_code=400, error=f"Mục {item.number}: {exc}")
    schedule_resync(background_tasks, request, [item.id])
    return _again(token, "trigger")


@router.post("/s/{token}/links/rotate", response_class=HTMLResponse)
async def rotate_link(request: Request, token: str):
    engine = engine_of(request)
    link, unit, form = await _posted(request, token)
    kind, office_text = _field(form, "kind", 20), _field(form, "office", 20)
    if kind not in links.KINDS:
        raise HTTPException(400, "Loại đường dẫn không hợp lệ (invalid link kind).")
    with unit_of_work(engine) as session:
        office_id = None
        if kind in links.OFFICE_KINDS:
            office = session.get(Office, int(office_text)) if office_text.isdigit() else None
            if office is None or office.unit_id != unit.id:
                raise HTTPException(404)
            office_id = office.id
        new = links.rotate(session, kind, unit.id, office_id, actor="standing")
        new_token = new.token
    if kind == links.STANDING:
        return RedirectResponse(f"/s/{new_token}?done=rotated", status_code=303)
    return _again(token, "rotated")
