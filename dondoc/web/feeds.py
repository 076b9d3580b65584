"""The calendar feeds: ``GET /feeds/<token>.ics`` for an office's or a leadership's feed link.

``?thuong_xuyen=0`` leaves the continuous items (their reporting checkpoints) out;
any value other than 0/1 answers 400 with a Vietnamese message. Calendar apps
subscribe with the https link or its ``webcal://`` twin; the calendar asks them
to refresh every ``DONDOC_FEED_REFRESH_MINUTES`` (REFRESH-INTERVAL, X-PUBLISHED-TTL)
and the answer may be kept but must be revalidated (``Cache-Control: no-cache``),
which costs a 304 while nothing changed.

An unknown, mistyped or rotated token answers 404 (plain text). A feed carries
an ETag and Last-Modified; a request whose ``If-None-Match`` names the current
ETag gets 304 without a body. A client that accepts gzip gets the body
compressed (once per build, with an ETag of its own). Built feeds are cached per
link, day and data version of the link's unit (:class:`dondoc.usecases.feedcache.FeedCache`), so
calendar apps polling every few minutes cost a few small queries each (the link's scope, and the
unit's data version at most once a second), and a write in another unit rebuilds nothing.
"""

from __future__ import annotations

from dataclasses import replace
from email.utils import format_datetime

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse

from dondoc.storage.links import FEED_KINDS, OFFICE_FEED
from dondoc.usecases import feeds
from dondoc.usecases.feedcache import FeedCache, cached_feed
from dondoc.web.base import dondoc_of, scope_of

router = APIRouter()

MEDIA_TYPE = "text/calendar; charset=utf-8"


def _cache(request: Request) -> FeedCache:
    state = request.app.state
    cache = getattr(state, "feed_cache", None)
    if cache is None:
        cache = state.feed_cache = FeedCache()
    return cache


def _options(request: Request) -> feeds.FeedOptions:
    """The feed options of today, built once a day."""
    state, dondoc = request.app.state, dondoc_of(request)
    options = getattr(state, "feed_options", None)
    day = dondoc.today()
    if options is None or options.as_of != day:
        options = state.feed_options = feeds.options_from(dondoc, day)
    return options


def _matches(header: str | None, etags: tuple[str, ...]) -> bool:
    """Whether If-None-Match names the feed (either encoding of it; weak comparison, RFC 9110)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip() for t in header.split(",")]
    return any((t[2:] if t.startswith("W/") else t) in etags for t in tags)


def _accepts_gzip(header: str | None) -> bool:
    for part in (header or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


_YES, _NO = ("1", "co", "có", "true"), ("0", "khong", "không", "false")


def _continuous(request: Request) -> bool | None:
    """``?thuong_xuyen=``: True (the default), False, or None for a value not understood."""
    values = request.query_params.getlist(feeds.CONTINUOUS_PARAMETER)
    if not values:
        return True
    value = values[-1].strip().lower()
    return True if value in _YES else False if value in _NO else None


@router.api_route("/feeds/{token}.ics", methods=["GET", "HEAD"])
def feed(token: str, request: Request) -> Response:
    link = scope_of(request, token, *FEED_KINDS)
    scope = feeds.Scope(link.unit_id, link.office_id if link.kind == OFFICE_FEED else None)
    continuous = _continuous(request)
    if continuous is None:
        return PlainTextResponse(f"Tham số {feeds.CONTINUOUS_PARAMETER} chỉ nhận 1 (kèm nhiệm vụ thường xuyên) "
                                 "hoặc 0 (bỏ nhiệm vụ thường xuyên).", status_code=400)
    options = _options(request)
    if not continuous:
        options = replace(options, continuous=False)
    try:
        built = cached_feed(_cache(request), dondoc_of(request).engine, link.link_id, scope, options)
    except feeds.FeedNotFound:
        raise HTTPException(404) from None
    compressed = _accepts_gzip(request.headers.get("accept-encoding")) and bool(built.gzipped)
    etag = built.etag[:-1] + '-gz"' if compressed else built.etag
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(built.last_modified, usegmt=True),
        "Cache-Control": "private, no-cache",
        "Content-Disposition": 'inline; filename="dondoc.ics"',
        "Vary": "Accept-Encoding",
    }
    if _matches(request.headers.get("if-none-match"), (built.etag, built.etag[:-1] + '-gz"')):
        return Response(status_code=304, headers=headers)
    body = built.gzipped if compressed else built.body
    if compressed:
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        return Response(media_type=MEDIA_TYPE, headers={**headers, "Content-Length": str(len(body))})
    return Response(content=body, media_type=MEDIA_TYPE, headers=headers)
