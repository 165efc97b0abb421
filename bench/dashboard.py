"""Server time of every dashboard page on the demo data (target: under 200 ms a page).

    .venv/bin/python bench/dashboard.py [--runs 10] [--periods day,week,month] [--keep DIR]

Builds a temporary SQLite database the way a user would: `analytics-server site add`, its
custom dimensions and goals, `analytics-server demo` (a month of the demo portal's traffic
through the tracking endpoint), `analytics-server archive`; then starts `analytics-server
serve`, signs in through the login form and requests every page of the menu, a visitor
profile and a row evolution, each `--runs` times per period after one uncounted first
request. Prints p50/p95 of the server time each page reports (`Server-Timing: app;dur=`)
and of the wall time seen by the client, and the pages over the target.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import BIN, free_port, start_server

TARGET_MS = 200.0
LOGIN, PASSWORD = "bench", "bench-password"
SITE = ["--name", "Demo partner portal", "--url", "https://portal.example.com"]
SITE += ["--timezone", "Europe/Berlin", "--currency", "EUR", "--ecommerce"]
DOWNLOAD_GOAL = ["--match", "file", "--pattern", ".zip"]
SETUP = (
    ["migrate"],
    ["user", "add", "--login", LOGIN, "--password", PASSWORD, "--superuser"],
    ["site", "add", *SITE],
    ["dimension", "add", "--site", "1", "--name", "Partner company"],
    ["dimension", "add", "--site", "1", "--name", "Role"],
    ["dimension", "add", "--site", "1", "--name", "Section", "--scope", "action"],
    ["goal", "add", "--site", "1", "--name", "Registration"],
    ["goal", "add", "--site", "1", "--name", "Software download", *DOWNLOAD_GOAL],
)
TIMING = re.compile(r"app;dur=([0-9.]+)")


def environment(workdir: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "ANALYTICS_DATABASE__URL": f"sqlite:///{workdir}/bench.sqlite3",
        "ANALYTICS_DATA_DIR": str(workdir),
        "ANALYTICS_PORT": str(port),
        "ANALYTICS_ARCHIVING__SCHEDULE_IN_PROCESS": "false",
    }


def cli(env: dict[str, str], *args: str) -> None:
    started = time.perf_counter()
    done = subprocess.run([BIN / "analytics-server", *args], env=env, capture_output=True)
    if done.returncode:
        raise SystemExit(f"analytics-server {' '.join(args)} failed:\n{done.stderr.decode()}")
    print(f"  analytics-server {args[0]} {args[1] if len(args) > 1 else ''}".rstrip()
          + f": {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip


def build(workdir: Path, days: int, visitors: int) -> None:
    env = environment(workdir, free_port())
    print(f"demo data in {workdir}:")
    for args in SETUP:
        cli(env, *args)
    cli(env, "demo", "--site", "1", "--days", str(days), "--visitors", str(visitors))
    cli(env, "archive", "--max-days", str(days + 2))


def serve(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    return start_server(environment(workdir, port), port)


def sign_in(client: httpx.Client) -> None:
    form = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form)
    assert csrf, "no CSRF field on the sign-in page"
    data = {"login": LOGIN, "password": PASSWORD, "csrf": csrf.group(1), "next": "/"}
    answer = client.post("/login", data=data)
    assert answer.status_code == 303, answer.text


def pages(client: httpx.Client) -> list[str]:
    """Every page the menu links, a visitor profile and a row evolution (paths, no query)."""
    html = client.get("/site/1/visitors/log?period=month&date=yesterday").text
    menu = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    found = [h.split("?")[0] for h in re.findall(r'href="([^"]+)"', menu)]
    found = [h for h in found if h.startswith(("/site/", "/sites"))]
    profile = re.search(r'href="(/site/1/visitor/[^"?]+)', html)
    assert profile, "no visitor profile link in the visits log"
    software = client.get("/site/1/visitors/software?period=month&date=yesterday").text
    evolution = re.search(r'href="(/site/1/row-evolution\?[^"]+)"', software)
    assert evolution, "no row evolution link on the software page"
    return [*found, profile.group(1), evolution.group(1).replace("&amp;", "&")]


def timed(client: httpx.Client, url: str) -> tuple[float, float]:
    started = time.perf_counter()
    answer = client.get(url)
    wall = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200, (url, answer.status_code)
    found = TIMING.search(answer.headers.get("server-timing", ""))
    assert found, f"{url}: no Server-Timing header"
    return float(found.group(1)), wall


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(round(len(ordered) * share) - 1, 0)]


def measure(client: httpx.Client, paths: list[str], periods: list[str], runs: int) -> list[str]:
    slow = []
    print(f"\n{'page':<44} {'period':<6} {'first':>7} {'p50':>7} {'p95':>7} {'wall p50':>9}"
          f" {'wall p95':>9}   (ms)")  # fmt: skip
    for path in paths:
        for period in periods:
            sep = "&" if "?" in path else "?"
            url = f"{path}{sep}period={period}&date=yesterday"
            first, _ = timed(client, url)
            server, wall = zip(*(timed(client, url) for _ in range(runs)), strict=True)
            p95 = percentile(list(server), 0.95)
            name = path.split("?")[0].removeprefix("/site/1/")[:44]
            walls = f"{statistics.median(wall):>9.1f} {percentile(list(wall), 0.95):>9.1f}"
            print(f"{name:<44} {period:<6} {first:>7.1f} {statistics.median(server):>7.1f} "
                  f"{p95:>7.1f} {walls}" + ("   over target" if p95 > TARGET_MS else ""),
                  flush=True)  # fmt: skip
            if p95 > TARGET_MS:
                slow.append(f"{name} ({period}): p95 {p95:.0f} ms")
    return slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--periods", default="day,week,month")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--visitors", type=int, default=400)
    parser.add_argument("--keep", type=Path, help="build the data here, or reuse it if it exists")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        workdir = args.keep or Path(temporary)
        if not (workdir / "bench.sqlite3").exists():
            workdir.mkdir(parents=True, exist_ok=True)
            build(workdir, args.days, args.visitors)
        port = free_port()
        proc = serve(workdir, port)
        started = time.perf_counter()
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                sign_in(client)
                slow = measure(client, pages(client), args.periods.split(","), args.runs)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    print(f"\nwall time of the measurements: {time.perf_counter() - started:.0f} s")
    print(f"pages over {TARGET_MS:.0f} ms (server p95): {len(slow)}")
    for line in slow:
        print(f"  {line}")
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()
