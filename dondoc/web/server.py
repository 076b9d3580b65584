"""Serving the web pages: beside the worker (``dondoc up``) or alone (``dondoc web``).

With ``workers`` above 1 (``DONDOC_WEB_WORKERS``; 0 means one per CPU core), the listening
socket is opened here and handed to that many worker processes (``python -m dondoc.web.server``),
each running the application on uvicorn and answering several requests at a time in its
threads; the kernel spreads connections over them, so the pages use every core. Each worker
builds the application from the same settings, clock and configuration (sent to it pickled)
and keeps its own caches: they are keyed by the units' data versions in the database, so a
write made in one worker (or by a command) shows at once in the others. A worker that dies
is started again; a worker whose parent is gone (its stdin closed) stops. With ``workers``
1 the server runs in a thread of this process, as tests and small installations want.

Uvicorn's own access log is off: :class:`dondoc.web.security.GuardMiddleware`
writes one with the secret tokens replaced.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import socket
import subprocess
import sys
import threading
import time

import uvicorn

from dondoc.app import Dondoc

log = logging.getLogger("dondoc.web")

READY = b"ready\n"


def _uvicorn_config(app, **where) -> uvicorn.Config:
    return uvicorn.Config(app, access_log=False, log_level="warning", lifespan="off", proxy_headers=True,
                          server_header=False, **where)


class WebServer:
    """The web application served from code: started, stopped, its address read (port 0: any free port)."""

    name = "web"

    def __init__(self, dondoc: Dondoc, host: str | None = None, port: int | None = None,
                 workers: int | None = None) -> None:
        """The pages compute status for the day of ``dondoc``'s clock; ``workers`` defaults to the setting."""
        settings = dondoc.settings
        self.dondoc = dondoc
        self.host = host or settings.web_host
        self.port = settings.web_port if port is None else port
        self.workers = settings.web_processes if workers is None else max(1, workers)
        self.thread: threading.Thread | None = None
        self.app = self.server = None
        self.socket: socket.socket | None = None
        self.children: list[subprocess.Popen] = []
        self._stopping = threading.Event()
        if self.workers == 1:
            from dondoc.web.app import create_app

            self.app = create_app(dondoc)
            self.server = uvicorn.Server(_uvicorn_config(self.app, host=self.host, port=self.port))

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def url(self) -> str:
        if self.socket is not None:
            sockets = [self.socket]
        else:
            sockets = [s for server in self.server.servers for s in server.sockets]
        host, port = sockets[0].getsockname()[:2]
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"

    def start(self, timeout: float = 30.0) -> WebServer:
        if self.workers == 1:
            return self._start_thread(timeout)
        return self._start_processes(timeout)

    def _start_thread(self, timeout: float) -> WebServer:
        self.thread = threading.Thread(target=self.server.run, name="dondoc-web", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"máy chủ web không khởi động được trên cổng {self.port}")
            time.sleep(0.05)
        return self

    # -- several worker processes --------------------------------------------------------------
    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise RuntimeError(f"máy chủ web không khởi động được trên cổng {self.port}: {exc.strerror}") from None
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock

    def _spawn(self) -> subprocess.Popen:
        """A worker process serving the socket; it is told the application's settings, clock and configuration."""
        fd = self.socket.fileno()
        child = subprocess.Popen([sys.executable, "-m", "dondoc.web.server", str(fd)], pass_fds=(fd,),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        dondoc = self.dondoc
        child.stdin.write(pickle.dumps((dondoc.settings, dondoc.clock, dondoc.config)))
        child.stdin.flush()  # kept open: the worker stops when it closes (here, or when this process is gone)
        return child

    def _start_processes(self, timeout: float) -> WebServer:
        self.socket = self._bind()
        self._stopping.clear()
        try:
            self.children = [self._spawn() for _ in range(self.workers)]
            deadline = time.monotonic() + timeout
            for child in self.children:
                if not _ready(child, deadline):
                    raise RuntimeError(f"máy chủ web không khởi động được trên cổng {self.port}")
        except BaseException:
            self.stop()
            raise
        self.thread = threading.Thread(target=self._supervise, name="dondoc-web", daemon=True)
        self.thread.start()
        return self

    def _supervise(self) -> None:
        """Start again a worker that died; give up after five deaths in a row within seconds of starting."""
        quick_deaths = 0
        while not self._stopping.wait(0.5):
            for index, child in enumerate(self.children):
                if child.poll() is None or self._stopping.is_set():
                    continue
                log.warning("a web worker stopped (exit code %s); starting another", child.returncode)
                _close(child)
                started = time.monotonic()
                replacement = self._spawn()
                self.children[index] = replacement
                if _ready(replacement, started + 30):
                    quick_deaths = 0
                else:
                    quick_deaths += 1
                    if quick_deaths >= 5:
                        log.error("web workers keep stopping at start; the web server stops")
                        return

    def stop(self) -> None:
        if self.workers == 1:
            self.server.should_exit = True
            if self.thread is not None:
                self.thread.join(timeout=10)
            return
        self._stopping.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=10)
        for child in self.children:  # closing its stdin asks a worker to finish its requests and stop
            try:
                child.stdin.close()
            except OSError:
                pass
        deadline = time.monotonic() + 10
        for child in self.children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            _close(child)
        if self.socket is not None:
            self.socket.close()

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _ready(child: subprocess.Popen, deadline: float) -> bool:
    """Whether the worker said it serves before ``deadline`` (False when it died first)."""
    out = child.stdout
    while time.monotonic() < deadline:
        readable, _, _ = select.select([out], [], [], min(0.5, max(0.0, deadline - time.monotonic())))
        if readable:
            return out.readline() == READY
        if child.poll() is not None:
            return False
    return False


def _close(child: subprocess.Popen) -> None:
    for stream in (child.stdin, child.stdout):
        try:
            stream.close()
        except (OSError, ValueError):
            pass


def serve_worker(fd: int) -> None:
    """A worker process: the application from the pickled settings, clock and configuration on stdin,
    served on the inherited socket ``fd`` until stdin closes."""
    settings, clock, config = pickle.load(sys.stdin.buffer)
    from dondoc.web.app import create_app

    dondoc = Dondoc.build(settings, clock=clock, config=config)
    dondoc.migrated = True  # the parent migrated the database before serving
    server = uvicorn.Server(_uvicorn_config(create_app(dondoc)))

    def tell_ready() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        os.write(sys.stdout.fileno(), READY)

    def watch_parent() -> None:
        sys.stdin.buffer.read()  # returns when the parent closes the pipe or is gone
        server.should_exit = True

    threading.Thread(target=tell_ready, daemon=True).start()
    threading.Thread(target=watch_parent, daemon=True).start()
    server.run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    serve_worker(int(sys.argv[1]))
