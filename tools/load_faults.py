#!/usr/bin/env python
"""Load and faults: a reporting week under load, then the same while things break.

Starts its own PostgreSQL (port 5499, trust, in a temporary folder), its own Redis
(port 6399, no persistence) and gunicorn (2 workers, port 5199) on the demo network,
then drives it with locust (headless, in this process) through phases of bounded time:

    baseline      nothing breaks
    kill-worker   a gunicorn worker is killed with SIGKILL every few seconds
    redis         Redis is stopped and started again, in turns
    postgres      PostgreSQL is restarted (pg_ctl restart -m fast), in turns
    disk-full     the upload folder's file system (a small tmpfs) is full while officers upload evidence

Officers (municipality and province accounts, bearer tokens) edit drafts and submit them,
start new drafts and upload evidence through the report form; reviewers (province accounts
review, the administrator approves and now and then reopens) take the workflow steps; the
ministry reads the overview page and the dashboard JSON. Every write the client saw
acknowledged is remembered and checked against the database at the end, together with the
reports' consistency (status against its stamps and its audit trail, evidence against files).

    sudo .venv/bin/python tools/load_faults.py --seconds 40 --users 10 [--markdown out.md]

Needs root (the tmpfs mount, and PostgreSQL run as the ``postgres`` user). Never touches the
PostgreSQL on 5432 or the Redis on 6379. A benchmark, not a test: ``make test`` never runs it.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import gevent
import locust
from locust import HttpUser, between, events, task
from locust.clients import HttpSession
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PG_PORT, REDIS_PORT, APP_PORT = 5499, 6399, 5199
HOST = f"http://127.0.0.1:{APP_PORT}"
PASSWORD = "wcc-demo-1404"
OFFICERS = ["isfahan.city@wcc.example.org", "kashan.city@wcc.example.org", "shiraz.city@wcc.example.org",
            "tabriz.city@wcc.example.org", "isfahan.province@wcc.example.org", "fars.province@wcc.example.org",
            "eastazerbaijan.province@wcc.example.org"]
MUNICIPAL = OFFICERS[:4]
PROVINCES = {"isfahan.province@wcc.example.org": "IR-10", "fars.province@wcc.example.org": "IR-07",
             "eastazerbaijan.province@wcc.example.org": "IR-03"}
ADMIN, MINISTRY = "admin@wcc.example.org", "ministry@wcc.example.org"
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- what the client saw ------------------------------------------------------------------

class Record:
    def __init__(self):
        self.phase = "setup"
        self.started = datetime.now(UTC).replace(tzinfo=None)
        self.kinds: dict[str, Counter] = defaultdict(Counter)
        self.times: dict[str, list[float]] = defaultdict(list)
        self.samples: dict[str, list[str]] = defaultdict(list)
        self.acks: list[dict] = []
        self.by_name: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))

    def request(self, request_type, name, response_time, response_length, response=None, exception=None, **_kw):
        status = getattr(response, "status_code", 0) or 0
        if status == 0:
            kind = "connection error"
        elif status < 400:
            kind = "ok"
        elif status in (409, 429, 503):
            kind = str(status)
        elif status < 500:
            kind = "other 4xx"
        else:
            kind = str(status)
        self.kinds[self.phase][kind] += 1
        self.times[self.phase].append(response_time)
        self.by_name[self.phase][f"{request_type} {name}"].append(response_time)
        if (status >= 500 or status == 0 or kind == "other 4xx") and len(self.samples[self.phase]) < 8:
            body = (getattr(response, "text", "") or str(exception or ""))[:160].replace("\n", " ")
            self.samples[self.phase].append(f"{request_type} {name} → {status}: {body}")

    def ack(self, **fields):
        fields["phase"] = self.phase
        self.acks.append(fields)


RECORD = Record()
CONTEXT: dict = {}  # tokens, goals, periods: filled before the users start


# --- the users ----------------------------------------------------------------------------

def _csrf(html: str) -> str | None:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return m.group(1) if m else None


def _sign_in_to_pages(web, email: str) -> bool:
    """Sign ``web`` (a page session) in with a password, as a person does; whether it worked."""
    page = web.get("/login", name="/login")
    token = _csrf(page.text) if page.status_code == 200 else None
    if not token:
        return False
    response = web.post("/login", name="/login POST", allow_redirects=False,
                        data={"email": email, "password": PASSWORD, "csrf_token": token})
    return response.status_code in (302, 303)


def _png() -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", (96, 96), secrets.token_bytes(96 * 96 * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class ApiUser(HttpUser):
    abstract = True
    host = HOST

    def on_start(self):
        # Pages keep a session cookie; API calls carry only the token (a cookie would ask for CSRF).
        self.web = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)

    def api(self, method, path, name=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        return self.client.request(method, path, name=name or path, headers=headers, **kwargs)

    def acked(self, response, action):
        if 200 <= response.status_code < 300:
            body = response.json()
            RECORD.ack(kind="api", report=body["id"], action=action, version=body["version"],
                       status=body["status"], value=body["value"])
            return body
        return None

    def reports(self, name, **params):
        response = self.api("GET", "/api/v1/reports", name=f"/api/v1/reports?{name}",
                            params={"per_page": 100, **params})
        if response.status_code != 200:
            return []
        return response.json()["items"]


class Officer(ApiUser):
    """Enters values, submits, starts drafts, uploads evidence through the report form."""
    weight = 5
    wait_time = between(0.5, 2)

    def on_start(self):
        super().on_start()
        self.email = random.choice(OFFICERS)
        self.token = CONTEXT["tokens"][self.email]
        self.org = CONTEXT["orgs"][self.email]
        self.signed_in = False

    @task(6)
    def edit_and_submit(self):
        items = self.reports("org&status", org=self.org, status=random.choice(["draft", "returned"]))
        if not items:
            return
        report = random.choice(items)
        value = random.randint(1, 100)  # valid for every unit, percentages included
        body = self.acked(self.api("PATCH", f"/api/v1/reports/{report['id']}", name="/api/v1/reports/[id] PATCH",
                                   json={"version": report["version"], "value": value,
                                         "narrative": f"load {secrets.token_hex(4)}"}), "report.update")
        if body and random.random() < 0.5:
            self.acked(self.api("POST", f"/api/v1/reports/{body['id']}/submit", name="/api/v1/reports/[id]/submit",
                                json={"version": body["version"]}), "report.submit")

    @task(1)
    def start_draft(self):
        goal, period = random.choice(CONTEXT["cells"][self.email])
        response = self.api("POST", "/api/v1/reports", name="/api/v1/reports POST",
                            json={"goal": goal, "period": period, "value": random.randint(1, 100)})
        self.acked(response, "report.create")

    @task(CONTEXT.get("evidence_weight", 1))
    def upload_evidence(self):
        if self.email not in MUNICIPAL:
            return  # province officers sign in with a second factor: they use the API only
        if not self.signed_in:
            self.signed_in = _sign_in_to_pages(self.web, self.email)
            if not self.signed_in:
                return
        items = self.reports("org&status", org=self.org, status="draft")
        if not items:
            return
        report = random.choice(items)
        page = self.web.get(f"/reports/{report['id']}/edit", name="/reports/[id]/edit")
        if page.status_code != 200:
            if page.status_code in (302, 401):
                self.signed_in = False
            return
        token = _csrf(page.text)
        version = re.search(r'name="version"[^>]*value="(\d+)"', page.text) or \
            re.search(r'value="(\d+)"[^>]*name="version"', page.text)
        if not token or not version:
            return
        name = f"evidence-{secrets.token_hex(6)}.png"
        value = random.randint(1, 100)
        response = self.web.post(
            f"/reports/{report['id']}/edit", name="/reports/[id]/edit POST (evidence)", allow_redirects=False,
            data={"csrf_token": token, "version": version.group(1), "value": str(value),
                  "narrative": f"evidence {name}", "action": "save"},
            files={"evidence": (name, _png(), "image/png")})
        if response.status_code in (302, 303) and f"/reports/{report['id']}" in response.headers.get("Location", ""):
            RECORD.ack(kind="evidence", report=report["id"], name=name, value=value)


class Reviewer(ApiUser):
    """Province officers review municipalities' reports; the administrator approves and reopens."""
    weight = 2
    wait_time = between(0.5, 2)

    def on_start(self):
        super().on_start()
        self.email = random.choice([ADMIN, *PROVINCES])
        self.token = CONTEXT["tokens"][self.email]

    @task
    def decide(self):
        if self.email == ADMIN:
            roll = random.random()
            if roll < 0.15:
                items = [r for r in self.reports("status", status="approved") if r["org"] in CONTEXT["demo_orgs"]]
                step, extra = "reopen", {"reason": "Correction asked for by the province"}
            else:
                items = self.reports("status", status="reviewed") + [
                    r for r in self.reports("status", status="submitted") if r["org"].count("-") == 1]
                step, extra = "approve", {}
        else:
            province = PROVINCES[self.email]
            items = [r for r in self.reports("province&status", province=province, status="submitted")
                     if r["org"] != province]
            step, extra = ("return", {"comment": "Please add the source."}) if random.random() < 0.15 \
                else ("review", {})
        if not items:
            return
        report = random.choice(items)
        self.acked(self.api("POST", f"/api/v1/reports/{report['id']}/{step}", name=f"/api/v1/reports/[id]/{step}",
                            json={"version": report["version"], **extra}), f"report.{step}")


class Ministry(ApiUser):
    """Reads the overview page and the dashboards' JSON."""
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.token = CONTEXT["tokens"][MINISTRY]
        self.signed_in = False

    @task(2)
    def overview_page(self):
        if not self.signed_in:
            self.signed_in = _sign_in_to_pages(self.web, MINISTRY)
            if not self.signed_in:
                return
        response = self.web.get("/dashboards", name="/dashboards", allow_redirects=False)
        if response.status_code in (302, 401):
            self.signed_in = False

    @task(3)
    def overview_json(self):
        self.api("GET", "/api/v1/dashboard/overview")

    @task(3)
    def goal_json(self):
        code = random.choice(CONTEXT["goal_codes"])
        self.api("GET", f"/api/v1/dashboard/goals/{code}", name="/api/v1/dashboard/goals/[code]")


# --- the services this run owns -------------------------------------------------------------

class Services:
    def __init__(self, work: Path):
        self.work = work
        self.pgdata = work / "pg"
        self.uploads = work / "uploads"
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            sys.exit("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
        self.pgbin = Path(bins[-1]).parent
        self.redis = None
        self.gunicorn = None
        self.tmpfs = False
        self.database_url = f"postgresql://postgres@127.0.0.1:{PG_PORT}/wcc"
        self.env = dict(os.environ, WCC_DATABASE_URL=self.database_url,
                        WCC_REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
                        WCC_INSTANCE_DIR=str(work / "instance"), WCC_UPLOAD_DIR=str(self.uploads),
                        WCC_SECRET_KEY=secrets.token_hex(32), WCC_LOG_LEVEL="WARNING",
                        # Seven demo accounts stand for a whole network of officers: the per-caller
                        # budgets are raised so that the figures show the faults, not the limits.
                        WCC_API_WRITES_PER_MINUTE="100000", WCC_UPLOADS_PER_MINUTE="100000",
                        WCC_EXPORTS_PER_MINUTE="100000")

    def _as_postgres(self, *args, check=True):
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def pg_ctl(self, *args, check=True):
        return self._as_postgres(self.pgbin / "pg_ctl", "-D", self.pgdata, "-l", self.work / "pg.log",
                                 "-w", "-t", "60", *args, check=check)

    def start_postgres(self):
        self.pgdata.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.work, "postgres")
            shutil.chown(self.pgdata, "postgres")
        self._as_postgres(self.pgbin / "initdb", "-D", self.pgdata, "-U", "postgres", "--auth=trust",
                          "-E", "UTF8", "--locale=C.UTF-8")
        self.pg_ctl("-o", f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.work} -c fsync=on", "start")
        self._as_postgres(self.pgbin / "psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "postgres", "-qc",
                          "CREATE DATABASE wcc")

    def start_redis(self):
        self.redis = subprocess.Popen(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no"],
                                      stdout=open(self.work / "redis.log", "a"), stderr=subprocess.STDOUT)
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.1)

    def stop_redis(self):
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)

    def mount_uploads(self, megabytes: int):
        self.uploads.mkdir(exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0777", "tmpfs",
                                 str(self.uploads)], capture_output=True, text=True)
        self.tmpfs = result.returncode == 0
        return self.tmpfs

    def flask(self, *args) -> str:
        result = subprocess.run([str(VENV / "flask"), "--app", "app", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"flask {' '.join(args)} failed:\n{result.stderr[-2000:]}")
        return result.stdout

    def tokens(self, emails: list[str]) -> dict[str, str]:
        """One API token per account, made in one process (as ``flask create-token`` makes them)."""
        script = (
            "import json\n"
            "from wcc.auth.services import create_token\n"
            "from wcc.auth.services import find_user_by_email\n"
            "from wcc.extensions import db\n"
            f"out = {{e: create_token(find_user_by_email(e), 'load')[1] for e in {emails!r}}}\n"
            "db.session.commit()\n"
            "print('TOKENS' + json.dumps(out))\n")
        result = subprocess.run([str(VENV / "flask"), "--app", "app", "shell"], cwd=ROOT, env=self.env,
                                input=script, capture_output=True, text=True)
        line = next((x for x in result.stdout.splitlines() if "TOKENS{" in x), None)
        if line is None:
            sys.exit(f"tokens could not be made:\n{result.stdout[-1000:]}{result.stderr[-2000:]}")
        return json.loads(line.split("TOKENS", 1)[1])

    def start_gunicorn(self):
        self.gunicorn = subprocess.Popen(
            [str(VENV / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{APP_PORT}", "--timeout", "30",
             "--graceful-timeout", "5", "app:app"],
            cwd=ROOT, env=self.env, stdout=open(self.work / "gunicorn.log", "a"), stderr=subprocess.STDOUT)
        import requests

        for _ in range(200):
            try:
                if requests.get(f"{HOST}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        sys.exit("gunicorn did not answer /healthz")

    def workers(self) -> list[int]:
        import psutil

        return [c.pid for c in psutil.Process(self.gunicorn.pid).children()]

    def stop_all(self):
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            self.gunicorn.wait(20)
        self.stop_redis()
        if self.pgdata.exists():
            self.pg_ctl("-m", "fast", "stop", check=False)
        if self.tmpfs:
            subprocess.run(["umount", str(self.uploads)], check=False)


# --- faults ---------------------------------------------------------------------------------

def fault_kill_worker(svc: Services, stop, every: float):
    while not stop.wait(every):
        pids = svc.workers()
        if pids:
            pid = random.choice(pids)
            os.kill(pid, signal.SIGKILL)
            log(f"  killed worker {pid} (SIGKILL)")


def fault_redis(svc: Services, stop, down: float, up: float):
    while not stop.wait(up):
        svc.stop_redis()
        log("  Redis stopped")
        stop.wait(down)
        svc.start_redis()
        log("  Redis started")


def fault_postgres(svc: Services, stop, every: float):
    while not stop.wait(every):
        started = time.monotonic()
        svc.pg_ctl("-m", "fast", "restart", check=False)
        log(f"  PostgreSQL restarted ({time.monotonic() - started:.1f} s)")


def fill_disk(svc: Services) -> str:
    """Fill the upload file system; returns what was done."""
    if not svc.tmpfs:
        return "not done (no tmpfs)"
    filler = svc.uploads / "filler.bin"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"], capture_output=True)
    stat = os.statvfs(svc.uploads)
    return f"{stat.f_bavail * stat.f_frsize} bytes left"


# --- the run --------------------------------------------------------------------------------

def run_phase(name: str, seconds: int, users: int, fault=None):
    RECORD.phase = name
    log(f"phase {name}: {users} users for {seconds} s")
    env = Environment(user_classes=[Officer, Reviewer, Ministry], events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    stop = gevent.event.Event()
    fault_greenlet = gevent.spawn(fault, stop) if fault else None
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        gevent.sleep(10)
        counts = RECORD.kinds[name]
        log(f"  {name}: {sum(counts.values())} requests, " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    stop.set()
    if fault_greenlet:
        fault_greenlet.join(timeout=90)
    runner.quit()
    RECORD.phase = "between"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def check(svc: Services) -> dict:
    """Every acknowledged write is in the database; no report is half-written."""
    import psycopg

    problems: list[str] = []
    with psycopg.connect(svc.database_url) as conn:
        rows = conn.execute(
            "SELECT r.id, r.status, r.value, r.version, r.submitted_at, r.submitted_by_id, r.reviewed_at, "
            "r.approved_at, r.approved_by_id, o.kind FROM progress_reports r "
            "JOIN organisations o ON o.id = r.org_id").fetchall()
        reports = {r[0]: r for r in rows}
        events = defaultdict(list)
        touched = set()
        for object_id, action, after, at in conn.execute(
                "SELECT object_id, action, after, at FROM audit_events WHERE object_type = 'progress_reports' "
                "ORDER BY id"):
            events[int(object_id)].append((action, after if isinstance(after, dict) else json.loads(after or "null")))
            if (at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at) >= RECORD.started:
                touched.add(int(object_id))
        evidence = {(rid, name): (key, size) for rid, name, key, size in conn.execute(
            "SELECT e.report_id, f.original_name, f.key, f.size FROM report_evidence e "
            "JOIN stored_files f ON f.id = e.file_id")}
        all_files = conn.execute("SELECT key, size FROM stored_files").fetchall()

    # 1. Acknowledged writes.
    lost = 0
    seen = defaultdict(Counter)
    for ack in RECORD.acks:
        rid = ack["report"]
        if rid not in reports:
            lost += 1
            problems.append(f"acknowledged {ack} but report {rid} is not in the database")
            continue
        if ack["kind"] == "evidence":
            found = evidence.get((rid, ack["name"]))
            path = svc.uploads / found[0][:2] / found[0] if found else None
            if path is None or not path.is_file() or path.stat().st_size != found[1]:
                lost += 1
                problems.append(f"acknowledged evidence {ack['name']} on report {rid}: row or file missing")
            continue
        seen[rid][ack["action"]] += 1
        if reports[rid][3] < ack["version"]:
            lost += 1
            problems.append(f"report {rid}: acknowledged version {ack['version']}, database has {reports[rid][3]}")
        matching = [a for action, a in events[rid] if action == ack["action"] and a
                    and a.get("status", ack["status"]) == ack["status"]]
        if not matching:
            lost += 1
            problems.append(f"report {rid}: acknowledged {ack['action']} has no audit event")
    for rid, actions in seen.items():
        for action, count in actions.items():
            if sum(1 for a, _ in events[rid] if a == action) < count:
                lost += 1
                problems.append(f"report {rid}: {count} acknowledged {action}, fewer audit events")

    # 2. Half-written reports: status against its stamps and its own audit trail.
    half = 0
    seeded_unstamped = 0
    for rid, (_, status, value, _version, submitted_at, _submitted_by, reviewed_at, approved_at, _approved_by,
              _kind) in reports.items():
        trail = events.get(rid, [])
        why = []
        if status not in ("draft", "submitted", "reviewed", "approved", "returned"):
            why.append(f"unknown status {status}")
        # Each status carries its own time stamp; an earlier step's only where the history holds that step.
        # Who took a step may be empty: the user columns are set to NULL when a user is deleted.
        steps = {action for action, _ in trail}
        stamps = []
        if (status == "submitted" or (status in ("reviewed", "approved") and "report.submit" in steps)) \
                and submitted_at is None:
            stamps.append(f"{status} without a submission stamp")
        if status == "reviewed" and reviewed_at is None:
            stamps.append("reviewed without a review stamp")
        if status == "approved" and approved_at is None:
            stamps.append("approved without an approval stamp")
        if rid in touched:
            why += stamps
        elif stamps:
            seeded_unstamped += 1  # written by the demo seed, which sets statuses without the workflow's stamps
        last_status = next((a["status"] for _, a in reversed(trail) if a and "status" in a
                            and _ != "report.refused"), None)
        if last_status is not None and last_status != status:
            why.append(f"history says {last_status}, row says {status}")
        last_value = next((a["value"] for act, a in reversed(trail) if a and "value" in a
                           and act != "report.refused"), "absent")
        if last_value != "absent":
            said = None if last_value in (None, "") else Decimal(str(last_value))
            if said != (None if value is None else Decimal(value)):
                why.append(f"history says value {last_value}, row says {value}")
        if why:
            half += 1
            problems.append(f"report {rid}: " + "; ".join(why))

    missing_files = sum(1 for key, size in all_files
                        if not (svc.uploads / key[:2] / key).is_file()
                        or (svc.uploads / key[:2] / key).stat().st_size != size)
    pending = list((svc.uploads / ".pending").glob("*")) if (svc.uploads / ".pending").exists() else []
    return {"acks": len(RECORD.acks), "lost": lost, "half": half, "reports": len(reports),
            "checked": len(reports), "touched": len(touched), "seeded_unstamped": seeded_unstamped,
            "missing_files": missing_files, "pending_left": len(pending), "problems": problems}


def table(phases: list[tuple[str, str]]) -> str:
    kinds = ["ok", "409", "429", "503", "other 4xx", "500", "502", "504", "connection error"]
    extra = sorted({k for name, _ in phases for k in RECORD.kinds[name]} - set(kinds))
    kinds += extra
    head = "| phase | fault | requests | " + " | ".join(kinds) + " | p50 ms | p95 ms | acknowledged writes |"
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for name, fault in phases:
        counts = RECORD.kinds[name]
        times = RECORD.times[name]
        acks = sum(1 for a in RECORD.acks if a["phase"] == name)
        lines.append(f"| {name} | {fault} | {sum(counts.values())} | " +
                     " | ".join(str(counts.get(k, 0)) for k in kinds) +
                     f" | {percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} | {acks} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=40, help="length of each phase")
    parser.add_argument("--users", type=int, default=10, help="simulated users at once")
    parser.add_argument("--upload-mb", type=int, default=64, help="size of the upload file system")
    parser.add_argument("--phases", default="baseline,kill-worker,redis,postgres,disk-full")
    parser.add_argument("--markdown", help="also write the table (and the checks) to this file")
    parser.add_argument("--keep", action="store_true", help="leave the temporary folder behind")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="wcc-load-"))
    os.chmod(work, 0o755)
    svc = Services(work)
    log(f"working folder {work}")
    try:
        svc.start_postgres()
        log(f"PostgreSQL on {PG_PORT} ({svc.pgbin})")
        svc.start_redis()
        log(f"Redis on {REDIS_PORT}")
        log(f"upload folder on tmpfs of {args.upload_mb} MB" if svc.mount_uploads(args.upload_mb)
            else "tmpfs could not be mounted: the disk-full phase will be skipped")
        svc.flask("db", "upgrade")
        svc.flask("seed-demo")
        log("demo network seeded")
        CONTEXT["tokens"] = svc.tokens([*OFFICERS, ADMIN, MINISTRY])
        import psycopg

        with psycopg.connect(svc.database_url) as conn:
            CONTEXT["orgs"] = dict(conn.execute(
                "SELECT u.email, o.code FROM users u JOIN organisations o ON o.id = u.org_id").fetchall())
            goals = conn.execute("SELECT code, frequency, reported_by_province, reported_by_municipality "
                                 "FROM goals WHERE active").fetchall()
        CONTEXT["demo_orgs"] = set(CONTEXT["orgs"][e] for e in OFFICERS)
        CONTEXT["goal_codes"] = [g[0] for g in goals]
        quarters = [f"{y}-Q{q}" for y in (1403, 1404) for q in range(1, 5)] + ["1405-Q1", "1405-Q2"]
        CONTEXT["cells"] = {
            email: [(code, period) for code, freq, by_prov, by_muni in goals
                    if (by_muni if email in MUNICIPAL else by_prov)
                    for period in (quarters if freq == "quarterly" else ["1403", "1404"])]
            for email in OFFICERS}
        svc.start_gunicorn()
        log(f"gunicorn (2 workers) on {APP_PORT}")
        RECORD.started = datetime.now(UTC).replace(tzinfo=None)

        events.request.add_listener(RECORD.request)
        plan = {
            "baseline": ("none", None),
            "kill-worker": ("a worker SIGKILLed every 5 s", lambda stop: fault_kill_worker(svc, stop, 5)),
            "redis": ("Redis down 10 s, up 10 s, in turns", lambda stop: fault_redis(svc, stop, 10, 10)),
            "postgres": ("pg_ctl restart -m fast every 12 s", lambda stop: fault_postgres(svc, stop, 12)),
            "disk-full": ("upload tmpfs full", None),
        }
        done = []
        for name in args.phases.split(","):
            fault_text, fault = plan[name]
            if name == "disk-full":
                state = fill_disk(svc)
                if not svc.tmpfs:
                    log("disk-full skipped: no tmpfs")
                    continue
                fault_text = f"upload tmpfs ({args.upload_mb} MB) full: {state}"
                Officer.tasks = [t for t in Officer.tasks]  # evidence uploads as often as edits
                Officer.tasks += [Officer.upload_evidence] * 5
            run_phase(name, args.seconds, args.users, fault)
            done.append((name, fault_text))
            if name == "disk-full":
                (svc.uploads / "filler.bin").unlink(missing_ok=True)
            gevent.sleep(3)
        log("checking the database against what the client saw")
        result = check(svc)
        text = table(done)
        print()
        print(text)
        print()
        summary = (f"Acknowledged writes: {result['acks']}; lost: {result['lost']}. Reports: {result['reports']}; "
                   f"written during the run: {result['touched']}; "
                   f"half-written: {result['half']}. Stored files missing or short: {result['missing_files']}; "
                   f"temporary upload files left behind: {result['pending_left']}. Reports not written during the run "
                   f"(demo seed) past draft without the workflow's stamps: {result['seeded_unstamped']}.")
        print(summary)
        for problem in result["problems"][:30]:
            print("  " + problem)
        for name, _ in done:
            slow = sorted(RECORD.by_name[name].items(), key=lambda kv: -percentile(kv[1], 0.95))[:3]
            print(f"  [{name}] slowest p95: " + "; ".join(f"{k} {percentile(v, 0.95):.0f} ms (n={len(v)})"
                                                       for k, v in slow))
            for sample in RECORD.samples[name]:
                print(f"  [{name}] {sample}")
        tracebacks = (work / "gunicorn.log").read_text(errors="replace").count("Traceback")
        print(f"Tracebacks in the gunicorn log: {tracebacks}")
        if args.markdown:
            machine = f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            Path(args.markdown).write_text(
                f"Machine: {machine}; locust {locust.__version__}.\n\n{text}\n\n{summary}\n"
                f"Tracebacks in the gunicorn log: {tracebacks}.\n\n" +
                "\n".join(f"- [{n}] {s}" for n, _ in done for s in RECORD.samples[n]) + "\n")
    finally:
        svc.stop_all()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
