"""The web pages and calendar feeds (FastAPI, server-rendered Jinja2, no heavy JavaScript).

Every page and feed sits behind a secret link (:mod:`dondoc.storage.links`):

- ``/o/<token>``: an office's items, a form per item, its history (``office.py``);
- ``/l/<token>``: the leadership overview, acknowledge and extend (``leadership.py``);
- ``/s/<token>``: the standing office: import, resolve, triggers, reports sent on paper, links (``standing.py``);
- ``/feeds/<token>.ics``: an office's or the leadership's calendar (``feeds.py``).

:func:`dondoc.web.app.create_app` builds the application; ``security.py`` holds
what every page shares: anti-forgery tokens, security headers, the request size
limit and an access log that never shows a token.
"""
