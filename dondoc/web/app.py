"""The web application: ``create_app(dondoc)`` wires the pages, the feeds and the shared guards.

The application object (:class:`dondoc.app.Dondoc`) is the only way to the data:
no page runs a query or holds a rule.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from dondoc.app import Dondoc
from dondoc.storage.refusals import DATABASE_ERRORS, database_problem
from dondoc.storage.secret import secret_key
from dondoc.usecases.feedcache import FeedCache
from dondoc.usecases.unitcache import ProvinceViews, StatusRuns
from dondoc.web import feeds, leadership, office, people, reports, security, standing
from dondoc.web.base import HERE, RETRY_AFTER_SECONDS, render

DATA_REFUSED = "Cơ sở dữ liệu không nhận dữ liệu đã gửi; chưa ghi được gì (data refused)."
NOT_FOUND = "Không tìm thấy trang. Đường dẫn có thể đã được thay mới; hãy dùng đường dẫn mới nhất được gửi cho anh/chị."


def create_app(dondoc: Dondoc) -> FastAPI:
    """The web application over ``dondoc`` (its clock gives the day pages compute status for)."""
    app = FastAPI(title="Đôn Đốc", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.dondoc = dondoc
    app.state.secret_key = secret_key(dondoc.settings)
    app.state.status_runs = StatusRuns()  # each unit's status run, for its offices' pages, until the unit changes
    app.state.province_views = ProvinceViews(max_entries=32)  # a province's overview, until a commune changes
    app.state.feed_cache = FeedCache()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (office, leadership, standing, people, feeds, reports):
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

    async def database_refused(request: Request, exc: Exception):
        """Busy or unreachable: 503 and Retry-After; any other refusal of the data: 400. Nothing was stored."""
        problem = database_problem(exc)
        code = 503 if problem is not None else 400
        message = str(problem) if problem is not None else DATA_REFUSED
        if request.url.path.startswith("/feeds/"):
            return PlainTextResponse(message, status_code=code, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        message += " Nếu anh/chị vừa gửi một biểu mẫu, bấm «Quay lại» trên trình duyệt để sửa hoặc gửi lại."
        return render(request, "error.html", {"message": message, "code": code}, status_code=code)

    for refused in DATABASE_ERRORS:
        app.add_exception_handler(refused, database_refused)

    app.add_middleware(GZipMiddleware, minimum_size=500)  # pages compress ~10x; feeds arrive compressed already
    app.add_middleware(security.GuardMiddleware,
                       max_body=dondoc.settings.upload_max_bytes + security.FORM_OVERHEAD_BYTES)
    return app
