"""The standing office's page, ``/s/<token>``: import a plan, resolve office names, read deadlines,
record triggers, record a report an office sent on paper, list and rotate links; the unit's people
and the messages not delivered yet (:mod:`dondoc.web.people`). A unit with units under it (a province) also
gets its communes ranked by overdue share, with the link of each commune's leadership page to hand out; the
communes' items are acted on from their own pages, never from the province's.

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
from datetime import date
from pathlib import Path

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile

from dondoc import app as dondoc_app
from dondoc.domain.rules import MAX_NOTE, MAX_PRODUCT, InvalidUpdate
from dondoc.domain.status import STORED_LABELS, Stored
from dondoc.importer import ImportFormatError
from dondoc.storage.links import KINDS, OFFICE_KINDS, STANDING
from dondoc.storage.lookups import LookupFailed
from dondoc.domain.labels import short_plan_title
from dondoc.usecases import access, link_sharing, plans, province
from dondoc.usecases.importing import UnknownOffices
from dondoc.text import ascii_digits, read_date
from dondoc.web.base import dondoc_of, form_text, item_in_scope, posted, render, resync_after, scope_of

router = APIRouter()

NEW_OFFICE = dondoc_app.NEW_OFFICE
MAX_FIELD = 500
MAX_NAMES = 200
_SHA = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE_NAME = re.compile(r"[^\w .()\-]+")
STATUS_CHOICES = [(s.value, STORED_LABELS[s]) for s in Stored]
DONE = {
    "deadline": "Đã lưu ý nghĩa thời hạn.",
    "trigger": "Đã ghi nhận sự kiện và hạn của mục.",
    "report": "Đã ghi nhận báo cáo thay cơ quan.",
    "rotated": "Đã thay đường dẫn mới; đường dẫn cũ không còn dùng được. Hãy gửi đường dẫn mới cho người dùng.",
    "person": "Đã lưu người nhận tin.",
    "person_removed": "Đã bỏ người nhận tin.",
    "people_imported": "Đã nhập danh sách người nhận tin.",
}


# ------------------------------------------------------------------------------ helpers


async def _posted(request: Request, token: str, handler, *args, max_files: int = 0):
    """Run ``handler(request, token, scope, form, *args)`` in a worker thread, once the standing link and the form's
    anti-forgery token check out (else 404 or 403)."""
    return await posted(request, token, STANDING, handler, *args, max_files=max_files, max_fields=2 * MAX_NAMES + 20)


def _field(form, name: str, limit: int = MAX_FIELD) -> str:
    return form_text(form, name, limit).strip()


def _day(value: str, label: str) -> date:
    day = read_date(value)
    if day is None:
        raise InvalidUpdate(f"{label}: «{value[:20]}» không phải ngày hợp lệ (invalid date).")
    return day


def _upload_dir(request: Request) -> Path:
    return dondoc_of(request).settings.home_path / "uploads"


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


def page(request: Request, token: str, *, status_code: int = 200, **extra) -> HTMLResponse:
    dondoc = dondoc_of(request)
    scope = scope_of(request, token, STANDING)
    unit_plans = access.unit_plans(dondoc, scope.unit_id)
    link_rows = [{**row, "qr": link_sharing.qr_svg(row["url"], row["label"])}
                 for row in access.unit_links(dondoc, scope.unit_id)]
    members = province.province_view(dondoc, scope.unit_id, most_overdue=0) \
        if province.is_parent(dondoc, scope.unit_id) else None
    context = {
        "province": members,
        **delivery_context(request, scope.unit_id), "person_values": {},
        "plan_short": {p.code: short_plan_title(p.title) for p in unit_plans}, "several_plans": len(unit_plans) > 1,
        "offices": plans.known_office_names(dondoc, scope.unit_id, scope.unit_level),
        "unit": scope.unit_name, "plans": unit_plans,
        "review": dondoc.review_items(unit_id=scope.unit_id), "waiting": access.waiting_milestones(dondoc, scope.unit_id),
        "items": access.unit_items(dondoc, scope.unit_id), "links": link_rows,
        "token": token, "today": dondoc.today(), "statuses": STATUS_CHOICES, "max_note": MAX_NOTE,
        "max_product": MAX_PRODUCT, "max_mb": dondoc.settings.upload_max_bytes // (1024 * 1024) or 1,
        "notice": DONE.get(request.query_params.get("done", "")), "values": {}, **extra,
    }
    return render(request, "standing.html", context, status_code=status_code, scope=scope)


def delivery_context(request: Request, unit_id: int) -> dict:
    """What the standing page shows of delivery: people, what reaches nobody, messages not delivered."""
    dondoc = dondoc_of(request)
    name, people = dondoc.unit_people_by_id(unit_id)
    editing = request.query_params.get("edit", "")[:100]
    return {
        "people": [(p, people.channel_order(p)) for p in people.people],
        "person_edit": people.by_id(editing) if editing else None,
        "problems": [p.readable for p in dondoc.check() if p.unit in (None, name)],
        "undelivered": dondoc.not_delivered_in(unit_id, limit=1000),
        "channels_all": ("zalo", "zns", "email", "apprise"),
    }


def _again(token: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/s/{token}?done={done}", status_code=303)


def _error(exc: Exception) -> str:
    return "\n".join(exc.problems) if isinstance(exc, InvalidUpdate) else str(exc)


# ------------------------------------------------------------------------------ routes


@router.get("/s/{token}", response_class=HTMLResponse)
def standingpage(request: Request, token: str):
    return page(request, token)


@router.post("/s/{token}/import", response_class=HTMLResponse)
async def upload_plan(request: Request, token: str, background_tasks: BackgroundTasks):
    return await _posted(request, token, _upload_plan, background_tasks, max_files=1)


def _upload_plan(request: Request, token: str, scope: access.Scope, form, background_tasks: BackgroundTasks):
    settings = dondoc_of(request).settings
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(request, token, status_code=400, error="Hãy chọn tệp kế hoạch (.txt, .docx hoặc .xlsx).")
    data = upload.file.read(settings.upload_max_bytes + 1)
    if len(data) > settings.upload_max_bytes:
        return page(request, token, status_code=413,
                     error=f"Tệp {_safe_filename(upload.filename)} lớn quá {settings.upload_max_bytes:,} byte (file too large).")
    sha = hashlib.sha256(data).hexdigest()
    path = _upload_dir(request) / sha / _safe_filename(upload.filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return _import(request, token, scope, path, sha, background_tasks)


@router.post("/s/{token}/resolve", response_class=HTMLResponse)
async def resolve_offices(request: Request, token: str, background_tasks: BackgroundTasks):
    return await _posted(request, token, _resolve_offices, background_tasks)


def _resolve_offices(request: Request, token: str, scope: access.Scope, form, background_tasks: BackgroundTasks):
    sha, filename = _field(form, "sha", 64), _field(form, "filename", 200)
    path = _stored_upload(request, sha, filename)
    names = [_field(form, f"name_{i}") for i in range(MAX_NAMES) if f"name_{i}" in form]
    choices = {name: _field(form, f"choice_{i}", 200) for i, name in enumerate(names)}
    try:
        plans.map_office_names(dondoc_of(request), scope.unit_id, choices, new_office=NEW_OFFICE)
    except UnknownOffices:
        raise HTTPException(400, "Không có cơ quan này trong đơn vị (unknown office).") from None
    return _import(request, token, scope, path, sha, background_tasks)


def _import(request: Request, token: str, scope: access.Scope, path: Path, sha: str,
            background_tasks: BackgroundTasks) -> HTMLResponse:
    dondoc = dondoc_of(request)
    try:
        report = dondoc.import_file(path, expect_unit=scope.unit_name, level=scope.unit_level, actor="standing")
    except (ImportFormatError, plans.WrongUnit, InvalidUpdate) as exc:
        shutil.rmtree(path.parent, ignore_errors=True)
        return page(request, token, status_code=400, error=_error(exc))
    resync_after(background_tasks, request, None)  # new, changed and removed items
    if report.unknown_offices:  # the items are stored and wait; the names are resolved below, then re-read
        known = plans.known_office_names(dondoc, scope.unit_id, scope.unit_level)
        names = list(dict.fromkeys(p.name for p in report.unknown_offices if p.name != "(trống)"))[:MAX_NAMES]
        places = {n: [p for p in report.unknown_offices if p.name == n] for n in names}
        return page(request, token, report=report, unknown=names, places=places, known=known, new_office=NEW_OFFICE,
                    sha=sha, filename=path.name)
    shutil.rmtree(path.parent, ignore_errors=True)
    return page(request, token, report=report)


@router.post("/s/{token}/deadline", response_class=HTMLResponse)
async def set_meaning(request: Request, token: str, background_tasks: BackgroundTasks):
    return await _posted(request, token, _set_meaning, background_tasks)


def _set_meaning(request: Request, token: str, scope: access.Scope, form, background_tasks: BackgroundTasks):
    meaning = _field(form, "meaning")
    item_id, ref = item_in_scope(request, scope, _field(form, "item", 20))
    number = ref.rsplit("#", 1)[-1]
    if not meaning:
        return page(request, token, status_code=400, error=f"Mục {number}: hãy ghi thời hạn hiểu được, ví dụ «Quý II/2026».")
    try:
        dondoc_of(request).set_deadline(ref, meaning, by="standing", unit=scope.unit_name)
    except (LookupFailed, InvalidUpdate) as exc:
        return page(request, token, status_code=400, error=_error(exc))
    resync_after(background_tasks, request, [item_id])
    return _again(token, "deadline")


@router.post("/s/{token}/trigger", response_class=HTMLResponse)
async def record_trigger(request: Request, token: str, background_tasks: BackgroundTasks):
    return await _posted(request, token, _record_trigger, background_tasks)


def _record_trigger(request: Request, token: str, scope: access.Scope, form, background_tasks: BackgroundTasks):
    dondoc = dondoc_of(request)
    milestone_id = ascii_digits(_field(form, "milestone", 20))
    found = access.event_milestone(dondoc, scope.unit_id, milestone_id) if milestone_id is not None else None
    if found is None:
        raise HTTPException(404)
    item_id, ref, position = found
    try:
        on = _day(_field(form, "on", 10), "Ngày phát sinh") if _field(form, "on", 10) else dondoc.today()
        due_text, days_text = _field(form, "due", 10), _field(form, "days", 3)
        days = ascii_digits(days_text, 3) if days_text else None
        if days_text and days is None:
            raise InvalidUpdate("Số ngày làm việc phải từ 1 đến 365.")
        due = _day(due_text, "Hạn hoàn thành") if due_text else None
        dondoc.trigger(ref, on=on, due=due, working_days=days, note=_field(form, "note", MAX_NOTE) or None,
                       by="standing", milestone=position, unit=scope.unit_name)
    except (LookupFailed, InvalidUpdate) as exc:
        return page(request, token, status_code=400, error=f"Mục {ref.rsplit('#', 1)[-1]}: {_error(exc)}")
    resync_after(background_tasks, request, [item_id])
    return _again(token, "trigger")


@router.post("/s/{token}/report", response_class=HTMLResponse)
async def record_report(request: Request, token: str, background_tasks: BackgroundTasks):
    """A report an office sent on paper or by phone, recorded by the standing office on its behalf."""
    return await _posted(request, token, _record_report, background_tasks)


def _record_report(request: Request, token: str, scope: access.Scope, form, background_tasks: BackgroundTasks):
    dondoc = dondoc_of(request)
    item_id, ref = item_in_scope(request, scope, _field(form, "item", 20))
    values = {key: _field(form, key, MAX_NOTE + 10) for key in ("status", "note", "product", "by", "on")}
    try:
        on = _day(values["on"], "Ngày báo cáo") if values["on"] else dondoc.today()
        if on > dondoc.today():
            raise InvalidUpdate("Ngày báo cáo không được sau hôm nay.")
        dondoc.record_update(ref, values["status"], on=on, note=values["note"] or None,
                             product=values["product"] or None, by=values["by"] or "cơ quan thường trực",
                             source="standing", unit=scope.unit_name)
    except (LookupFailed, InvalidUpdate) as exc:
        return page(request, token, status_code=422, error=f"Mục {ref.rsplit('#', 1)[-1]}: {_error(exc)}",
                     values={**values, "item": str(item_id)})
    resync_after(background_tasks, request, [item_id])
    return _again(token, "report")


@router.post("/s/{token}/links/rotate", response_class=HTMLResponse)
async def rotate_link(request: Request, token: str):
    return await _posted(request, token, _rotate_link)


def _link_form(form) -> tuple[str, int | None]:
    """The link a form names: its kind, and its office for an office's page or feed (400 for another kind)."""
    kind, office_text = _field(form, "kind", 20), _field(form, "office", 20)
    if kind not in KINDS:
        raise HTTPException(400, "Loại đường dẫn không hợp lệ (invalid link kind).")
    return kind, ascii_digits(office_text) if kind in OFFICE_KINDS else None


def _rotate_link(request: Request, token: str, scope: access.Scope, form):
    kind, office_id = _link_form(form)
    try:
        new_token = access.rotate_link(dondoc_of(request), scope.unit_id, kind, office_id, actor="standing")
    except LookupFailed:
        raise HTTPException(404) from None
    if kind == STANDING:
        return RedirectResponse(f"/s/{new_token}?done=rotated", status_code=303)
    return _again(token, "rotated")


@router.post("/s/{token}/links/send", response_class=HTMLResponse)
async def send_link(request: Request, token: str):
    """Send a link to the people it is for (Zalo or email, each person's own channels); the page says who got it."""
    return await _posted(request, token, _send_link)


def _send_link(request: Request, token: str, scope: access.Scope, form):
    kind, office_id = _link_form(form)
    dondoc = dondoc_of(request)
    try:
        sent = link_sharing.send_link(dondoc, scope.unit_id, kind, office_id, dondoc.now())
    except LookupFailed:
        raise HTTPException(404) from None
    return page(request, token, sent=sent, sent_key=f"{kind}-{office_id or ''}")
