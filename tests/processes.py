"""Real processes for tests: free ports, a Redis and a MariaDB of a test's own, a TCP proxy
that can cut a connection, and the whole stack (database, Redis, web server, Celery worker and
beat)."""

from __future__ import annotations

import contextlib
import getpass
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

import httpx
import sqlalchemy as sa

from tests.conftest import MYSQL_SERVER, service_reachable

N = 600  # hits a Sender sends by default
BIN = Path(__file__).resolve().parents[1] / ".venv" / "bin"
MARIADBD = "/usr/sbin/mariadbd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not service_reachable("127.0.0.1", port):
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing listens on {port}")
        time.sleep(0.1)


class Redis:
    """A Redis server of our own, with AOF, that a test may stop and start."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir / "redis"
        self.dir.mkdir()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)  # a clean shutdown, as a restart does
        self.proc.wait(timeout=20)


class MariaDB:
    """A MariaDB server of our own (data directory, port and socket) that a test may stop, kill
    and start again, while the machine's shared server goes on serving the other tests."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir / "mariadb"
        self.socket = f"/tmp/analytics-test-mariadb-{self.port}.sock"  # paths of 107 bytes at most
        self.url = f"mysql+pymysql://root@127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "mariadb.log"

    def install(self) -> None:
        subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.dir}",
                f"--user={getpass.getuser()}",
                "--auth-root-authentication-method=normal",  # root, no password, as on the CI box
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    MARIADBD,
                    "--no-defaults",
                    f"--datadir={self.dir}",
                    f"--user={getpass.getuser()}",
                    f"--port={self.port}",
                    "--bind-address=127.0.0.1",
                    f"--socket={self.socket}",
                    f"--pid-file={self.dir}/mariadbd.pid",
                    "--skip-log-bin",
                    "--innodb-buffer-pool-size=64M",
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_bin",
                ],
                stdout=log,
                stderr=log,
            )
        wait_port(self.port)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """SIGTERM: a clean shutdown, as `systemctl stop` does; SIGKILL: a crash."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.wait(timeout=60)


class Proxy:
    """A TCP forwarder in front of MariaDB: closing it is a database outage for the worker."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.open = threading.Event()
        self.open.set()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.open.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.close()

    def cut(self) -> None:
        self.open.clear()
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self.conns = []

    def restore(self) -> None:
        self.open.set()


class Stack:
    """Database, Redis, web server and worker for one test."""

    def __init__(
        self,
        workdir: Path,
        *,
        server: str = MYSQL_SERVER,
        queues: str = "ingest",
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.queues = queues
        self.extra_env = extra_env or {}
        self.workdir = workdir
        self.db_name = f"analytics_fault_{os.getpid()}_{free_port()}"
        self.redis = Redis(workdir)
        self.web_port = free_port()
        self.server = server
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: list[IO[bytes]] = []

    def env(self, *, server: str | None = None) -> dict[str, str]:
        """The processes' environment; `server`: another address of the database server."""
        url = f"{server or self.server}/{self.db_name}"
        return {
            **os.environ,
            "ANALYTICS_DATABASE__URL": url,
            "ANALYTICS_DATA_DIR": str(self.workdir),
            "ANALYTICS_INGEST__BACKEND": "redis",
            "ANALYTICS_INGEST__REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0",
            "ANALYTICS_INGEST__PARTITIONS": "2",
            "ANALYTICS_INGEST__LOCK_TTL_MS": "3000",
            "ANALYTICS_INGEST__BATCH_SIZE": "50",
            **self.extra_env,
        }

    def setup(self) -> None:
        admin = sa.create_engine(self.server)
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {self.db_name} CHARACTER SET utf8mb4"))
        admin.dispose()
        self.redis.start()
        for cmd in (["migrate"], ["site", "add", "--name", "P", "--url", "https://p.example"]):
            subprocess.run(
                [BIN / "analytics-server", *cmd], env=self.env(), check=True, capture_output=True
            )
        self.start("web", ["serve", "--port", str(self.web_port)])
        wait_port(self.web_port)
        self.start_worker()
        self.start(
            "beat",
            ["beat", "--loglevel", "warning", "--schedule", str(self.workdir / "beat-schedule")],
        )

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115
        self.logs.append(log)
        self.procs[name] = subprocess.Popen(
            [BIN / "analytics-server", *args],
            env=env or self.env(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def start_worker(self, env: dict[str, str] | None = None) -> None:
        self.start(
            "worker",
            ["worker", "--queues", self.queues, "--concurrency", "1", "--loglevel", "info"],
            env,
        )

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)  # the worker and its pool children, mid-batch
        proc.wait(timeout=10)

    def stored(self) -> tuple[int, int]:
        engine = sa.create_engine(f"{self.server}/{self.db_name}")
        with engine.connect() as conn:
            total = conn.scalar(sa.text("SELECT COUNT(*) FROM log_link_visit_action")) or 0
            distinct = (
                conn.scalar(
                    sa.text("SELECT COUNT(DISTINCT idaction_url) FROM log_link_visit_action")
                )
                or 0
            )
        engine.dispose()
        return int(total), int(distinct)

    def teardown(self) -> None:
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        if self.redis.proc and self.redis.proc.poll() is None:
            self.redis.stop()
        for log in self.logs:
            log.close()
        admin = sa.create_engine(self.server)
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {self.db_name}"))
        admin.dispose()


class Sender(threading.Thread):
    """Sends hits 0..N-1 in order, each until the server accepts it (204), like the tracker."""

    def __init__(self, port: int, n: int = N) -> None:
        super().__init__(daemon=True)
        self.port, self.n, self.accepted, self.refused = port, n, 0, 0

    def run(self) -> None:
        browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}  # not a bot
        with httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}", timeout=5, headers=browser
        ) as client:
            for i in range(self.n):
                query = urlencode(
                    {
                        "idsite": 1,
                        "rec": 1,
                        "send_image": 0,
                        "_id": f"{i % 40:016x}",
                        "url": f"https://p.example/page/{i}",
                        # a stable request id: a hit resent after a lost answer counts once
                        "r": f"{os.getpid():08x}{i:08x}",
                    }
                )
                while True:
                    try:
                        if client.get(f"/matomo.php?{query}").status_code == 204:
                            break
                    except httpx.HTTPError:
                        pass
                    self.refused += 1
                    time.sleep(0.05)
                self.accepted += 1
                time.sleep(0.002)

    def wait_for(self, count: int) -> None:
        while self.accepted < count:
            time.sleep(0.02)
