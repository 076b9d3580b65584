"""The standing office's page, its delivery part: the unit's people (add, change, remove, import a file);
what the page shows of them is :func:`dondoc.web.standing.delivery_context`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile

from dondoc.storage.links import STANDING
from dondoc.usecases import people as people_cases
from dondoc.usecases.people import PeopleFileError
from dondoc.web.base import dondoc_of, form_text, posted

router = APIRouter()

FIELDS = ("id", "name", "role", "office", "areas", "tags", "email", "zalo_user_id", "phone", "channels")
LISTS = ("areas", "tags", "channels")
MAX_FILE = 2 * 1024 * 1024


def _fields(form) -> dict:
    fields = {k: form_text(form, k, 300).strip() for k in FIELDS}
    for key in LISTS:
        fields[key] = [v.strip() for v in fields[key].replace(";", ",").split(",") if v.strip()]
    fields["channels"] = fields["channels"] or None
    fields["head"] = form_text(form, "head", 5) == "1"
    return {k: v for k, v in fields.items() if v not in ("", None) or k == "channels"}


def _again(token: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/s/{token}?done={done}#nguoi-nhan", status_code=303)


@router.post("/s/{token}/people", response_class=HTMLResponse)
async def save_person(request: Request, token: str):
    return await posted(request, token, STANDING, _save_person)


def _save_person(request: Request, token: str, scope, form):
    from dondoc.web.standing import page

    fields = _fields(form)
    try:
        people_cases.save_one(dondoc_of(request), scope.unit_id, fields)
    except PeopleFileError as exc:
        return page(request, token, status_code=422, error="Người nhận: " + "; ".join(exc.problems),
                    person_values=fields)
    return _again(token, "person")


@router.post("/s/{token}/people/remove", response_class=HTMLResponse)
async def remove_person(request: Request, token: str):
    return await posted(request, token, STANDING, _remove_person)


def _remove_person(request: Request, token: str, scope, form):
    if not people_cases.remove_one(dondoc_of(request), scope.unit_id, form_text(form, "id", 100).strip()):
        raise HTTPException(404)
    return _again(token, "person_removed")


@router.post("/s/{token}/people/import", response_class=HTMLResponse)
async def import_people(request: Request, token: str):
    return await posted(request, token, STANDING, _import_people, max_files=1)


def _import_people(request: Request, token: str, scope, form):
    from dondoc.web.standing import page

    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(request, token, status_code=422, error="Chọn tệp danh sách người nhận (.yaml hoặc .xlsx).")
    data = upload.file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        return page(request, token, status_code=413, error="Tệp danh sách người nhận lớn quá 2 MB.")
    suffix = Path(upload.filename).suffix.lower()[:6]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{Path(upload.filename).stem[:60] or 'nguoi-nhan'}{suffix}"
        path.write_bytes(data)
        try:
            people_cases.import_for_unit(dondoc_of(request), path, scope.unit_id)
        except PeopleFileError as exc:
            return page(request, token, status_code=422, error=str(exc))
    return _again(token, "people_imported")
