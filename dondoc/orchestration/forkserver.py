"""Warm starts for flow runs: a process that has imported Prefect and the flows once, and forks a copy of
itself for each flow run a worker starts.

A process worker starts one Python process per flow run, and importing Prefect's engine and the flows
costs more CPU than most item runs do. ``dondoc worker`` and ``dondoc up`` start the Prefect worker
through this server (``python -m dondoc.orchestration.forkserver SOCKET -- prefect worker start …``):
it listens on a Unix socket, starts the worker with ``DONDOC_FORK_SOCKET`` naming it, imports, and
serves until the worker exits (with the worker's exit code). The pool's job command,
:mod:`dondoc.orchestration.launch`, is a small process that hands the server its environment, working
folder, arguments and standard streams, and waits. The server forks; the copy takes them on and runs
``prefect.engine`` as ``python -m prefect.engine`` would, with everything already imported. The exit
code goes back to the launcher, which exits with it, so the worker sees what it always saw. A signal to
the launcher (a cancellation) is passed to the run; a launcher that disappears (killed) takes its run with
it. When the server does not answer, the launcher runs ``python -m prefect.engine`` itself.

The server stays single-threaded (a fork copies only the thread that forks): it never runs a flow and
never opens a database connection or a Prefect client of its own.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
from pathlib import Path

from dondoc.orchestration.launch import HEADER, SOCKET_ENV, exit_status
from dondoc.orchestration.prefect_server import die_with_parent

WARM_MODULES = ("prefect.engine", "prefect.flow_engine", "prefect.task_engine", "prefect.runtime",
                "prefect.states", "flows.item", "tasks.chasing", "dondoc.app", "dondoc.usecases.chasing",
                "dondoc.usecases.sending", "notifications.delivery", "notifications.messages")


def read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def warm_up() -> None:
    """Import what a flow run imports (not the flows' work: no client, no engine, no thread)."""
    import importlib

    for name in WARM_MODULES:
        importlib.import_module(name)


def _child(conn: socket.socket, listener: socket.socket, others: list[socket.socket], fds: list[int],
           request: dict) -> None:
    """In the forked copy: become the flow-run process the launcher stands for, run the engine, exit."""
    code = 1
    try:
        for sock in (listener, conn, *others):
            sock.close()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [sys.argv[0], *request["argv"]]
        code = _run_engine()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed stream must not change the exit code
                pass
        os._exit(code)


def _run_engine() -> int:
    import atexit
    import runpy
    import traceback

    code = 0
    sys.modules.pop("prefect.engine", None)  # run afresh as __main__ (its imports stay warm)
    try:
        runpy.run_module("prefect.engine", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - what `python -m prefect.engine` would print and exit 1 with
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()  # Prefect sends the run's last logs at exit
    return code


class Server:
    """The accept loop: one connection per launcher, one fork per connection, exit codes sent back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs: dict[int, socket.socket] = {}  # child pid -> its launcher's connection
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.worker: subprocess.Popen | None = None
        self.worker_code: int | None = None

    def start(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.path.exists():
            self.path.unlink()
        self.listener.bind(str(self.path))
        os.chmod(self.path, 0o600)
        self.listener.listen(128)

    def serve(self, stop) -> None:
        while not stop() and self.worker_code is None:
            readable, _, _ = select.select([self.listener, *self.runs.values()], [], [], 0.2)
            for sock in readable:
                if sock is self.listener:
                    self._accept()
                else:
                    self._launcher_gone(sock)
            self._reap()
        self.close()

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        conn.settimeout(10)
        if not _same_user(conn):  # the socket's folder is private; this is the second lock
            conn.close()
            return
        try:
            head, fds, _, _ = socket.recv_fds(conn, HEADER.size, 3)
            if len(head) < HEADER.size:
                head += read_exact(conn, HEADER.size - len(head))
            request = json.loads(read_exact(conn, HEADER.unpack(head)[0]))
        except (OSError, ValueError, ConnectionError):
            conn.close()
            return
        pid = os.fork()
        if pid == 0:
            _child(conn, self.listener, list(self.runs.values()), fds, request)
        for fd in fds:
            os.close(fd)
        run_id = request["env"].get("PREFECT__FLOW_RUN_ID") or " ".join(request["argv"])
        print(f"Khởi động nhanh lượt chạy {run_id} (tiến trình {pid})", flush=True)
        try:
            conn.sendall(f"pid {pid}\n".encode())
        except OSError:
            pass
        conn.settimeout(None)
        self.runs[pid] = conn

    def _launcher_gone(self, conn: socket.socket) -> None:
        """The launcher's side closed before its run ended: it was killed, so the run goes too."""
        try:
            if conn.recv(64):
                return
        except OSError:
            pass
        for pid, sock in list(self.runs.items()):
            if sock is conn:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.worker is not None and pid == self.worker.pid:
                self.worker.returncode = self.worker_code = os.waitstatus_to_exitcode(status)
                continue
            conn = self.runs.pop(pid, None)
            if conn is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            try:
                conn.sendall(f"exit {code}\n".encode())
            except OSError:
                pass
            conn.close()

    def close(self, timeout: float = 10.0) -> None:
        """Stop: the worker first (it ends or hands back its runs), then the runs still going."""
        import time

        self.listener.close()
        if self.worker is not None and self.worker_code is None:
            try:
                self.worker.send_signal(signal.SIGTERM)
                self.worker_code = self.worker.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker_code = self.worker.wait()
            except ProcessLookupError:
                pass
        for pid in list(self.runs):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while self.runs and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.1)
        for leftover in (self.path, self.path.parent):
            try:
                leftover.unlink() if leftover is self.path else leftover.rmdir()
            except OSError:
                pass


def _same_user(conn: socket.socket) -> bool:
    """Only a process of this user may hand a flow run over (SO_PEERCRED: pid, uid, gid)."""
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return False
    return struct.unpack("3i", creds)[1] == os.getuid()


def main(argv: list[str] | None = None) -> int:
    """``forkserver SOCKET -- WORKER COMMAND…``: serve warm flow-run processes while the worker runs."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) < 3 or args[1] != "--":
        print("usage: python -m dondoc.orchestration.forkserver SOCKET -- COMMAND...", file=sys.stderr)
        return 2
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    server = Server(Path(args[0]))
    server.start()
    # the worker gets SIGTERM when this server dies, even by SIGKILL
    server.worker = subprocess.Popen(args[2:], env={**os.environ, SOCKET_ENV: args[0]},
                                     preexec_fn=die_with_parent if sys.platform.startswith("linux") else None)
    warm_up()
    server.serve(lambda: bool(stopping))
    server.close()
    return exit_status(server.worker_code or 0)


if __name__ == "__main__":
    sys.exit(main())
