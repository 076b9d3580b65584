"""The leadership pages: ``/l/<token>`` gives a unit's overview (totals, by office and by
area, a status chart, the overdue items with the reasons offices gave, the items awaiting
a trigger); ``/l/<token>/items/<id>`` one item with its escalation state, where leadership
acknowledges an escalation ("đã nắm") or grants an extension ("gia hạn"; the original due
date stays visible). Both can also be done from each row of the overview's overdue table
(plain forms; the answer comes back to the table with a confirmation line).
``/l/<token>?in=1`` is the overview to print (no navigation, no forms; A4 landscape) and
``/l/<token>/bao-cao.xlsx`` the same as an Excel workbook (a province's too).

A unit with units under it (a province) gets the province's overview instead
(:mod:`dondoc.usecases.province`): totals over its communes, one row per commune ranked by overdue share
with a link to that commune's leadership page, and the items overdue longest. Nothing is acknowledged or
extended there: a commune's items are acted on from the commune's own page.
"""

from __future__ import annotations


from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dondoc.domain.labels import item_label, short_plan_title
from dondoc.domain.rules import MAX_NAME, MAX_NOTE, InvalidUpdate
from dondoc.domain.status import Shown
from dondoc.storage.links import LEADERSHIP
from dondoc.storage.lookups import LookupFailed
from dondoc.usecases import access, province
from dondoc.usecases.leadership import leadership_item_view, leadership_view
from dondoc.usecases.leadership_export import XLSX, leadership_workbook_bytes, province_workbook_bytes
from dondoc.usecases.pages import CHART_ORDER
from dondoc.text import read_date
from dondoc.web.base import dondoc_of, form_text, item_in_scope, number_in_path, render, resync_after, scope_of
from dondoc.web.office import evidence_response
from dondoc.web.security import check_csrf

router = APIRouter()

CONFIRMATIONS = {
    "ack": "Đã ghi nhận: lãnh đạo đã nắm tình hình; việc nhắc lên cấp trên của hạn này dừng lại.",
    "extended": "Đã gia hạn. Hạn gốc vẫn được giữ để tính tỷ lệ đúng hạn.",
}


def _scope(request: Request, token: str) -> access.Scope:
    return scope_of(request, token, LEADERSHIP)


def _row_number(view, item_id_text: str | None) -> str | None:
    """The number of an item of the view ("37"), for the confirmation line; None when not shown."""
    return next((r.number for r in view.report.rows if str(r.item_id) == item_id_text), None)


def _province_overview(request: Request, token: str, scope: access.Scope):
    dondoc = dondoc_of(request)
    view = request.app.state.province_views.view(dondoc, scope.unit_id)
    context = {"unit_name": scope.unit_name, "view": view, "today": view.as_of, "base": f"/l/{token}",
               "shown_all": list(Shown), "printing": request.query_params.get("in") == "1"}
    return render(request, "province.html", context, scope=scope)


def _overview(request: Request, token: str, scope: access.Scope, *, errors: list[str] | None = None,
              error_item: int | None = None, values: dict | None = None, status_code: int = 200):
    dondoc = dondoc_of(request)
    if province.is_parent(dondoc, scope.unit_id):
        return _province_overview(request, token, scope)
    view = leadership_view(dondoc, scope.unit_id)
    printing = request.query_params.get("in") == "1"
    confirmation = None
    ok = request.query_params.get("ok", "")
    if not errors and ok in CONFIRMATIONS:
        number = _row_number(view, request.query_params.get("item", "")[:20])
        confirmation = f"{item_label(number)}: {CONFIRMATIONS[ok]}" if number else CONFIRMATIONS[ok]
    context = {
        "unit_name": scope.unit_name, "plans": [{"title": t, "short": short_plan_title(t)} for _, t in view.plans],
        "report": view.report, "view": view,
        "today": dondoc.today(), "base": f"/l/{token}", "legend": CHART_ORDER, "shown_all": list(Shown),
        "overdue": view.overdue, "escalation_of": view.escalation_of, "office_bars": view.office_bars,
        "areas": view.areas, "done_with_product": view.done, "printing": printing,
        "confirmation": confirmation, "row_errors": errors or [], "error_item": error_item, "values": values or {},
        "max_name": MAX_NAME, "max_text": MAX_NOTE,
    }
    return render(request, "leadership.html", context, status_code=status_code, scope=scope)


@router.get("/l/{token}")
def leadership_page(request: Request, token: str):
    return _overview(request, token, _scope(request, token))


@router.get("/l/{token}/bao-cao.xlsx")
def leadership_workbook(request: Request, token: str):
    """The overview as an Excel workbook: overdue, due soon and counts per office (A4 landscape); a
    province's is its page: the communes ranked with their totals, then the items overdue longest."""
    scope = _scope(request, token)
    dondoc = dondoc_of(request)
    if province.is_parent(dondoc, scope.unit_id):
        view = request.app.state.province_views.view(dondoc, scope.unit_id)
        data = province_workbook_bytes(view, scope.unit_name)
    else:
        data = leadership_workbook_bytes(dondoc, scope.unit_id, scope.unit_name)
    filename = f"tinh-hinh-cchc-{dondoc.today():%Y-%m-%d}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _item_page(request: Request, token: str, scope: access.Scope, item_id: int, *, errors: dict | None = None,
               values: dict | None = None, status_code: int = 200):
    dondoc = dondoc_of(request)
    view = leadership_item_view(dondoc, scope.unit_id, item_id)
    if view is None:
        raise HTTPException(404)
    errors = errors or {}
    context = {
        "unit_name": scope.unit_name, "card": view.card, "today": dondoc.today(), "base": f"/l/{token}",
        "escalations": view.escalations, "open_dues": view.open_dues, "extensions": view.extensions,
        "acks": view.acks, "plan_title": view.plan_title, "ack_errors": errors.get("ack", []), "ext_errors": errors.get("extend", []),
        "values": values or {}, "max_name": MAX_NAME, "max_text": MAX_NOTE,
        "confirmation": None if errors else CONFIRMATIONS.get(request.query_params.get("ok", "")),
    }
    return render(request, "leadership_item.html", context, status_code=status_code, scope=scope)


@router.get("/l/{token}/items/{item_id}")
def leadership_item_page(request: Request, token: str, item_id: str):
    scope = _scope(request, token)
    return _item_page(request, token, scope, item_in_scope(request, scope, item_id)[0])


async def _post(request: Request, handler, token: str, item_id: str, background_tasks: BackgroundTasks):
    form = await request.form(max_files=0, max_fields=20)
    try:
        answer = await run_in_threadpool(handler, request, token, item_id, form)
    finally:
        await form.close()
    if answer.status_code == 303:  # acknowledged or extended: the item's chasing schedule changes
        resync_after(background_tasks, request, [number_in_path(item_id)])
    return answer


def _checked(request: Request, token: str, item_id_text: str, form) -> tuple[access.Scope, int, str]:
    scope = _scope(request, token)
    check_csrf(request, scope.token_sha256, form_text(form, "csrf", 128) or None)
    item_id, ref = item_in_scope(request, scope, item_id_text)
    return scope, item_id, ref


def _from_table(form) -> bool:
    """Whether the form was sent from a row of the overview's overdue table (answers go back there)."""
    return form_text(form, "back", 20) == "list"


def _done(token: str, item_id: int, ok: str, form) -> RedirectResponse:
    if _from_table(form):
        return RedirectResponse(f"/l/{token}?ok={ok}&item={item_id}#overdue-heading", status_code=303)
    return RedirectResponse(f"/l/{token}/items/{item_id}?ok={ok}", status_code=303)


def _problems(exc: Exception) -> list[str]:
    return exc.problems if isinstance(exc, InvalidUpdate) else [str(exc)]


@router.post("/l/{token}/items/{item_id}/ack")
async def leadership_acknowledge(request: Request, token: str, item_id: str, background_tasks: BackgroundTasks):
    return await _post(request, _acknowledge, token, item_id, background_tasks)


def _acknowledge(request: Request, token: str, item_id_text: str, form):
    scope, item_id, ref = _checked(request, token, item_id_text, form)
    values = {"by": form_text(form, "by"), "note": form_text(form, "note")}
    try:
        dondoc_of(request).acknowledge(ref, by=values["by"], note=values["note"].strip() or None)
    except (InvalidUpdate, LookupFailed) as exc:
        if _from_table(form):
            return _overview(request, token, scope, errors=_problems(exc), error_item=item_id,
                             values={"ack": values}, status_code=422)
        return _item_page(request, token, scope, item_id, errors={"ack": _problems(exc)}, values={"ack": values},
                          status_code=422)
    return _done(token, item_id, "ack", form)


@router.post("/l/{token}/items/{item_id}/extend")
async def leadership_extend(request: Request, token: str, item_id: str, background_tasks: BackgroundTasks):
    return await _post(request, _extend, token, item_id, background_tasks)


def _extend(request: Request, token: str, item_id_text: str, form):
    scope, item_id, ref = _checked(request, token, item_id_text, form)
    values = {key: form_text(form, key) for key in ("by", "reason", "new_due", "due")}
    errors: list[str] = []
    new_due = read_date(values["new_due"], iso_only=True)
    if new_due is None:
        errors.append("Hãy chọn hạn mới (ngày/tháng/năm).")
    due = read_date(values["due"], iso_only=True) if values["due"] else None
    if values["due"] and due is None:
        errors.append("Hạn cần gia hạn không hợp lệ.")
    if not errors:
        try:
            dondoc_of(request).extend(ref, new_due, by=values["by"], reason=values["reason"].strip() or None, due=due)
        except (InvalidUpdate, LookupFailed) as exc:
            errors += _problems(exc)
    if errors:
        if _from_table(form):
            return _overview(request, token, scope, errors=errors, error_item=item_id, values={"extend": values},
                             status_code=422)
        return _item_page(request, token, scope, item_id, errors={"extend": errors}, values={"extend": values},
                          status_code=422)
    return _done(token, item_id, "extended", form)


@router.get("/l/{token}/evidence/{evidence_id}")
def leadership_evidence(request: Request, token: str, evidence_id: str):
    return evidence_response(request, _scope(request, token), number_in_path(evidence_id))
