"""`make bench`: the national benchmark on a throw-away PostgreSQL database (see BENCHMARKS.md, docs/testing.md).

1. PostgreSQL (started the way .ci/run starts it when it is not running); a database `ls_bench_<pid>`; migrate,
   import the registry and the sample framework, `generate_round` (the nation, or 3 provinces with BENCH_QUICK=1);
2. gunicorn on 127.0.0.1 with production settings (bench/settings_bench.py: DEBUG off, 4 workers);
3. the deadline rush with locust (bench/locustfile.py) at 16 and 64 officers, with province and national officers
   reading their pages meanwhile; afterwards every acknowledged save is checked against the database;
4. pgbench's single-row upsert right before and right after the rushes (the ratio's denominator);
5. the data-volume jobs (rescore, check_quality, the largest exports, the results PDF, the registry import):
   time and peak memory of each, as a child process;
6. page weight of the data-entry page (bench/page_weight.py).
It writes bench/results/<date>.json, appends a row to BENCHMARKS.md and prints one JSON line last.
Everything it starts is stopped at the end, the database dropped; every step has a time limit; loopback only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
# Quick: Bangkok, Chon Buri (with Pattaya) and Chiang Mai: every type of local government, 311 of them.
PROVINCES = os.environ.get("BENCH_PROVINCES", "10,20,50" if QUICK else "")
RUSH_SECONDS = int(os.environ.get("BENCH_SECONDS", "30" if QUICK else "120"))
PGBENCH_SECONDS = int(os.environ.get("BENCH_PGBENCH_SECONDS", "10" if QUICK else "30"))
CLIENTS = [int(c) for c in os.environ.get("BENCH_CLIENTS", "16,64").split(",")]
REVIEWERS = int(os.environ.get("BENCH_REVIEWERS", "3"))
REGISTRY = Path(os.environ.get("REGISTRY_CSV", ROOT.parent / "shared" / "data" / "lao_registry.csv"))
SAMPLE = ROOT / "localstandards" / "frameworks" / "samples" / "framework-2567-sample.xlsx"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
SEED = 1


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="ls-bench-"))
        self.db = f"ls_bench_{os.getpid()}"
        self.password = secrets.token_urlsafe(12)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.children: list[subprocess.Popen] = []
        self.results: dict = {"quick": QUICK, "provinces": PROVINCES or "all", "rush_seconds": RUSH_SECONDS}
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{self.db}",
            "DJANGO_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "BENCH_STATIC_ROOT": str(self.tmp / "static"),
            "BENCH_MEDIA_ROOT": str(self.tmp / "media"),
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
        }

    # ---- helpers

    def run(self, args: list[str], *, timeout: int, env: dict | None = None, label: str = "") -> str:
        """Run a child to completion (bounded); its stdout. A failure stops the bench with the child's stderr."""
        log(label or " ".join(args[:4]))
        done = subprocess.run(
            args, cwd=ROOT, env=env or self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    def timed(self, args: list[str], *, timeout: int, env: dict | None = None) -> tuple[dict, str]:
        """Run a child under /usr/bin/time: wall seconds, peak memory (MB) and its stdout."""
        report = self.tmp / "time.txt"
        command = ["/usr/bin/time", "-o", str(report), "-f", "%e %M", *args]
        stdout = self.run(command, timeout=timeout, env=env, label=" ".join(args[1:4]))
        seconds, kilobytes = report.read_text().split()[-2:]
        return {"seconds": float(seconds), "peak_mb": round(int(kilobytes) / 1024, 1)}, stdout

    def manage(self, *args: str, timeout: int = 600) -> str:
        return self.run([PY, "manage.py", *args], timeout=timeout, label="manage.py " + " ".join(args))

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self.run(
            ["psql", "-h", PG["host"], "-U", PG["user"], "-d", database, "-qAtc", sql], timeout=120, label=sql[:60]
        )

    # ---- 1. PostgreSQL and the data

    def start_postgres(self) -> None:
        if subprocess.run(["pg_isready", "-q", "-h", PG["host"], "-p", PG["port"]], check=False).returncode != 0:
            cluster = sorted(os.listdir("/etc/postgresql"))[0]
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"], check=True)
            for _ in range(30):
                if subprocess.run(["pg_isready", "-q", "-h", PG["host"]], check=False).returncode == 0:
                    break
                time.sleep(1)
        self.results["postgres"] = self.psql("SHOW server_version").strip()
        self.psql(f"DROP DATABASE IF EXISTS {self.db}")
        self.psql(f"CREATE DATABASE {self.db}")

    def load(self) -> None:
        self.manage("migrate", "--no-input", "-v0")
        self.manage("import_registry", str(REGISTRY))
        self.manage("import_framework", str(SAMPLE), "--publish")
        args = [PY, "manage.py", "generate_round", "--seed", str(SEED), "--password", self.password]
        if PROVINCES:
            args += ["--provinces", PROVINCES]
        figures, stdout = self.timed(args, timeout=1200)
        self.round_id = int(stdout.strip().splitlines()[-1])
        self.results["generate"] = figures
        self.results["round_id"] = self.round_id
        self.results["returns"] = int(
            self.psql(f"SELECT count(*) FROM assessments_assessment WHERE round_id = {self.round_id}", self.db)
        )
        self.targets = json.loads(
            self.run([PY, "bench/targets.py", str(self.round_id), str(sum(CLIENTS))], timeout=300, label="targets")
        )
        # Each rush gets its own officers (returns), so the second rush starts from pages nobody has touched.
        self.results["open_returns"] = len(self.targets["officers"])

    # ---- 2. The app server

    def collectstatic(self) -> None:
        """Collect the static files into the run's directory and time it. BENCH_QUICK=1 reuses the files of an
        earlier quick run when nothing they are made from changed (collecting takes minutes on this machine)."""
        target = self.tmp / "static"
        cache = Path(tempfile.gettempdir()) / "ls-bench-static" / static_sources_key()
        if os.environ.get("BENCH_STATIC_DIR"):  # for working on the harness: files collected beforehand
            cache = Path(os.environ["BENCH_STATIC_DIR"])
        if (QUICK or os.environ.get("BENCH_STATIC_DIR")) and (cache / "staticfiles.json").exists():
            shutil.copytree(cache, target)
            self.results["collectstatic"] = {"seconds": None, "peak_mb": None, "reused": True}
            return
        figures, _ = self.timed([PY, "manage.py", "collectstatic", "--no-input", "-v0"], timeout=900)
        written = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
        self.results["collectstatic"] = figures | {"mb_written": round(written / 2**20, 1)}
        if QUICK:
            shutil.rmtree(cache.parent, ignore_errors=True)  # one cached copy at most
            shutil.copytree(target, cache)

    def serve(self) -> None:
        self.collectstatic()
        gunicorn = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--workers",
                "4",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
                "--error-logfile",
                str(self.tmp / "gunicorn.err"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip  (in the harness's process group: bench/run.sh stops the group whatever happens)
        self.children.append(gunicorn)
        self.gunicorn = gunicorn
        for _ in range(120):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                log(f"gunicorn on {self.base}")
                return
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not start: " + (self.tmp / "gunicorn.err").read_text()[-2000:])

    # ---- 3–4. pgbench and the rush

    def pgbench(self, label: str) -> float:
        script = self.tmp / "upsert.sql"
        if not script.exists():
            self.psql("CREATE TABLE IF NOT EXISTS bench_upsert (id integer PRIMARY KEY, n integer NOT NULL)", self.db)
            script.write_text(
                "\\set id random(1, 100000)\n"
                "INSERT INTO bench_upsert (id, n) VALUES (:id, 1) "
                "ON CONFLICT (id) DO UPDATE SET n = bench_upsert.n + 1;\n"
            )
        out = self.run(
            ["pgbench", "-n", "-f", str(script), "-c", "16", "-j", "2", "-T", str(PGBENCH_SECONDS),
             "-h", PG["host"], "-U", PG["user"], self.db],
            timeout=PGBENCH_SECONDS + 60, label=f"pgbench ({label})",
        )  # fmt: skip
        tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
        self.results.setdefault("pgbench_tps", {})[label] = round(tps, 1)
        return tps

    def rush(self, clients: int, officers: list[dict]) -> dict:
        targets = self.tmp / f"targets-{clients}.json"
        targets.write_text(json.dumps({"officers": officers, "reviewers": self.targets["reviewers"]}))
        out = self.tmp / f"rush-{clients}.json"
        env = {
            **self.env,
            "BENCH_TARGETS": str(targets),
            "BENCH_PASSWORD": self.password,
            "BENCH_OUT": str(out),
            "BENCH_REVIEWERS": str(REVIEWERS),
            "BENCH_OFFICERS": str(len(officers)),
            "BENCH_RUSH_SECONDS": str(RUSH_SECONDS),
        }
        started = time.time()
        users = clients + REVIEWERS
        subprocess.run(
            [str(BIN / "locust"), "-f", "bench/locustfile.py", "--headless", "--host", self.base, "-u", str(users),
             "-r", str(users), "-t", f"{RUSH_SECONDS + 600}s", "--stop-timeout", "10", "--only-summary",
             "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            cwd=ROOT, env=env, timeout=RUSH_SECONDS + 660, check=False,
            stdout=subprocess.DEVNULL, stderr=open(self.tmp / f"locust-{clients}.log", "w"),  # noqa: SIM115
        )  # fmt: skip
        data = json.loads(out.read_text())
        saves = data["saves"]
        acked = [ms for _start, ms, ok in saves if ok]
        latencies = sorted(ms for _start, ms, _ok in saves)
        span = (max(s + ms / 1000 for s, ms, _ in saves) - min(s for s, _, _ in saves)) if saves else 0
        figures = {
            "clients": clients,
            "seconds_to_log_in": round(data["rush_started"] - started, 1) if data["rush_started"] else None,
            "saves": len(saves),
            "acknowledged": len(acked),
            "autosave_per_s": round(len(acked) / span, 1) if span else 0.0,
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99),
            "errors": sum(data["errors"].values()),
            "error_kinds": data["errors"],
            "lost_writes": self.lost_writes(data["acks"]),
            "pages_p95_ms": {name: percentile(sorted(ms), 95) for name, ms in data["pages"].items()},
            "pages_count": {name: len(ms) for name, ms in data["pages"].items()},
        }
        log(f"rush at {clients}: {figures['autosave_per_s']} saves/s, p95 {figures['p95_ms']} ms")
        return figures

    def lost_writes(self, acks: list) -> int:
        """Acknowledged saves the database does not hold: for each (return, indicator), the last acknowledged
        version must be the stored version, with the acknowledged values."""
        import psycopg

        last: dict[tuple[int, int], tuple[dict, int]] = {}
        for assessment, indicator, values, version in acks:
            key = (assessment, indicator)
            if key not in last or version > last[key][1]:
                last[key] = (values, version)
        if not last:
            return 0
        with psycopg.connect(host=PG["host"], port=PG["port"], user=PG["user"], dbname=self.db) as connection:
            rows = connection.execute(
                "SELECT assessment_id, indicator_id, base, delivered, count, answer, version FROM assessments_answer "
                "WHERE assessment_id = ANY(%s)",
                [sorted({a for a, _i in last})],
            ).fetchall()
        stored = {(row[0], row[1]): row[2:] for row in rows}  # (base, delivered, count, answer, version)
        lost = 0
        for key, (values, version) in last.items():
            row = stored.get(key)
            if row is None or row[4] != version or not same_values(values, row):
                lost += 1
        return lost

    # ---- 5–6. Jobs and page weight

    def jobs(self) -> None:
        jobs = self.results["jobs"] = {}
        jobs["rescore"], _ = self.timed([PY, "manage.py", "rescore", str(self.round_id)], timeout=1800)
        jobs["check_quality"], _ = self.timed([PY, "manage.py", "check_quality", str(self.round_id)], timeout=2400)
        laggards = f"/progress/{self.round_id}/nation/all/not-submitted/"
        pdf = f"/results/{self.targets['accepted_return']}/pdf/"
        jobs["refresh_analysis"], _ = self.timed([PY, "manage.py", "refresh_analysis", str(self.round_id)], timeout=600)
        national = f"/analysis/{self.round_id}/nation/all/"
        for name, url, times in (
            ("not_submitted_xlsx", laggards + "?format=xlsx", 1),
            ("not_submitted_csv", laggards + "?format=csv", 1),
            ("not_submitted_page", laggards, 1),
            ("results_pdf", pdf, 2),
            ("analysis_national", national, 3),
            ("analysis_indicator", national + "?item=indicator:1.1.1&type=SAO", 3),
            ("analysis_compare", f"/analysis/{self.round_id}/compare/{self.round_id - 1}/nation/all/", 3),
            ("award_scores", f"/awards/{self.round_id}/", 3),
        ):
            figures, stdout = self.timed([PY, "bench/fetch.py", "national-admin", url, str(times)], timeout=600)
            runs = json.loads(stdout)
            jobs[name] = figures | {
                "request_seconds": [r["seconds"] for r in runs],
                "bytes": runs[0]["bytes"],
                "status": runs[0]["status"],
            }
        with tempfile.TemporaryDirectory() as folder:
            jobs["committee_report"], _ = self.timed(
                [PY, "manage.py", "committee_report", str(self.round_id), "--out", folder], timeout=600
            )
        registry_env = {k: v for k, v in self.env.items() if k not in ("DATABASE_URL",)}
        registry_env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        registry_env["DJANGO_ENV"] = "development"
        figures, stdout = self.timed([PY, "bench/registry_import.py", str(REGISTRY)], timeout=600, env=registry_env)
        jobs["registry_import"] = figures | {"output": stdout.strip().splitlines()}

    def page_weight(self) -> None:
        staff = self.targets["staff_sample"]
        out = self.run(
            [PY, "bench/page_weight.py", self.base, staff["username"], self.password, staff["area_url"]],
            timeout=120,
            label="page weight",
        )
        self.results["page_weight"] = json.loads(out)

    # ---- the whole run

    def main(self) -> dict:
        started = time.time()
        self.start_postgres()
        self.load()
        self.serve()
        officers = self.targets["officers"]
        before = self.pgbench("before")
        rushes = {}
        used = 0
        for clients in CLIENTS:
            chosen = officers[used : used + clients]
            if len(chosen) < clients:
                chosen = officers[:clients]  # fewer open returns than officers: reuse (the rush then overlaps)
            used += clients
            rushes[clients] = self.rush(clients, chosen)
        after = self.pgbench("after")
        self.results["rush"] = rushes
        self.jobs()
        self.page_weight()
        self.results["seconds"] = round(time.time() - started, 1)
        first = rushes[CLIENTS[0]]
        pgbench_tps = (before + after) / 2
        national = [r["pages_p95_ms"].get("national_progress") for r in rushes.values()]
        self.results["summary"] = {
            "autosave_per_s": first["autosave_per_s"],
            "pgbench_tps": round(pgbench_tps, 1),
            "ratio": round(first["autosave_per_s"] / pgbench_tps, 5) if pgbench_tps else None,
            "p95_ms_16": rushes.get(16, first)["p95_ms"],
            "p95_ms_64": rushes.get(64, first)["p95_ms"],
            "lost_writes": sum(r["lost_writes"] for r in rushes.values()),
            "errors": sum(r["errors"] for r in rushes.values()),
            "national_progress_p95_ms": max([n for n in national if n is not None], default=None),
            "rescore_s": self.results["jobs"]["rescore"]["seconds"],
            "check_quality_s": self.results["jobs"]["check_quality"]["seconds"],
            "generate_s": self.results["generate"]["seconds"],
            "first_load_kb": round(self.results["page_weight"]["first_load_bytes"] / 1024, 1),
            "quick": QUICK,
        }
        return self.results

    def stop(self) -> None:
        for child in self.children:
            child.terminate()  # gunicorn's master stops its workers
        for child in self.children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        with contextlib.suppress(Exception):
            self.psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        shutil.rmtree(self.tmp, ignore_errors=True)


def static_sources_key() -> str:
    """A digest of what the collected static files are made from: the files under every `static` directory, the
    npm lock file (node_modules) and the settings (the storage and the static directories)."""
    digest = hashlib.sha256()
    sources = [ROOT / "static", *sorted((ROOT / "localstandards").glob("*/static"))]
    for base in sources:
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.relative_to(ROOT)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for path in (ROOT / "package-lock.json", ROOT / "config" / "settings.py", ROOT / "requirements.txt"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    if len(sorted_values) == 1:
        return round(sorted_values[0], 1)
    return round(statistics.quantiles(sorted_values, n=100, method="inclusive")[int(p) - 1], 1)


def same_values(posted: dict, row: tuple) -> bool:
    base, delivered, count, answer, _version = row

    def number(value) -> Decimal | None:
        return None if value in (None, "") else Decimal(str(value))

    if "base" in posted:
        return number(posted["base"]) == number(base) and number(posted["delivered"]) == number(delivered)
    if "count" in posted:
        return number(posted["count"]) == number(count)
    return {"yes": True, "no": False}.get(posted.get("answer")) == answer


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1).strip()
    memory = ""
    with contextlib.suppress(OSError):
        kilobytes = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{round(kilobytes / 2**20)} GiB"
    return f"{os.cpu_count()} cores {model}, {memory}, {platform.python_implementation()} {platform.python_version()}"


def append_row(results: dict) -> None:
    s, jobs, rush = results["summary"], results["jobs"], results["rush"]
    weight = results["page_weight"]
    autosave = weight.get("autosave") or {}
    cells = [
        results["date"],
        "quick" if QUICK else "full",
        f"{results['returns']:,}",
        f"{results['generate']['seconds']:.0f} s",
        " / ".join(f"{r['autosave_per_s']}" for r in rush.values()),
        " / ".join(f"{r['p50_ms']}·{r['p95_ms']}·{r['p99_ms']}" for r in rush.values()),
        f"{s['errors']}",
        f"{s['lost_writes']}",
        " / ".join(str(v) for v in results["pgbench_tps"].values()),
        f"{s['ratio'] * 100:.2f} %" if s["ratio"] is not None else "–",
        f"{s['national_progress_p95_ms']} ms",
        f"{jobs['rescore']['seconds']} s · {jobs['rescore']['peak_mb']} MB",
        f"{jobs['check_quality']['seconds']} s · {jobs['check_quality']['peak_mb']} MB",
        f"{max(jobs['not_submitted_xlsx']['request_seconds'])} s · {jobs['not_submitted_xlsx']['peak_mb']} MB",
        f"{max(jobs['not_submitted_csv']['request_seconds'])} s · {jobs['not_submitted_csv']['peak_mb']} MB",
        " / ".join(f"{x} s" for x in jobs["results_pdf"]["request_seconds"])
        + f" · {jobs['results_pdf']['peak_mb']} MB",
        f"{jobs['registry_import']['seconds']} s · {jobs['registry_import']['peak_mb']} MB",
        f"{weight['first_load_bytes'] / 1024:.0f} KB (HTML {weight['html_bytes'] / 1024:.0f} KB)",
        f"{autosave.get('request_bytes', '–')} B / {autosave.get('response_bytes', '–')} B",
        results["machine"],
    ]
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    marker = "<!-- bench rows: bench/harness.py appends here -->"
    row = "| " + " | ".join(str(c) for c in cells) + " |"
    path.write_text(text.replace(marker, f"{row}\n{marker}") if marker in text else text + "\n" + row + "\n")


def main() -> None:
    bench = Bench()

    def stop_on_signal(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one stop is enough: let the clean-up run
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    try:
        results = bench.main()
    finally:
        bench.stop()
    results["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["machine"] = machine()
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    name = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d") + ("-quick" if QUICK else "")
    (out_dir / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    append_row(results)
    print(json.dumps(results["summary"]), flush=True)


if __name__ == "__main__":
    main()
