"""Fault tests with real processes: no accepted hit is lost or doubled when parts fail.

Each test starts its own Redis (AOF on) and its own database (on the shared MariaDB, or on a
MariaDB server of its own where the test stops that server), the web server and a Celery worker
as subprocesses, sends N hits (retrying on 503 as the JS tracker does), breaks something in the
middle of the stream, and checks the raw logs hold exactly the N hits.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import MYSQL_SERVER, service_reachable, skip_or_fail
from tests.processes import (
    BIN,
    MARIADBD,
    MariaDB,
    N,
    Proxy,
    Sender,
    Stack,
    free_port,
    wait_port,
)

pytestmark = [pytest.mark.mysql, pytest.mark.redis]


def running_stack(tmp_path: Path, server: str = MYSQL_SERVER) -> Iterator[Stack]:
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed")
    stack = Stack(tmp_path, server=server)
    try:
        stack.setup()
        yield stack
    finally:
        stack.teardown()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    if not service_reachable("127.0.0.1", 3306):
        skip_or_fail("MariaDB is not reachable on 127.0.0.1:3306")
    yield from running_stack(tmp_path)


@pytest.fixture
def own_mariadb(tmp_path: Path) -> Iterator[MariaDB]:
    """A MariaDB server of the test's own, so that stopping it leaves the shared one alone."""
    if shutil.which("mariadb-install-db") is None or not Path(MARIADBD).exists():
        skip_or_fail(f"MariaDB is not installed (mariadb-install-db, {MARIADBD})")
    server = MariaDB(tmp_path)
    server.install()
    server.start()
    try:
        yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.stop()


@pytest.fixture
def stack_on_own_mariadb(tmp_path: Path, own_mariadb: MariaDB) -> Iterator[Stack]:
    yield from running_stack(tmp_path, own_mariadb.url)


def wait_stored(stack: Stack, expected: int, timeout: float = 120) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    while True:
        total, _distinct = stack.stored()
        if total >= expected or time.monotonic() > deadline:
            time.sleep(1.0)  # anything stored twice would show up now
            return stack.stored()
        time.sleep(0.5)


def test_worker_killed_mid_batch_loses_and_doubles_nothing(stack: Stack) -> None:
    sender = Sender(stack.web_port)
    sender.start()
    sender.wait_for(N // 3)
    time.sleep(0.3)
    stack.kill("worker")
    sender.wait_for(2 * N // 3)
    stack.start_worker()
    sender.join(timeout=120)
    assert sender.accepted == N
    assert wait_stored(stack, N) == (N, N)


def test_redis_restarted_mid_stream_loses_and_doubles_nothing(stack: Stack) -> None:
    sender = Sender(stack.web_port)
    sender.start()
    sender.wait_for(N // 3)
    stack.redis.stop()
    time.sleep(2.0)  # the endpoint answers 503 meanwhile, the sender retries
    stack.redis.start()
    sender.join(timeout=120)
    assert sender.accepted == N
    assert sender.refused > 0
    assert wait_stored(stack, N) == (N, N)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "crashed"])
def test_mariadb_down_mid_stream_loses_and_doubles_nothing(
    stack_on_own_mariadb: Stack, own_mariadb: MariaDB, how: signal.Signals
) -> None:
    """The database server itself goes away for 4 s (a clean stop, or a crash that InnoDB
    recovers from) under the web server, the worker and beat, and comes back."""
    stack = stack_on_own_mariadb
    sender = Sender(stack.web_port)
    sender.start()
    sender.wait_for(N // 3)
    while stack.stored()[0] == 0:  # some batches committed, more on their way
        time.sleep(0.05)
    assert sender.accepted < N
    own_mariadb.stop(how)
    time.sleep(4.0)
    own_mariadb.start()
    sender.join(timeout=120)
    assert sender.accepted == N
    assert sender.refused == 0  # the endpoint does not need the database
    assert wait_stored(stack, N) == (N, N)


def test_database_connection_cut_mid_stream_loses_and_doubles_nothing(stack: Stack) -> None:
    proxy = Proxy(3306)
    stack.kill("worker")
    # the worker reaches MariaDB through the proxy
    stack.start_worker(stack.env(server=f"mysql+pymysql://root@127.0.0.1:{proxy.port}"))
    sender = Sender(stack.web_port)
    sender.start()
    sender.wait_for(N // 3)
    proxy.cut()
    time.sleep(4.0)
    proxy.restore()
    sender.join(timeout=120)
    assert sender.accepted == N
    assert wait_stored(stack, N) == (N, N)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_embedded_server_killed_mid_stream_loses_nothing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ANALYTICS_DATABASE__URL": f"sqlite:///{tmp_path}/a.sqlite3",
        "ANALYTICS_DATA_DIR": str(tmp_path),
    }
    for cmd in (["migrate"], ["site", "add", "--name", "P", "--url", "https://p.example"]):
        subprocess.run([BIN / "analytics-server", *cmd], env=env, check=True, capture_output=True)
    port = free_port()

    def serve() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [BIN / "analytics-server", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(port)
        return proc

    server = serve()
    sender = Sender(port)
    sender.start()
    sender.wait_for(N // 2)
    consumers = children(server.pid)
    assert consumers, "the embedded server runs its consumer in a child process"
    server.kill()  # SIGKILL: answered hits are in the spool file, not yet all processed
    server.wait()
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() for pid in consumers):  # no orphan consumer left
        assert time.monotonic() < deadline, "the consumer outlived its server"
        time.sleep(0.2)
    server = serve()
    try:
        sender.join(timeout=120)
        assert sender.accepted == N
        engine = sa.create_engine(env["ANALYTICS_DATABASE__URL"])
        deadline = time.monotonic() + 60
        while True:
            with engine.connect() as conn:
                total = conn.scalar(sa.text("SELECT COUNT(*) FROM log_link_visit_action"))
                distinct = conn.scalar(
                    sa.text("SELECT COUNT(DISTINCT idaction_url) FROM log_link_visit_action")
                )
            if total == N or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert (total, distinct) == (N, N)
    finally:
        server.terminate()
        server.wait(timeout=15)
