"""The leadership pages: ``/l/<token>`` gives a unit's overview (totals, by office and by
area, a status chart, the overdue items with the reasons offices gave, the items awaiting
a trigger); ``/l/<token>/items/<id>`` one item with its escalation state, where leadership
acknowledges an escalation ("đã nắm") or grants an extension ("gia hạn"; the original due
date stays visible).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from dondoc import links
from dondoc.chasing import load_policy
from dondoc.db import read_session
from dondoc.models import Item, Plan
from dondoc.plans import LookupFailed
from dondoc.status import Shown
from dondoc.updates import InvalidUpdate, acknowledge, extend
from dondoc.web.app import engine_of, page_link, render, today_of, work_calendar_of
from dondoc.web.office import evidence_of_unit, evidence_response
from dondoc.web.pages import (
    CHART_ORDER,
    acknowledgements_of,
    area_order,
    chart_bars,
    escalations,
    extensions_of,
    item_cards,
    open_due_dates,
    status_report,
    unit_item_id,
)
from dondoc.web.resync import schedule_resync
from dondoc.web.security import check_csrf

router = APIRouter()

MAX_NAME = 200
MAX_TEXT = 2000
CONFIRMATIONS = {
    "ack": "Đã ghi nhận: lãnh đạo đã nắm tình hình; việc nhắc lên cấp trên của hạn này dừng lại.",
    "extended": "Đã gia hạn. Hạn gốc vẫn được giữ để tính tỷ lệ đúng hạn.",
}


def _link(request: Request, token: str):
    with read_session(engine_of(request)) as session:
        link = page_link(session, token, links.LEADERSHIP)
        link.unit.name  # loaded while the session is open: the pages show it
        return link


def _item_id(request: Request, link, value: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise HTTPException(404)
    item_id = unit_item_id(engine_of(request), link.unit_id, int(value))
    if item_id is None:
        raise HTTPException(404)
    return item_id


def _tools(request: Request):
    settings = request.app.state.settings
    return settings, work_calendar_of(request), today_of(request)


@router.get("/l/{token}")
def leadership_page(request: Request, token: str):
    link = _link(request, token)
    settings, calendar, today = _tools(request)
    engine = engine_of(request)
    report = status_report(engine, link.unit_id, today, calendar, settings.due_soon_working_days)
    overdue = [r for r in report.rows if r.shown is Shown.OVERDUE]
    states = escalations(engine, today, sorted({r.item_id for r in overdue}), load_policy(settings), calendar)
    escalation_of = {}
    for row in overdue:
        deadline = row.extended_due or row.effective_due
        escalation_of[(row.item_id, row.milestone_id)] = next(
            (e for e in states.get(row.item_id, []) if e.deadline == deadline), None)
    with read_session(engine) as session:
        plans = list(session.execute(select(Plan.code, Plan.title).where(Plan.unit_id == link.unit_id)
                                     .order_by(Plan.id)))
    context = {
        "unit_name": link.unit.name, "plans": plans, "report": report, "today": today, "base": f"/l/{token}",
        "legend": CHART_ORDER, "shown_all": list(Shown), "overdue": overdue, "escalation_of": escalation_of,
        "office_bars": chart_bars(report.by_office), "areas": area_order(report.by_area), "done_with_product": [
            r for r in report.rows if r.shown in (Shown.DONE_ON_TIME, Shown.DONE_LATE)],
    }
    return render(request, "leadership.html", context, link=link)


def _item_page(request: Request, token: str, link, item_id: int, *, errors: dict | None = None,
               values: dict | None = None, status_code: int = 200):
    settings, calendar, today = _tools(request)
    engine = engine_of(request)
    report = status_report(engine, link.unit_id, today, calendar, settings.due_soon_working_days)
    cards = item_cards(engine, [item_id], report)
    if not cards:
        raise HTTPException(404)
    errors = errors or {}
    context = {
        "unit_name": link.unit.name, "card": cards[0], "today": today, "base": f"/l/{token}",
        "escalations": escalations(engine, today, [item_id], load_policy(settings), calendar).get(item_id, []),
        "open_dues": open_due_dates(engine, today, item_id),
        "extensions": extensions_of(engine, item_id), "acks": acknowledgements_of(engine, item_id),
        "ack_errors": errors.get("ack", []), "ext_errors": errors.get("extend", []),
        "values": values or {}, "max_name": MAX_NAME, "max_text": MAX_TEXT,
        "confirmation": None if errors else CONFIRMATIONS.get(request.query_params.get("ok", "")),
    }
    return render(request, "leadership_item.html", context, status_code=status_code, link=link)


@router.get("/l/{token}/items/{item_id}")
def leadership_item_page(request: Request, token: str, item_id: str):
    link = _link(request, token)
    return _item_page(request, token, link, _item_id(request, link, item_id))


def _text(form, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _common_checks(form, values: dict, errors: list[str], who: str) -> None:
    if not values["by"].strip():
        errors.append(f"Hãy ghi họ tên, chức vụ người {who}.")
    if len(values["by"]) > MAX_NAME:
        errors.append(f"Họ tên, chức vụ dài {len(values['by'])} ký tự, tối đa {MAX_NAME} ký tự.")


async def _post(request: Request, handler, token: str, item_id: str, background_tasks: BackgroundTasks):
    form = await request.form(max_files=0, max_fields=20)
    try:
        answer = await run_in_threadpool(handler, request, token, item_id, form)
    finally:
        await form.close()
    if answer.status_code == 303:  # acknowledged or extended: the item's chasing schedule changes
        schedule_resync(background_tasks, request, [int(item_id)])
    return answer


@router.post("/l/{token}/items/{item_id}/ack")
async def leadership_acknowledge(request: Request, token: str, item_id: str, background_tasks: BackgroundTasks):
    return await _post(request, _acknowledge, token, item_id, background_tasks)


def _checked(request: Request, token: str, item_id_text: str, form):
    link = _link(request, token)
    check_csrf(request, link.token_sha256, _text(form, "csrf") or None)
    item_id = _item_id(request, link, item_id_text)
    with read_session(engine_of(request)) as session:
        ref = session.execute(select(Plan.code, Item.number).join(Item, Item.plan_id == Plan.id)
                              .where(Item.id == item_id)).first()
    return link, item_id, f"{ref.code}#{ref.number}"


def _acknowledge(request: Request, token: str, item_id_text: str, form):
    link, item_id, ref = _checked(request, token, item_id_text, form)
    values = {"by": _text(form, "by"), "note": _text(form, "note")}
    errors: list[str] = []
    _common_checks(form, values, errors, "xác nhận")
    if len(values["note"]) > MAX_TEXT:
        errors.append(f"Ghi chú dài {len(values['note'])} ký tự, tối đa {MAX_TEXT} ký tự.")
    if not errors:
        try:
            acknowledge(engine_of(request), ref, by=values["by"].strip(), on=today_of(request),
                        note=values["note"].strip() or None)
        except (InvalidUpdate, LookupFailed) as exc:
            errors.append(str(exc))
    if errors:
        return _item_page(request, token, link, item_id, errors={"ack": errors}, values={"ack": values},
                          status_code=422)
    return RedirectResponse(f"/l/{token}/items/{item_id}?ok=ack", status_code=303)


@router.post("/l/{token}/items/{item_id}/extend")
async def leadership_extend(request: Request, token: str, item_id: str, background_tasks: BackgroundTasks):
    return await _post(request, _extend, token, item_id, background_tasks)


def _parse_day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _extend(request: Request, token: str, item_id_text: str, form):
    link, item_id, ref = _checked(request, token, item_id_text, form)
    values = {key: _text(form, key) for key in ("by", "reason", "new_due", "due")}
    errors: list[str] = []
    new_due = _parse_day(values["new_due"]) if len(values["new_due"]) <= 20 else None
    if new_due is None:
        errors.append("Hãy chọn hạn mới (ngày/tháng/năm).")
    due = None
    if values["due"]:
        due = _parse_day(values["due"]) if len(values["due"]) <= 20 else None
        if due is None:
            errors.append("Hạn cần gia hạn không hợp lệ.")
    _common_checks(form, values, errors, "cho gia hạn")
    if len(values["reason"]) > MAX_TEXT:
        errors.append(f"Lý do dài {len(values['reason'])} ký tự, tối đa {MAX_TEXT} ký tự.")
    if not errors:
        try:
            extend(engine_of(request), ref, new_due, by=values["by"].strip(), reason=values["reason"].strip() or None,
                   due=due, on=today_of(request))
        except (InvalidUpdate, LookupFailed) as exc:
            errors.append(str(exc))
    if errors:
        return _item_page(request, token, link, item_id, errors={"extend": errors}, values={"extend": values},
                          status_code=422)
    return RedirectResponse(f"/l/{token}/items/{item_id}?ok=extended", status_code=303)


@router.get("/l/{token}/evidence/{evidence_id}")
def leadership_evidence(request: Request, token: str, evidence_id: str):
    link = _link(request, token)
    if not evidence_id.isdigit() or len(evidence_id) > 12:
        raise HTTPException(404)
    return evidence_response(request, evidence_of_unit(link.unit_id, int(evidence_id)))
