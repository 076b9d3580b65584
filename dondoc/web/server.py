"""Serving the web pages: in a background thread beside the worker (``dondoc up``) or alone (``dondoc web``).

Uvicorn's own access log is off: :class:`dondoc.web.security.GuardMiddleware`
writes one with the secret tokens replaced.
"""

from __future__ import annotations

import threading
import time

import uvicorn

from dondoc.app import Dondoc


class WebServer:
    """A uvicorn server for :func:`dondoc.web.app.create_app`, started and stopped from code."""

    def __init__(self, dondoc: Dondoc, host: str | None = None, port: int | None = None) -> None:
        """The pages compute status for the day of ``dondoc``'s clock."""
        from dondoc.web.app import create_app

        settings = dondoc.settings
        self.app = create_app(dondoc)
        config = uvicorn.Config(self.app, host=host or settings.web_host,
                                port=settings.web_port if port is None else port,
                                access_log=False, log_level="warning", lifespan="off",
                                proxy_headers=True, server_header=False)
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None

    name = "web"

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def url(self) -> str:
        sockets = [s for server in self.server.servers for s in server.sockets]
        host, port = sockets[0].getsockname()[:2]
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"

    def start(self, timeout: float = 15.0) -> WebServer:
        self.thread = threading.Thread(target=self.server.run, name="dondoc-web", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"máy chủ web không khởi động được trên cổng {self.server.config.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
