"""The work pool's job command: run this flow run in a warm copy of the fork server
(:mod:`dondoc.orchestration.forkserver`), or as ``python -m prefect.engine`` when there is none.

It imports only the standard library, so it starts in a few hundredths of a second. It hands the server
its environment, working folder, arguments and its three standard streams, passes on SIGTERM and SIGINT
to the run, and exits with the run's exit code.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import time

SOCKET_ENV = "DONDOC_FORK_SOCKET"
HEADER = struct.Struct("!I")


def through_server(path: str) -> int | None:
    """The run's exit code, or None when the server could not take the run (nothing was started)."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        request = json.dumps({"env": dict(os.environ), "cwd": os.getcwd(), "argv": sys.argv[1:]}).encode()
        socket.send_fds(conn, [HEADER.pack(len(request))], [0, 1, 2])
        conn.sendall(request)
        reader = conn.makefile("r", encoding="ascii")
        first = reader.readline()
    except OSError:
        conn.close()
        return None
    if not first.startswith("pid "):
        conn.close()
        return None
    pid = int(first.split()[1])

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, forward)
    line = reader.readline()  # a signal passed on does not interrupt the wait (PEP 475)
    if line.startswith("exit "):
        return int(line.split()[1])
    # the server went away with the run still going: wait for the run, then report a crash
    while _alive(pid):
        time.sleep(0.5)
    return 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_status(code: int) -> int:
    """A process's exit code as a shell gives it: a run killed by signal N (code -N) exits with 128 + N."""
    return code if code >= 0 else 128 - code


def main() -> None:
    path = os.environ.get(SOCKET_ENV)
    code = through_server(path) if path else None
    if code is not None:
        sys.exit(exit_status(code))
    os.execv(sys.executable, [sys.executable, "-m", "prefect.engine", *sys.argv[1:]])


if __name__ == "__main__":
    main()
