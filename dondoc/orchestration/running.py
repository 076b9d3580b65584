"""Running the children of ``dondoc up`` and ``dondoc worker`` until SIGINT or SIGTERM, then stopping them."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

from dondoc.orchestration.prefect_server import Child, ensure_work_pool, prefect_home, run_sync, start_worker, using
from dondoc.settings import Settings


def wait_for_stop(children: list[Child], on_tick: Callable[[], None] | None = None, poll: float = 1.0) -> str:
    """Block until SIGINT/SIGTERM (returns "signal") or a child exits on its own (returns its name)."""
    stop = threading.Event()
    previous = {}

    def handler(signum, _frame):
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    try:
        while not stop.wait(poll):
            for child in children:
                if not child.running:
                    return child.name
            if on_tick:
                on_tick()
        return "signal"
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class Recovery:
    """Every ``interval`` seconds of a wait, start again the runs that crashed (see
    :mod:`dondoc.orchestration.recovery`); a server that does not answer is tried at the next tick."""

    def __init__(self, url: str, say: Callable[[str], None], interval: float = 60.0) -> None:
        import time

        self.url, self.say, self.interval = url, say, interval
        self._clock = time.monotonic
        self._next = self._clock() + interval

    def __call__(self) -> None:
        if self._clock() < self._next:
            return
        self._next = self._clock() + self.interval
        from prefect.client.orchestration import get_client

        from dondoc.orchestration.recovery import rerun_crashed

        async def go():
            async with get_client() as client:
                return await rerun_crashed(client)

        try:
            with using(self.url):
                started = run_sync(go())
        except Exception as exc:  # noqa: BLE001 - the server may be busy or restarting: next tick
            self.say(f"Chưa kiểm tra được các lượt chạy bị lỗi ({type(exc).__name__}); sẽ thử lại.")
            return
        if started:
            self.say(f"Đã chạy lại {len(started)} lượt chạy bị dừng đột ngột (crashed).")


def stop_all(children: list[Child]) -> None:
    """Stop children in reverse start order (worker before server)."""
    for child in reversed(children):
        child.stop()


def run_worker(say: Callable[[str], None], pool: str, url: str, *, settings: Settings,
               limit: int | None = None) -> int:
    """``dondoc worker``: make sure the pool exists, run a process worker for it until Ctrl-C; 0 on a clean stop."""
    from prefect.client.orchestration import get_client

    limit = limit or settings.worker_concurrency

    async def ensure():
        async with get_client() as client:
            await ensure_work_pool(client, pool, settings.pool_limit)

    with using(url):
        run_sync(ensure())
    home = prefect_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    child = start_worker(pool, url, log_path=home / "worker.log", limit=limit)
    say(f"Worker phục vụ work pool «{pool}» tại {url}, tối đa {limit} lượt chạy cùng lúc "
        f"(nhật ký: {home / 'worker.log'}). Ctrl-C để dừng.")
    try:
        reason = wait_for_stop([child], on_tick=Recovery(url, say))
    finally:
        stop_all([child])
    return 0 if reason == "signal" else 1
