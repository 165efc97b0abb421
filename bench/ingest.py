"""Ingestion benchmark: the real server (uvicorn) and workers over loopback, a bounded load.

    .venv/bin/python bench/ingest.py --mode redis --seconds 20          # MariaDB + Redis + Celery
    .venv/bin/python bench/ingest.py --mode embedded --seconds 20       # SQLite spool, one process
    .venv/bin/python bench/ingest.py --mode redis --rate 2000           # latency at a fixed rate
    .venv/bin/python bench/ingest.py --mode redis --bulk 20             # Matomo bulk POSTs, 20 hits

Prints hits/s accepted (answered 204) and processed (rows in log_link_visit_action), answer
latency p50/p99 and the workers' memory. The load generator is a small keep-alive HTTP/1.1
client on asyncio; it stops after --seconds or --max-hits, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

import sqlalchemy as sa
import user_agents
import uvloop

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
MYSQL = "mysql+pymysql://root@127.0.0.1:3306"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def visitor_ip(visitor: int) -> str:
    """Each visitor's own address (10.0.0.1 upwards), as a reverse proxy reports it."""
    return f"10.{visitor >> 16 & 255}.{visitor >> 8 & 255}.{visitor & 255}"


def make_queries(visitors: int, hits: int, seed: int) -> list[tuple[str, str]]:
    """The benchmark's hits: one page view each, of a random visitor, as (query, address).

    Every visitor has an address of its own, so its fingerprint is its own too: from one
    address and browser all hits would be one visitor by Matomo's rules (the fingerprint
    fallback), and the workers would keep updating a handful of visits.
    """
    rng = random.Random(seed)
    pages = [f"/docs/section-{i // 20}/article-{i}" for i in range(200)]
    queries = []
    for n in range(hits):
        visitor = rng.randrange(visitors)
        hit = {
            "idsite": 1,
            "rec": 1,
            "_id": f"{visitor:016x}",
            "url": "https://kb.example.com" + rng.choice(pages),
            "action_name": f"Article {n % 200}",
            "res": "1920x1080",
            "send_image": 0,
            "pv_id": f"{n % 999999:06d}",
            "pf_srv": rng.randrange(20, 400),
        }
        queries.append((urlencode(hit), visitor_ip(visitor + 1)))
    return queries


def make_paths(visitors: int, seed: int, bulk: int = 1) -> list[bytes]:
    """GET requests of one page view each, or (bulk > 1) Matomo bulk POSTs of `bulk` hits
    (those carry the address of their first hit: one device sending what it kept)."""
    queries = make_queries(visitors, visitors * 4, seed)
    agent = "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0\r\n"
    proxy = "X-Forwarded-For: "
    if bulk <= 1:
        return [
            f"GET /matomo.php?{q} HTTP/1.1\r\nHost: bench\r\n{agent}{proxy}{ip}\r\n\r\n".encode()
            for q, ip in queries
        ]
    paths = []
    for i in range(0, len(queries) - bulk + 1, bulk):
        chunk = queries[i : i + bulk]
        body = json.dumps({"requests": ["?" + q for q, _ in chunk], "send_image": 0})
        paths.append(
            f"POST /matomo.php HTTP/1.1\r\nHost: bench\r\n{agent}{proxy}{chunk[0][1]}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode()
        )
    return paths


class _Client(asyncio.Protocol):
    """One keep-alive connection with one request in flight. A protocol, not asyncio streams:
    the load generator shares the 2 cores with the server, so its cost per hit counts."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[bytes] | None = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = bytes(self.buffer[:end]).lower()
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else len(head)])
            if len(self.buffer) < end + 4 + length:
                return
            del self.buffer[: end + 4 + length]
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_result(head[9:12])

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"server closed the connection: {exc}"))


async def connection(
    port: int,
    requests: list[bytes],
    stop: float,
    stats: dict[str, list[float]],
    rate_gate: asyncio.Semaphore | None,
) -> None:
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_connection(_Client, "127.0.0.1", port)
    i = 0
    while time.monotonic() < stop:
        if rate_gate is not None:
            await rate_gate.acquire()
        started = time.perf_counter()
        client.waiter = loop.create_future()
        transport.write(requests[i % len(requests)])
        i += 1
        status = await client.waiter
        stats["latency"].append(time.perf_counter() - started)
        stats["ok" if status == b"204" else "failed"].append(1)
    transport.close()


async def load(
    port: int, requests: list[bytes], *, seconds: float, concurrency: int, rate: int | None
) -> dict[str, list[float]]:
    stats: dict[str, list[float]] = {"latency": [], "ok": [], "failed": []}
    stop = time.monotonic() + seconds
    gate = asyncio.Semaphore(0) if rate else None

    async def pace() -> None:
        assert gate is not None
        assert rate is not None
        # Tokens by elapsed time, not per tick: a tick's sleep overshoots, and counting ticks
        # held the load below the rate asked for (1,870 hits/s for --rate 2000).
        began, released = time.monotonic(), 0
        while (now := time.monotonic()) < stop:
            due = int((now - began) * rate)
            for _ in range(due - released):
                gate.release()
            released = due
            await asyncio.sleep(0.005)
        for _ in range(concurrency):  # wake every connection so it sees the time is up
            gate.release()

    chunk = len(requests) // concurrency
    tasks = [
        connection(port, requests[i * chunk : (i + 1) * chunk], stop, stats, gate)
        for i in range(concurrency)
    ]
    if gate is not None:
        tasks.append(pace())
    await asyncio.gather(*tasks)
    return stats


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for child in [pid, *children(pid)]:
            try:
                status = Path(f"/proc/{child}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pids: list[int], *, descendants: bool = True) -> float:
    """CPU time used so far by processes (and by their children, living or reaped)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        for one in [pid, *children(pid)] if descendants else [pid]:
            try:
                fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / tick


def service_pids(*names: str) -> list[int]:
    """Processes of local services by command name (MariaDB, Redis), when visible."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() in names:
                found.append(int(stat.parent.name))
        except OSError:
            continue
    return found


def cpu_snapshot(server: int, workers: list[int]) -> dict[str, float]:
    snapshot = {
        "web": cpu_seconds([server], descendants=False),
        "MariaDB": cpu_seconds(service_pids("mariadbd", "mysqld")),
        "Redis": cpu_seconds(service_pids("redis-server")),
        "load generator": sum(os.times()[:2]),
    }
    if workers:
        snapshot["workers"] = cpu_seconds(workers)
    else:  # embedded: the consumer is a child process of the server
        snapshot["consumer"] = cpu_seconds(children(server))
    return snapshot


def loop_seconds() -> float:
    """A yardstick of this machine's speed at the time: a plain Python loop, best of three."""
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(5_000_000):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def agent_parse_us() -> float:
    """A second yardstick, one the ingestion targets were set against: `user-agents` parsing
    user agents it has not seen (about 650 us each on the machine the targets came from)."""
    template = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{}.0.{}.{} Safari/537.36"
    )
    salt = random.randrange(1 << 30)  # a user agent no earlier run cached
    agents = [template.format(100 + n % 30, salt, n) for n in range(500)]
    started = time.process_time()
    for agent in agents:
        user_agents.parse(agent)
    return (time.process_time() - started) / len(agents) * 1e6


def host_steal() -> float:
    """Seconds of CPU the hypervisor gave other guests instead of this machine (all cores):
    on a shared host, the figures of a run with much steal are low through no fault of ours."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except OSError:
        return []
    found = [int(p) for p in out.split()]
    return found + [g for c in found for g in children(c)]


def wait_http(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def prepare(mode: str, workdir: Path) -> tuple[str, dict[str, str]]:
    if mode == "embedded":
        url = f"sqlite:///{workdir}/bench.sqlite3"
    else:
        admin = sa.create_engine(MYSQL)
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS analytics_bench_ingest"))
            conn.execute(
                sa.text(
                    "CREATE DATABASE analytics_bench_ingest CHARACTER SET utf8mb4 "
                    "COLLATE utf8mb4_bin"
                )
            )
        admin.dispose()
        url = f"{MYSQL}/analytics_bench_ingest"
    env = {
        **os.environ,
        "ANALYTICS_DATABASE__URL": url,
        "ANALYTICS_DATA_DIR": str(workdir),
        "ANALYTICS_INGEST__BACKEND": mode,
        "ANALYTICS_INGEST__REDIS_PREFIX": f"bench{os.getpid()}",
        "ANALYTICS_PRIVACY__IP_ANONYMISATION_BYTES": "2",
        "ANALYTICS_TRACKER__TRUSTED_PROXIES": '["127.0.0.1"]',  # visitors' own addresses
    }
    subprocess.run([BIN / "analytics-server", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            BIN / "analytics-server",
            "site",
            "add",
            "--name",
            "KB",
            "--url",
            "https://kb.example.com",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return url, env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--mode", choices=("embedded", "redis"), default="redis")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=int, help="fixed request rate (hits/s) instead of max")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (redis)")
    parser.add_argument(
        "--bulk", type=int, default=1, help="hits per request: Matomo bulk POSTs when above 1"
    )
    parser.add_argument("--drain-timeout", type=float, default=300)
    parser.add_argument("--log-dir", type=Path, help="keep the services' output there")
    args = parser.parse_args()

    def output(name: str) -> int | IO[bytes]:
        if args.log_dir is None:
            return subprocess.DEVNULL
        args.log_dir.mkdir(parents=True, exist_ok=True)
        return (args.log_dir / f"{name}.log").open("wb")

    yardstick, agent_us = loop_seconds(), agent_parse_us()
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    url, env = prepare(args.mode, workdir)
    port = free_port()
    procs = [
        subprocess.Popen(
            [BIN / "analytics-server", "serve", "--port", str(port)],
            env=env,
            stdout=output("server"),
            stderr=subprocess.STDOUT,
        )
    ]
    workers: list[subprocess.Popen[bytes]] = []
    if args.mode == "redis":
        workers.append(
            subprocess.Popen(
                [
                    BIN / "analytics-server",
                    "worker",
                    "--queues",
                    "ingest",
                    "--concurrency",
                    str(args.workers),
                    "--loglevel",
                    "warning",
                ],
                env=env,
                stdout=output("worker"),
                stderr=subprocess.STDOUT,
            )
        )
        workers.append(
            subprocess.Popen(
                [
                    BIN / "analytics-server",
                    "beat",
                    "--loglevel",
                    "warning",
                    "--schedule",
                    str(workdir / "beat"),
                ],
                env=env,
                stdout=output("beat"),
                stderr=subprocess.STDOUT,
            )
        )
    try:
        wait_http(port)
        requests = make_paths(visitors=5000, seed=1, bulk=args.bulk)
        cpu_before = cpu_snapshot(procs[0].pid, [w.pid for w in workers])
        steal_before = host_steal()
        started = time.monotonic()
        stats = uvloop.run(
            load(
                port,
                requests,
                seconds=args.seconds,
                concurrency=args.concurrency,
                rate=args.rate // args.bulk if args.rate else None,
            )
        )
        elapsed = time.monotonic() - started
        accepted = len(stats["ok"]) * args.bulk  # hits, in requests answered 204
        engine = sa.create_engine(url)
        processed, deadline = 0, time.monotonic() + args.drain_timeout
        peak_rss = rss_mb([p.pid for p in (workers or procs)])
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                processed = conn.scalar(sa.text("SELECT COUNT(*) FROM log_link_visit_action")) or 0
            peak_rss = max(peak_rss, rss_mb([p.pid for p in (workers or procs)]))
            if processed >= accepted:
                break
            time.sleep(0.2)
        done = time.monotonic() - started
        cpu_after = cpu_snapshot(procs[0].pid, [w.pid for w in workers])
        stolen = (host_steal() - steal_before) / (done * (os.cpu_count() or 1))
        latencies = sorted(stats["latency"])
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        stack = (
            "MariaDB + Redis + Celery" if args.mode == "redis" else "SQLite spool, consumer process"
        )
        target = args.rate or "max"
        failed = len(stats["failed"]) * args.bulk
        print(f"mode:                {args.mode} ({stack})")
        shape = "1 hit per GET" if args.bulk <= 1 else f"bulk POSTs of {args.bulk} hits"
        print(f"load:                {args.concurrency} connections, {shape}, {target} hits/s")
        print(
            f"accepted:            {accepted / elapsed:.0f} hits/s ({accepted}, {failed} refused)"
        )
        print(f"processed:           {processed / done:.0f} hits/s end to end ({processed} hits)")
        print(f"answer latency:      p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        print(f"{'worker' if workers else 'server'} memory (RSS):  {peak_rss:.0f} MB")
        per_hit = ", ".join(
            f"{name} {(cpu_after[name] - cpu_before[name]) / max(processed, 1) * 1e6:.0f} us"
            for name in cpu_before
        )
        print(f"CPU per stored hit:  {per_hit} (MariaDB, Redis: whole server)")
        print(f"host steal:          {stolen:.0%} of the CPUs' time (taken by other guests)")
        print(
            f"machine speed:       {yardstick * 1000:.0f} ms for 5M turns of a Python loop, "
            f"{agent_us:.0f} us per new user agent parsed"
        )
        if processed != accepted:
            print(f"MISMATCH: {accepted - processed} accepted hits not stored")
            sys.exit(1)
    finally:
        for proc in [*procs, *workers]:
            proc.send_signal(signal.SIGTERM)
        for proc in [*procs, *workers]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
