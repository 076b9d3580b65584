"""The office pages: ``/o/<token>`` lists the office's items (lead, then cooperating; what
needs attention first) with a form per item; ``/o/<token>/items/<id>`` shows one item with
its full history. A report is recorded by the application's ``record_update`` (``source="web"``,
reported by the office), with the same rules as every other way of reporting; an evidence file
is checked and stored by :mod:`dondoc.usecases.evidence` and only ever served back, as an
attachment, to the office that sent it.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from urllib.parse import urlencode

from dondoc.domain.rules import MAX_NOTE, MAX_PRODUCT, InvalidUpdate, check_report
from dondoc.domain.status import STORED_LABELS, Shown, Stored
from dondoc.storage.refusals import DatabaseBusy, DatabaseUnavailable
from dondoc.storage.links import OFFICE
from dondoc.storage.lookups import LookupFailed
from dondoc.text import ascii_digits
from dondoc.usecases import access
from dondoc.usecases.evidence import ACCEPT, UploadRefused, attach, receive_file, size_label
from dondoc.usecases.office_list import FILTERS_BY_KEY, MAX_QUERY, OFFICE_FILTERS, office_listing, progress_round
from dondoc.usecases.unitcache import office_view
from dondoc.web.base import dondoc_of, form_text, item_in_scope, number_in_path, render, resync_after, scope_of
from dondoc.web.security import check_csrf

router = APIRouter()

STATUS_CHOICES = [(s.value, STORED_LABELS[s]) for s in Stored]
CONFIRMATIONS = {"saved": "Đã ghi nhận báo cáo. Cảm ơn anh/chị."}
NO_STATUS = ("Hãy chọn một trạng thái cho báo cáo: chưa thực hiện, đang thực hiện, hoàn thành "
             "hoặc vướng mắc.")


def _office(request: Request, token: str) -> access.Scope:
    return scope_of(request, token, OFFICE)


def _view(request: Request, scope: access.Scope, item_id: int | None = None, history_limit: int | None = 3):
    return office_view(dondoc_of(request), request.app.state.status_runs, scope, item_id=item_id,
                       history_limit=history_limit)


def _context(request: Request, token: str, scope: access.Scope, view) -> dict:
    dondoc = dondoc_of(request)
    return {
        "office": scope, "view": view, "today": dondoc.today(), "base": f"/o/{token}",
        "legend": list(Shown), "statuses": STATUS_CHOICES, "accept": ACCEPT, "max_note": MAX_NOTE,
        "max_product": MAX_PRODUCT, "max_upload": size_label(dondoc.settings.upload_max_bytes),
    }


@router.get("/o/{token}")
def office_page(request: Request, token: str):
    scope = _office(request, token)
    view = _view(request, scope)
    context = _context(request, token, scope, view)
    params = request.query_params
    context["confirmation"] = CONFIRMATIONS.get(params.get("ok", ""))
    context["saved_item"] = ascii_digits(params.get("item", "")) if context["confirmation"] else None
    listing = office_listing(view, params.get("loc", "").strip() or None, params.get("q", ""),
                             keep=context["saved_item"], progress=progress_round(dondoc_of(request), context["today"]))
    state = _list_state(params.get("loc", ""), listing.query)
    context.update(listing=listing, filters=OFFICE_FILTERS, max_query=MAX_QUERY, list_state=state,
                   list_query=urlencode(state))
    return render(request, "office.html", context, scope=scope)


def _list_state(loc: str, query: str) -> dict[str, str]:
    """The tab and search of a list view, as kept through a report sent from that list."""
    state = {}
    if loc in FILTERS_BY_KEY:
        state["loc"] = loc
    if query:
        state["q"] = query[:MAX_QUERY]
    return state


def _item_page(request: Request, token: str, scope: access.Scope, item_id: int, *, errors=(),
               values: dict | None = None, status_code: int = 200):
    view = _view(request, scope, item_id=item_id, history_limit=None)
    if not view.cards:
        raise HTTPException(404)
    context = _context(request, token, scope, view)
    state = _list_state(request.query_params.get("loc", ""), request.query_params.get("q", "").strip())
    context.update(card=view.cards[0], errors=list(errors), values=values or {}, list_query=urlencode(state),
                   confirmation=CONFIRMATIONS.get(request.query_params.get("ok", "")) if not errors else None)
    return render(request, "office_item.html", context, status_code=status_code, scope=scope)


@router.get("/o/{token}/items/{item_id}")
def office_item_page(request: Request, token: str, item_id: str):
    scope = _office(request, token)
    return _item_page(request, token, scope, number_in_path(item_id))


@router.post("/o/{token}/items/{item_id}")
async def office_item_report(request: Request, token: str, item_id: str, background_tasks: BackgroundTasks):
    form = await request.form(max_files=1, max_fields=20)
    try:
        return await run_in_threadpool(_report, request, token, item_id, form, background_tasks)
    finally:
        await form.close()


def _values(form) -> dict:
    return {key: form_text(form, key) for key in ("status", "milestone", "note", "product")}


def _problems(values: dict) -> list[str]:
    """What is wrong with the report, in words for the office (no status chosen: say which ones there are;
    any other value gets the answer every way of reporting gives)."""
    if not values["status"].strip():
        return [NO_STATUS] + check_report(Stored.IN_PROGRESS.value, note=values["note"], product=values["product"])
    return check_report(values["status"], note=values["note"], product=values["product"])


def _report(request: Request, token: str, item_id_text: str, form, background_tasks: BackgroundTasks):
    dondoc = dondoc_of(request)
    scope = _office(request, token)
    check_csrf(request, scope.token_sha256, form_text(form, "csrf", 128) or None)
    item_id, ref = item_in_scope(request, scope, item_id_text)
    values = _values(form)
    errors = _problems(values)
    milestone = ascii_digits(values["milestone"], 3) if values["milestone"] else None
    if values["milestone"] and not (milestone and milestone <= access.milestone_count(dondoc, item_id)):
        errors.append("Mốc thời gian đã chọn không có trong nhiệm vụ này.")
    if errors:
        return _item_page(request, token, scope, item_id, errors=errors, values=values, status_code=422)
    settings = dondoc.settings
    upload = form.get("evidence")
    received = None
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            received = receive_file(upload.file, upload.filename, settings.evidence_path, settings.upload_max_bytes)
        except UploadRefused as refused:
            return _item_page(request, token, scope, item_id, errors=[refused.message], values=values,
                              status_code=refused.status_code)
    try:
        dondoc.record_update(
            ref, values["status"], note=values["note"].strip() or None, product=values["product"].strip() or None,
            evidence=received.filename if received else None, by=scope.office_name, milestone=values["milestone"] or None,
            source="web", attach=attach(received, settings.evidence_path) if received else None,
            office_id=scope.office_id,
        )
    except (InvalidUpdate, LookupFailed, DatabaseBusy, DatabaseUnavailable) as exc:
        if received:
            received.temp.unlink(missing_ok=True)  # gone already if the file was kept
        if isinstance(exc, (DatabaseBusy, DatabaseUnavailable)):  # nothing stored: the form comes back filled in
            problems = [str(exc)] + ([f"Tệp minh chứng «{received.filename}» chưa được lưu: chọn lại tệp khi gửi lại."]
                                     if received else [])
            return _item_page(request, token, scope, item_id, errors=problems, values=values, status_code=503)
        problems = exc.problems if isinstance(exc, InvalidUpdate) else [str(exc)]
        return _item_page(request, token, scope, item_id, errors=problems, values=values, status_code=422)
    resync_after(background_tasks, request, [item_id])  # a done item stops being chased
    if form.get("back") == "list":
        state = _list_state(form_text(form, "loc", 40), form_text(form, "q", MAX_QUERY * 4).strip())
        query = urlencode({**state, "ok": "saved", "item": item_id})
        return RedirectResponse(f"/o/{token}?{query}#item-{item_id}", status_code=303)
    state = _list_state(request.query_params.get("loc", ""), request.query_params.get("q", "").strip())
    return RedirectResponse(f"/o/{token}/items/{item_id}?{urlencode({**state, 'ok': 'saved'})}", status_code=303)


@router.get("/o/{token}/evidence/{evidence_id}")
def office_evidence(request: Request, token: str, evidence_id: str):
    scope = _office(request, token)
    return evidence_response(request, scope, number_in_path(evidence_id))


def evidence_response(request: Request, scope: access.Scope, evidence_id: int) -> FileResponse:
    """The evidence file the scope may see, as an attachment; 404 when none."""
    dondoc = dondoc_of(request)
    evidence = access.evidence(dondoc, scope, evidence_id)
    if evidence is None:
        raise HTTPException(404)
    path = dondoc.settings.evidence_path / evidence.sha256
    if len(evidence.sha256) != 64 or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type=evidence.content_type, filename=evidence.filename,
                        content_disposition_type="attachment")
