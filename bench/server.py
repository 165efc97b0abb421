"""The benchmarks' real server: `analytics-server serve` in a child process, and a free port."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx

BIN = Path(__file__).resolve().parent.parent / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, timeout: float = 30) -> subprocess.Popen[bytes]:
    """Start `serve` on `port` with `env` and wait until it answers /healthz."""
    proc = subprocess.Popen(
        [BIN / "analytics-server", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")
