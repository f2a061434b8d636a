"""Kill one app instance during an autosave rush: the rush goes on through the other, and no acknowledged save
is lost (issue 9, "scale out, shown on this machine"; docs/deployment.md).

    .venv/bin/python bench/failover.py [--officers 6] [--seconds 20] [--instances 2] [--workers 2] [--keep-db]

1. starts PostgreSQL and Redis the way .ci/run does when they are not running, and creates a throw-away database;
2. loads the small demo there (registry, sample framework, demo accounts, the demo round) and gives N officers of
   different อปท. in Chiang Mai a return they may edit today;
3. starts bench/cluster.py's layout: haproxy → two gunicorn instances (production settings) + the db_worker;
4. N threads log in through haproxy and autosave COUNT indicators of their own return, one at a time, the way the
   entry page does (HX-Request, the CSRF token, only that indicator's prefixed fields and the version it edited);
5. half-way, kill -9 one instance (master and workers); the rush continues;
6. afterwards, reads the database: every acknowledged save (a 200 naming the new version) must be in the answer's
   history with the acknowledged value, and the current answer must be that save or a later one.

Prints one JSON line last: {"failover": true, "acknowledged": N, "lost_writes": 0, "errors_during_failover": N, ...}
and exits 1 unless the rush went on after the kill with no write lost. Everything listens on 127.0.0.1;
the run is bounded by --seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cluster import PYTHON, Cluster  # noqa: E402

BENCH_PASSWORD = "bench-failover-officer-2567"  # noqa: S105  (throw-away database, loopback only)
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def ensure_services() -> None:
    """PostgreSQL and Redis as .ci/run and the machine notes start them, when they are not running."""
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode != 0:
        version = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
        for _ in range(30):
            if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
                break
            time.sleep(1)
    if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, check=False).returncode != 0:
        redis = [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
            "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
        ]  # fmt: skip
        subprocess.run(redis, check=True)


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)


def manage(database_url: str, *args: str, capture: bool = False) -> str:
    """A management command on the throw-away database, with development settings (demo data are refused in
    production settings)."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_ENV": "development", "LOG_LEVEL": "WARNING"}
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=True)
    return result.stdout if capture else ""


# Run inside `manage.py shell`: officers of distinct อปท. of the demo round, each with a return open today and the
# COUNT indicators that apply to it. Prints JSON.
PREPARE_OFFICERS = """
import datetime as dt, json
from django.utils import timezone
from localstandards.accounts.models import Role, User
from localstandards.accounts.services import grant_role
from localstandards.assessments import services
from localstandards.assessments.models import AssessmentRound
from localstandards.frameworks.evaluation import indicator_applies
from localstandards.frameworks.models import Indicator, Kind
round_ = AssessmentRound.objects.order_by("-pk").first()
admin = User.objects.get(username="demo_admin")
returns = list(round_.assessments.select_related("local_government").filter(
    local_government__district__province__code="50").order_by("local_government__dla_code")[:{officers}])
indicators = list(Indicator.objects.filter(framework=round_.framework, kind=Kind.COUNT).order_by("order", "pk"))
out = []
for n, assessment in enumerate(returns):
    lg = assessment.local_government
    user, _ = User.objects.get_or_create(username=f"bench_officer_{{n}}", defaults={{"first_name": "bench"}})
    user.set_password({password!r}); user.is_active = True; user.save()
    grant_role(user, Role.LG_STAFF, lg)
    until = timezone.localdate() + dt.timedelta(days=30)
    if not assessment.extensions.filter(until__gte=until).exists():
        services.grant_extension(assessment, admin, until, "bench/failover.py")
    usable = [i.pk for i in indicators if indicator_applies(i, lg.type, lg, [])[0]]
    out.append({{"username": user.username, "assessment": assessment.pk, "indicators": usable}})
print(json.dumps(out))
"""


@dataclass
class Tally:
    """What the officers saw; the lock keeps the threads' appends whole."""

    kill_at: float | None = None
    logged_in: int = 0
    go: threading.Event = field(default_factory=threading.Event)  # the rush starts when every officer is in
    acknowledged: list[tuple[int, int, int, int, float]] = field(
        default_factory=list
    )  # assessment, indicator, version, value, t
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors_before_kill: int = 0
    errors_after_kill: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, key: str) -> None:
        with self.lock:
            self.statuses[key] = self.statuses.get(key, 0) + 1


VERSION = re.compile(r'name="i(\d+)-version" id="i\d+-version" value="(\d+)"')


def officer(cluster: Cluster, plan: dict, stop: threading.Event, tally: Tally, seed: int) -> None:
    import requests

    rng = random.Random(seed)
    session = cluster.client()
    login_url = f"{cluster.url}/accounts/login/"
    for attempt in range(5):  # the kill may catch a log-in in flight: log in again, as a person would
        try:
            session.get(login_url, timeout=30)
            response = session.post(
                login_url,
                {
                    "username": plan["username"],
                    "password": BENCH_PASSWORD,
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                },
                timeout=30,
                allow_redirects=False,
            )
            if response.status_code == 302:
                break
            tally.count(f"login {response.status_code}")
        except requests.RequestException as error:
            tally.count(f"login {type(error).__name__}")
        time.sleep(0.5 * (attempt + 1))
    else:
        raise RuntimeError(f"{plan['username']} could not log in")
    with tally.lock:
        tally.logged_in += 1
    tally.go.wait(timeout=300)
    versions = dict.fromkeys(plan["indicators"], 0)
    while not stop.is_set():
        indicator = rng.choice(plan["indicators"])
        value = rng.randint(0, 100_000)
        prefix = f"i{indicator}"
        started = time.monotonic()
        try:
            response = session.post(
                f"{cluster.url}/returns/{plan['assessment']}/indicator/{indicator}/save/",
                {f"{prefix}-count": str(value), f"{prefix}-note": "", f"{prefix}-version": str(versions[indicator])},
                headers={"HX-Request": "true", "X-CSRFToken": session.cookies["csrftoken"]},
                timeout=30,
            )
            status = str(response.status_code)
        except requests.RequestException as error:
            response, status = None, type(error).__name__
        elapsed = time.monotonic() - started
        tally.count(status)
        found = dict(VERSION.findall(response.text)) if response is not None else {}
        if status in ("200", "409") and str(indicator) in found:
            versions[indicator] = int(found[str(indicator)])
        with tally.lock:
            if status == "200":
                tally.acknowledged.append((plan["assessment"], indicator, versions[indicator], value, time.monotonic()))
                tally.latencies_ms.append(elapsed * 1000)
            elif status not in ("409", "422"):
                if tally.kill_at is None:
                    tally.errors_before_kill += 1
                else:
                    tally.errors_after_kill += 1


def check_writes(database_url: str, acknowledged: list[tuple]) -> dict[str, int]:
    """Every acknowledged (assessment, indicator, version, value) is in the answer's history with that value, and
    the current answer is that version or a later one."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        history = {
            (a, i, v): c
            for a, i, v, c in connection.execute(
                "SELECT assessment_id, indicator_id, version, count FROM assessments_historicalanswer"
            )
        }
        current = {
            (a, i): (v, c)
            for a, i, v, c in connection.execute(
                "SELECT assessment_id, indicator_id, version, count FROM assessments_answer"
            )
        }
    lost = wrong = 0
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for assessment, indicator, version, value, _t in acknowledged:
        stored = history.get((assessment, indicator, version))
        if stored is None:
            lost += 1
        elif stored != value:
            wrong += 1
        key = (assessment, indicator)
        if version >= latest.get(key, (-1, 0))[0]:
            latest[key] = (version, value)
    for key, (version, value) in latest.items():
        now_version, now_value = current.get(key, (-1, None))
        if now_version < version or (now_version == version and now_value != value):
            lost += 1
    return {"lost_writes": lost, "wrong_values": wrong, "answers_checked": len(latest)}


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def run(args: argparse.Namespace) -> dict:
    ensure_services()
    name = f"scale_failover_{os.getpid()}"
    database_url = f"postgres://postgres@127.0.0.1:5432/{name}"
    admin_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        started = time.monotonic()
        manage(database_url, "migrate", "--no-input", "-v0")
        registry = next(
            p for p in (ROOT.parent / "shared/data/lao_registry.csv", ROOT / "data/lao_registry.csv") if p.exists()
        )
        manage(database_url, "import_registry", str(registry))
        manage(
            database_url,
            "import_framework",
            "localstandards/frameworks/samples/framework-2567-sample.xlsx",
            "--publish",
        )
        manage(database_url, "load_demo")
        manage(database_url, "load_demo_round")
        script = PREPARE_OFFICERS.format(officers=args.officers, password=BENCH_PASSWORD)
        plans = json.loads(manage(database_url, "shell", "-c", script, capture=True).strip().splitlines()[-1])
        setup_s = time.monotonic() - started

        tally = Tally()
        stop = threading.Event()
        cluster = Cluster(
            args.instances,
            database_url=database_url,
            redis_url=args.redis_url,
            workers=args.workers,
            env={"CACHE_KEY_PREFIX": name},
        )
        with cluster:
            threads = [
                threading.Thread(target=officer, args=(cluster, plan, stop, tally, n), daemon=True)
                for n, plan in enumerate(plans)
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 300
            while tally.logged_in < len(plans) and time.monotonic() < deadline:
                time.sleep(0.1)
            tally.go.set()
            time.sleep(args.seconds / 2)
            kill_time = time.monotonic()
            with tally.lock:
                tally.kill_at = kill_time
            cluster.kill(0)
            marked_down_s = None
            while time.monotonic() - kill_time < args.seconds / 2:
                if marked_down_s is None and not cluster.servers_up().get("app0", True):
                    marked_down_s = round(time.monotonic() - kill_time, 2)
                time.sleep(0.05)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            servers = cluster.servers_up()
            logs = str(cluster.log_dir)
        checked = check_writes(database_url, tally.acknowledged)
        after_kill = sum(1 for *_rest, t in tally.acknowledged if t >= kill_time)
        result = {
            "failover": after_kill > 0 and checked["lost_writes"] == 0 and checked["wrong_values"] == 0,
            "acknowledged": len(tally.acknowledged),
            "acknowledged_after_kill": after_kill,
            "lost_writes": checked["lost_writes"],
            "wrong_values": checked["wrong_values"],
            "errors_during_failover": tally.errors_after_kill,
            "errors_before_kill": tally.errors_before_kill,
            "statuses": dict(sorted(tally.statuses.items())),
            "answers_checked": checked["answers_checked"],
            "marked_down_after_s": marked_down_s,
            "servers_up_at_end": servers,
            "p50_ms": percentile(tally.latencies_ms, 0.50),
            "p95_ms": percentile(tally.latencies_ms, 0.95),
            "saves_per_s": round(len(tally.acknowledged) / args.seconds, 1),
            "officers": len(plans),
            "instances": args.instances,
            "workers_per_instance": args.workers,
            "seconds": args.seconds,
            "setup_s": round(setup_s, 1),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "logs": logs,
        }
        return result
    finally:
        if not args.keep_db:
            admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            forget_cache_keys(args.redis_url, name)


def forget_cache_keys(redis_url: str, prefix: str) -> None:
    """The run's sessions and cache entries, left in the machine's Redis under the run's own prefix."""
    import redis

    connection = redis.Redis.from_url(redis_url)
    for key in connection.scan_iter(match=f"{prefix}:*", count=1000):
        connection.delete(key)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=20, help="length of the rush; one instance dies half-way")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--keep-db", action="store_true", help="leave the throw-away database for a look")
    args = parser.parse_args()
    if args.instances < 2:
        parser.error("a failover needs at least two instances")
    result = run(args)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    sys.exit(0 if result["failover"] else 1)


if __name__ == "__main__":
    main()
