"""A gunicorn worker's memory after it has served every dashboard.

Usage:
    python tools/worker_rss.py [--database URL] [--redis URL|none] [--port 5191]

Starts gunicorn with one sync worker on DATABASE (by default the 1M-report PostgreSQL
database ``flask bench --scale 1m`` leaves behind), signs in as the bench's ministry user
and asks, in Persian, English and Russian, for every dashboard: the overview, each goal,
each province, "who has not reported", ten member pages and the dashboard JSON of the
overview and every goal, each at its default range and over the whole span of periods.
Then it reads the worker's resident set (VmRSS) and its peak (VmHWM) from /proc.

With ``--redis none`` the answers are cached in the worker's own memory (the cache a
single-process install without Redis uses), which is part of what is measured.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).parent
EMAIL, PASSWORD = "bench.ministry@wcc.example.org", "bench-password-1404"
LANGUAGES = ("fa", "en", "ru")


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def _peak(worker: int, peak: int, url: str, jumps: list) -> int:
    """The worker's peak after an answer; notes by how much the answer raised it."""
    now = _status(worker)["VmHWM"]
    if now > peak:
        jumps.append((now - peak, url))
    return max(now, peak)


def _progress(done: int, total: int) -> None:
    if done % 20 == 0 or done == total:
        print(f"{done}/{total} answers", flush=True)


def _codes(database: str) -> tuple[list[str], list[str], list[str], tuple[str, str]]:
    """Goal codes, province codes, ten member codes and the span of periods in the database."""
    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        goals = list(conn.scalars(text("SELECT code FROM goals WHERE active ORDER BY code")))
        provinces = list(conn.scalars(text("SELECT code FROM organisations WHERE kind = 'province' ORDER BY code")))
        members = list(conn.scalars(text("SELECT code FROM organisations WHERE kind = 'municipality' "
                                         "ORDER BY code LIMIT 10")))
        first, last = conn.execute(text("SELECT MIN(period_key), MAX(period_key) FROM dashboard_member_series")).one()
    engine.dispose()
    return goals, provinces, members, (first, last)


def _sign_in(session: requests.Session, base: str) -> None:
    page = session.get(f"{base}/login", timeout=60)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    answer = session.post(f"{base}/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)},
                          allow_redirects=False, timeout=60)
    if answer.status_code not in (302, 303):
        sys.exit(f"signing in as {EMAIL} answered {answer.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/wcc_bench_1m")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="a Redis URL, or none")
    parser.add_argument("--port", type=int, default=5191)
    args = parser.parse_args()

    goals, provinces, members, (first, last) = _codes(args.database)
    instance = Path(tempfile.mkdtemp(prefix="wcc-rss."))
    env = {**os.environ, "WCC_DATABASE_URL": args.database, "WCC_INSTANCE_DIR": str(instance),
           "WCC_LOG_LEVEL": "WARNING"}
    if args.redis != "none":
        env["WCC_REDIS_URL"] = args.redis
        subprocess.run(["redis-cli", "-u", args.redis, "flushdb"], check=True, capture_output=True)
    else:
        env.pop("WCC_REDIS_URL", None)
    token = subprocess.run([str(VENV / "flask"), "--app", "app", "create-token", EMAIL], cwd=ROOT, env=env,
                           check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    base = f"http://127.0.0.1:{args.port}"
    gunicorn = subprocess.Popen([str(VENV / "gunicorn"), "--workers", "1", "--timeout", "300", "--bind",
                                 f"127.0.0.1:{args.port}", "--log-level", "warning", "app:app"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        worker = psutil.Process(gunicorn.pid).children()[0].pid
        start = _status(worker)
        web = requests.Session()
        _sign_in(web, base)
        span = f"period_from={first}&period_to={last}"
        pages = ["/dashboards", "/dashboards/missing"] + [f"/dashboards/goals/{g}" for g in goals] + \
            [f"/dashboards/provinces/{p}" for p in provinces] + [f"/dashboards/members/{m}" for m in members]
        api = ["/api/v1/dashboard/overview"] + [f"/api/v1/dashboard/goals/{g}" for g in goals]
        requests_made, largest, jumps, peak = 0, 0, [], start["VmHWM"]
        total = 2 * (len(LANGUAGES) * len(pages) + len(api))
        started = time.perf_counter()
        for query in ("", span):
            for lang in LANGUAGES:
                for path in pages:
                    url = f"{base}{path}?lang={lang}" + (f"&{query}" if query else "")
                    answer = web.get(url, timeout=300)
                    if answer.status_code != 200:
                        sys.exit(f"{url} answered {answer.status_code}")
                    requests_made += 1
                    largest = max(largest, len(answer.content))
                    peak = _peak(worker, peak, url, jumps)
                    _progress(requests_made, total)
            for path in api:
                answer = requests.get(f"{base}{path}" + (f"?{query}" if query else ""), timeout=300,
                                      headers={"Authorization": f"Bearer {token}"})
                if answer.status_code != 200:
                    sys.exit(f"{path} answered {answer.status_code}")
                requests_made += 1
                peak = _peak(worker, peak, f"{path}?{query}", jumps)
                _progress(requests_made, total)
        end = _status(worker)
        print(f"\n{requests_made} answers in {time.perf_counter() - started:.0f} s, the largest {largest / 1024:.0f} KB; "
              f"cache: {'Redis' if args.redis != 'none' else 'in the worker'}")
        print("| worker | RSS (MB) | peak RSS (MB) |\n| --- | ---: | ---: |")
        print(f"| after start | {start['VmRSS'] / 1024:.0f} | {start['VmHWM'] / 1024:.0f} |")
        print(f"| after every dashboard | {end['VmRSS'] / 1024:.0f} | {end['VmHWM'] / 1024:.0f} |")
        print("\nThe answers that raised the worker's peak the most:")
        for grown, url in sorted(jumps, reverse=True)[:5]:
            print(f"  +{grown / 1024:.0f} MB  {url.removeprefix(base)}")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
