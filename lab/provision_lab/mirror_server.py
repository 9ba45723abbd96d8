"""The lab mirror's HTTP server: serves one folder on 127.0.0.1 only, as a daemon.

Run as `python -m provision_lab.mirror_server FOLDER LOG READY_FD`: it binds a free
loopback port, writes that port to READY_FD (so `lab up` waits on the pipe, not on a
sleep), and serves until SIGTERM. `start_mirror_server` does that and records the PID.
"""

from __future__ import annotations

import functools
import os
import select
import signal
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from provision.errors import ProvisionError
from provision_lab.processes import ProcessRecord, record_process

START_TIMEOUT = 15.0


class MirrorRequestHandler(SimpleHTTPRequestHandler):
    """Static files; one log line per request, to the server's log file."""

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")
        sys.stderr.flush()


def serve(folder: Path, ready_fd: int) -> None:
    """Serve `folder` on a free 127.0.0.1 port, announced on `ready_fd`, until SIGTERM."""
    handler = functools.partial(MirrorRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True

    def stop(number: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    os.write(ready_fd, f"{server.server_address[1]}\n".encode())
    os.close(ready_fd)
    server.serve_forever()
    server.server_close()


def start_mirror_server(folder: Path, log: Path) -> tuple[int, ProcessRecord]:
    """Start the server as a daemon; return its port once it listens, and its record."""
    read_end, write_end = os.pipe()
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "provision_lab.mirror_server", str(folder), str(write_end)],
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
            pass_fds=(write_end,), start_new_session=True,
        )  # fmt: skip
    os.close(write_end)
    record = record_process(process.pid)
    try:
        readable, _, _ = select.select([read_end], [], [], START_TIMEOUT)
        announced = os.read(read_end, 64).decode().strip() if readable else ""
    finally:
        os.close(read_end)
    if not announced.isdigit():
        raise ProvisionError(f"lab: the mirror server did not start (see {log})")
    return int(announced), record


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
