"""What every page shares: the application of the request, a link's scope, numbers in paths,
rendering a template, and re-syncing Prefect schedules after a change.

Pages resolve the token in the path to the link's scope with :func:`scope_of` (a 404
page, the same for an unknown, mistyped or rotated token) and answer with
:func:`render`; templates escape everything they show.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import BackgroundTasks, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from dondoc.app import Dondoc
from dondoc.text import ascii_digits
from dondoc.usecases.access import Scope, item_ref, resolve
from dondoc.web import security

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def dondoc_of(request: Request) -> Dondoc:
    return request.app.state.dondoc


def scope_of(request: Request, token: str, *kinds: str) -> Scope:
    """The active link for ``token`` among ``kinds``, or 404 (unknown, mistyped and rotated alike)."""
    scope = resolve(dondoc_of(request), token, *kinds)
    if scope is None:
        raise HTTPException(404)
    return scope


async def posted(request: Request, token: str, kind: str, handler, *args, max_files: int = 0, max_fields: int = 40):
    """A POST to a page of ``kind``: the form is read on the event loop; the link and anti-forgery checks and
    ``handler(request, token, scope, form, *args)`` run in a worker thread, so a slow import or a busy
    database never holds up the other pages."""
    form = await request.form(max_files=max_files, max_fields=max_fields)
    try:
        return await run_in_threadpool(_checked, request, token, kind, form, handler, args)
    finally:
        await form.close()


def _checked(request: Request, token: str, kind: str, form, handler, args):
    scope = scope_of(request, token, kind)
    security.check_csrf(request, scope.token_sha256, form_text(form, "csrf", 128).strip())
    return handler(request, token, scope, form, *args)


def number_in_path(value: str) -> int:
    """A number in a path (an item, a file, a report): ASCII digits only, else 404."""
    number = ascii_digits(value)
    if number is None:
        raise HTTPException(404)
    return number


RETRY_AFTER_SECONDS = 30


def render(request: Request, name: str, context: dict, status_code: int = 200,
           scope: Scope | None = None) -> HTMLResponse:
    """Answer with a template; with ``scope``, the context gets ``csrf`` for its forms and the cookie is set."""
    context = {"request": request, **context}
    if scope is not None:
        context["csrf"] = security.csrf_token(request, scope.token_sha256)
        context["csrf_field"] = security.CSRF_FIELD
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if status_code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    security.set_csrf_cookie(request, response)
    return response


def resync_after(background_tasks: BackgroundTasks, request: Request, item_ids: list[int] | None) -> None:
    """Bring the items' Prefect schedules up to date after the response (None: every item)."""
    from dondoc.orchestration.resync import resync_items

    background_tasks.add_task(resync_items, dondoc_of(request), item_ids)


def item_in_scope(request: Request, scope: Scope, value: str) -> tuple[int, str]:
    """(item id, reference) of an item named in a path or a form that the scope may see; 404 otherwise."""
    item_id = ascii_digits(value)
    ref = item_ref(dondoc_of(request), scope, item_id) if item_id is not None else None
    if ref is None:
        raise HTTPException(404)
    return item_id, ref


def form_text(form, name: str, limit: int = 10_000) -> str:
    """A text field of a POSTed form ("" when absent or a file); 400 beyond ``limit`` characters."""
    value = form.get(name)
    if value is None or not isinstance(value, str):
        return ""
    if len(value) > limit:
        raise HTTPException(400, f"Trường «{name}» dài quá {limit} ký tự (field too long).")
    return value
