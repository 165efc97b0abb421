"""Reporting API latency on the archiving benchmark's data (1M page views a day, on MariaDB).

    .venv/bin/python bench/archive.py          # once: generates and archives `analytics_bench`
    .venv/bin/python bench/api.py [--runs 30]

Starts the real server (uvicorn) on that database, then calls the main reports for a day, a
month and a year over HTTP, one after the other, and prints p50/p95 per report and period.
Every archive is already stored, so the figures are what a Matomo client sees for archived
reports: read, decoded, filtered and rendered as JSON.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics_server.auth import service as auth_service
from analytics_server.db import create_db_engine, make_session_factory
from bench.server import start_server

SERVER = "mysql+pymysql://root@127.0.0.1:3306"
PERIODS = (("day", "2026-03-10"), ("month", "2026-03-01"), ("year", "2026-01-01"))
REPORTS = (
    ("VisitsSummary.get", {}),
    ("Actions.getPageUrls", {}),
    ("Actions.getPageUrls", {"flat": "1"}),
    ("Actions.getPageTitles", {}),
    ("Actions.getSiteSearchKeywords", {}),
    ("Events.getAction", {}),
    ("Referrers.getReferrerType", {}),
    ("Referrers.getWebsites", {}),
    ("DevicesDetection.getBrowsers", {}),
    ("UserCountry.getCountry", {}),
    ("VisitTime.getVisitInformationPerLocalTime", {}),
    ("Goals.get", {}),
    ("CustomDimensions.getCustomDimension", {"idDimension": "1"}),
)


def token(url: str) -> str:
    engine = create_db_engine(url)
    with make_session_factory(engine)() as session:
        if session.scalar(sa.text("SELECT COUNT(*) FROM user WHERE login = 'bench'")) == 0:
            auth_service.create_user(
                session, login="bench", password="bench-password", superuser=True
            )
        found = auth_service.create_token(session, login="bench", description="bench/api.py")
        session.commit()
    engine.dispose()
    return found


def serve(url: str, port: int, workdir: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ANALYTICS_DATABASE__URL": url,
        "ANALYTICS_DATA_DIR": workdir,
        "ANALYTICS_ARCHIVING__SCHEDULE_IN_PROCESS": "false",
        "ANALYTICS_INGEST__CONSUME_IN_PROCESS": "false",
    }
    return start_server(env, port)


def measure(client: httpx.Client, auth: str, runs: int) -> list[float]:
    p95s: list[float] = []
    print(f"{'report':<48} {'period':<6} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6} {'KB':>7}")
    for method, extra in REPORTS:
        for period, when in PERIODS:
            params = {
                "module": "API",
                "method": method,
                "idSite": "1",
                "period": period,
                "date": when,
                "format": "json",
                "token_auth": auth,
                **extra,
            }
            times, size, rows = [], 0, 0
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get("/index.php", params=params)
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                size = len(response.content)
                data = response.json()
                rows = len(data) if isinstance(data, list) else 1
            times.sort()
            p95 = times[max(int(len(times) * 0.95) - 1, 0)]
            p95s.append(p95)
            label = method + ("".join(f" {k}={v}" for k, v in extra.items()))
            print(
                f"{label:<48} {period:<6} {statistics.median(times):>8.1f} {p95:>8.1f} "
                f"{rows:>6} {size / 1024:>7.1f}"
            )
    return p95s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="analytics_bench")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    url = f"{SERVER}/{args.database}"
    auth = token(url)
    with tempfile.TemporaryDirectory() as workdir:
        proc = serve(url, args.port, workdir)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=60) as client:
                p95s = measure(client, auth, args.runs)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    print(
        f"worst p95 {max(p95s):.1f} ms over {len(p95s)} report/period pairs, {args.runs} calls each"
    )


if __name__ == "__main__":
    main()
