"""The web application: ``create_app()`` wires the pages, the feeds and the shared guards.

Pages use :func:`page_link` to turn the token in the path into the link's scope
(or a 404 page, the same for an unknown, mistyped or rotated token) and
:func:`render` to answer with a template; templates escape everything they show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dondoc import links
from dondoc.configuration import AppConfig, load_config
from dondoc.db import get_engine
from dondoc.models import AccessLink
from dondoc.settings import Settings, get_settings
from dondoc.web import security

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

NOT_FOUND = "Không tìm thấy trang. Đường dẫn có thể đã được thay mới; hãy dùng đường dẫn mới nhất được gửi cho anh/chị."


def create_app(engine: Engine | None = None, settings: Settings | None = None,
               config: AppConfig | None = None, today: Callable[[], date] | None = None) -> FastAPI:
    """The application. ``today`` gives the day pages compute status for (tests pass a fixed day)."""
    settings = settings or get_settings()
    app = FastAPI(title="Đôn Đốc", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine or get_engine(settings=settings)
    app.state.config = config or load_config()
    app.state.secret_key = security.secret_key(settings)
    app.state.today = today or (lambda: datetime.now(ZoneInfo(settings.timezone)).date())
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from dondoc.web import feeds, leadership, office, reports, standing

    for module in (office, leadership, standing, feeds, reports):
        app.include_router(module.router)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        return render(request, "home.html", {})

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = NOT_FOUND if exc.status_code == 404 else str(exc.detail)
        if request.url.path.startswith("/feeds/"):
            return PlainTextResponse(message, status_code=exc.status_code)
        return render(request, "error.html", {"message": message, "code": exc.status_code},
                      status_code=exc.status_code)

    app.add_middleware(security.GuardMiddleware,
                       max_body=settings.upload_max_bytes + security.FORM_OVERHEAD_BYTES)
    return app


def engine_of(request: Request) -> Engine:
    return request.app.state.engine


def today_of(request: Request) -> date:
    return request.app.state.today()


def work_calendar_of(request: Request):
    from dondoc.schedule import work_calendar

    return work_calendar(request.app.state.config, request.app.state.settings)


def page_link(session: Session, token: str, *kinds: str) -> AccessLink:
    """The active link for ``token`` among ``kinds``, or 404 (unknown, mistyped and rotated alike)."""
    link = links.resolve(session, token, kinds or links.KINDS)
    if link is None:
        raise HTTPException(404)
    return link


def render(request: Request, name: str, context: dict, status_code: int = 200,
           link: AccessLink | None = None) -> HTMLResponse:
    """Answer with a template; with ``link``, the context gets ``csrf`` for its forms and the cookie is set."""
    context = {"request": request, **context}
    if link is not None:
        context["csrf"] = security.csrf_token(request, link.token_sha256)
        context["csrf_field"] = security.CSRF_FIELD
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    security.set_csrf_cookie(request, response)
    return response
