"""The calendar feeds: ``GET /feeds/<token>.ics`` for an office's or a leadership's feed link.

An unknown, mistyped or rotated token answers 404 (plain text). A feed carries
an ETag and Last-Modified; a request whose ``If-None-Match`` names the current
ETag gets 304 without a body. Built feeds are cached per link, day and data
version (:class:`dondoc.feeds.FeedCache`), so calendar apps polling every few
minutes cost two small queries each.
"""

from __future__ import annotations

from email.utils import format_datetime

from fastapi import APIRouter, HTTPException, Request, Response

from dondoc import feeds, links
from dondoc.db import read_session
from dondoc.web.app import engine_of, page_link, today_of, work_calendar_of

router = APIRouter()

MEDIA_TYPE = "text/calendar; charset=utf-8"


def _cache(request: Request) -> feeds.FeedCache:
    state = request.app.state
    cache = getattr(state, "feed_cache", None)
    if cache is None:
        cache = state.feed_cache = feeds.FeedCache()
    return cache


def _options(request: Request) -> feeds.FeedOptions:
    state = request.app.state
    options = getattr(state, "feed_options", None)
    day = today_of(request)
    if options is None:
        options = state.feed_options = feeds.options_from(state.settings, state.config, day)
    if options.as_of != day:
        from dataclasses import replace

        options = state.feed_options = replace(options, as_of=day, calendar=work_calendar_of(request))
    return options


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip() for t in header.split(",")]
    return any((t[2:] if t.startswith("W/") else t) == etag for t in tags)


@router.api_route("/feeds/{token}.ics", methods=["GET", "HEAD"])
def feed(token: str, request: Request) -> Response:
    engine = engine_of(request)
    with read_session(engine) as session:
        link = page_link(session, token, *links.FEED_KINDS)
        link_id, scope = link.id, feeds.scope_of(link)
    try:
        built = feeds.cached_feed(_cache(request), engine, link_id, scope, _options(request))
    except feeds.FeedNotFound:
        raise HTTPException(404) from None
    headers = {
        "ETag": built.etag,
        "Last-Modified": format_datetime(built.last_modified, usegmt=True),
        "Cache-Control": "private, no-cache",
        "Content-Disposition": 'inline; filename="dondoc.ics"',
    }
    if _matches(request.headers.get("if-none-match"), built.etag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(media_type=MEDIA_TYPE, headers={**headers, "Content-Length": str(len(built.body))})
    return Response(content=built.body, media_type=MEDIA_TYPE, headers=headers)
