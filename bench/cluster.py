"""The scale-out layout of docs/deployment.md on this machine's loopback: haproxy → N gunicorn instances → one
PostgreSQL, Redis for cache and sessions, and the tasks worker (`manage.py db_worker`) as its own process.

Python API (bench/failover.py and `make bench` use it):

    from bench.cluster import Cluster

    with Cluster(instances=2, database_url="postgres://postgres@127.0.0.1:5432/x",
                 redis_url="redis://127.0.0.1:6379/0") as cluster:
        cluster.url               # http://127.0.0.1:PORT, the load balancer
        cluster.instance_urls     # each gunicorn instance directly
        session = cluster.client()  # a requests.Session that keeps the production (Secure) cookies on loopback
        cluster.kill(0)           # kill -9 instance 0 (its master and workers) without telling haproxy
        cluster.servers_up()      # {"app0": False, "app1": True}, haproxy's own view (stats socket)
        cluster.restart(0)        # start it again on the same port
    # leaving the block stops haproxy, the instances and the worker

CLI (serves until Ctrl-C; prints the URL):

    .venv/bin/python bench/cluster.py --database-url postgres://postgres@127.0.0.1:5432/mydb \\
        [--redis-url redis://127.0.0.1:6379/0] [--instances 2] [--workers 2] [--port 8080] [--no-worker]

The database must be migrated and hold whatever the caller needs; the cluster only serves it. The instances run
with production settings (DJANGO_ENV=production: DEBUG off, hashed static files, Secure cookies), so the static
files are collected first when STATIC_ROOT's manifest is missing or older than the sources. Everything listens on
127.0.0.1 only. haproxy comes from Debian: installed with apt-get when missing and running as root.

Clients: production cookies are Secure; `cluster.client()` (or `keep_secure_cookies_on_loopback(jar)` after each
response, e.g. in a locust user) keeps sending them over loopback HTTP, as browsers do for localhost. POSTs need
the CSRF token (the `csrftoken` cookie as `X-CSRFToken`). Cache keys carry the prefix `cluster-PORT` unless
`env={"CACHE_KEY_PREFIX": ...}` says otherwise; the logs are in `cluster.log_dir`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_haproxy() -> str:
    """Debian's haproxy, installed when missing (root only, as the Makefile installs chromium)."""
    found = shutil.which("haproxy") or shutil.which("/usr/sbin/haproxy")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("haproxy is missing: install Debian's haproxy package (apt-get install haproxy)")
    quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
    subprocess.run(["apt-get", "update", "-qq"], check=True, **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", "haproxy"], check=True, **quiet)
    return shutil.which("haproxy") or "/usr/sbin/haproxy"


def production_env(database_url: str, redis_url: str | None, public_url: str, extra: dict[str, str]) -> dict:
    """The environment of every instance and the worker: production settings, served over loopback HTTP."""
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-secret-key-not-for-a-real-site-0123456789"),
        "DATABASE_URL": database_url,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": public_url,
        # haproxy on loopback speaks plain HTTP: no redirect to HTTPS, no HSTS; it adds X-Forwarded-For.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_BEHIND_PROXY": "1",
        "TASKS_BACKEND": "database",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "PYTHONUNBUFFERED": "1",
        # Its own cache keys: the machine's Redis may serve other databases (another run, `make run`).
        "CACHE_KEY_PREFIX": f"cluster-{public_url.rsplit(':', 1)[-1]}",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def collect_static_if_stale(env: dict[str, str]) -> None:
    """Production pages need the hashed-name manifest; collect only when it is missing or older than the sources
    (the project's static/ and the npm packages, which change with package-lock.json)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    sources = [ROOT / "static", ROOT / "package-lock.json"]
    newest = max((p.stat().st_mtime for s in sources if s.exists() for p in [s, *s.rglob("*")]), default=0)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)


def keep_secure_cookies_on_loopback(cookies) -> None:
    """Production cookies are Secure, and a cookie jar sends those over https only; browsers treat http://localhost
    as a secure origin and send them. Clearing the flag in the client's jar does the same for a load generator
    (the cluster listens on loopback only). Call it after each response (LoopbackSession does), e.g. in a locust
    user's request hook with `self.client.cookies`."""
    for cookie in cookies:
        cookie.secure = False


def loopback_session():
    """A requests.Session for the cluster that keeps the production (Secure) cookies over loopback HTTP."""
    import requests

    class LoopbackSession(requests.Session):
        def request(self, *args, **kwargs):
            response = super().request(*args, **kwargs)
            keep_secure_cookies_on_loopback(self.cookies)
            return response

    return LoopbackSession()


class Cluster:
    """haproxy + N gunicorn instances + the db_worker on loopback (see the module's docstring)."""

    def __init__(
        self,
        instances: int = 2,
        *,
        database_url: str,
        redis_url: str | None = None,
        workers: int = 2,
        port: int | None = None,
        worker: bool = True,
        env: dict[str, str] | None = None,
        log_dir: str | Path | None = None,
        threads: int = 1,
    ) -> None:
        self.instances = instances
        self.workers = workers
        self.threads = threads
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance_ports = [free_port() for _ in range(instances)]
        self.instance_urls = [f"http://127.0.0.1:{p}" for p in self.instance_ports]
        self.env = production_env(database_url, redis_url, self.url, env or {})
        self.run_worker = worker
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="cluster-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.stats_socket = self.log_dir / "haproxy.sock"
        self._apps: list[subprocess.Popen | None] = [None] * instances
        self._worker: subprocess.Popen | None = None
        self._haproxy: subprocess.Popen | None = None

    # ---- lifecycle

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> None:
        haproxy = ensure_haproxy()
        collect_static_if_stale(self.env)
        for index in range(self.instances):
            self._start_instance(index)
        for index in range(self.instances):
            self._wait_healthy(self.instance_urls[index])
        if self.run_worker:
            self._worker = self._spawn([PYTHON, "manage.py", "db_worker"], "worker.log")
        config = self.log_dir / "haproxy.cfg"
        config.write_text(self.haproxy_config())
        subprocess.run([haproxy, "-c", "-q", "-f", str(config)], check=True)
        self._haproxy = self._spawn([haproxy, "-db", "-f", str(config)], "haproxy.log")
        self._wait_healthy(self.url)
        deadline = time.monotonic() + 15
        while not all(self.servers_up().values()) and time.monotonic() < deadline:
            time.sleep(0.2)

    def stop(self) -> None:
        processes = [self._haproxy, self._worker, *self._apps]
        for process in processes:
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self._haproxy, self._worker, self._apps = None, None, [None] * self.instances

    # ---- what a benchmark does with it

    def kill(self, index: int) -> None:
        """kill -9 one instance: its gunicorn master and every worker, mid-request, as a crash would."""
        process = self._apps[index]
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self._apps[index] = None

    def restart(self, index: int) -> None:
        self.kill(index)
        self._start_instance(index)
        self._wait_healthy(self.instance_urls[index])

    def alive(self) -> list[bool]:
        return [p is not None and p.poll() is None for p in self._apps]

    def servers_up(self) -> dict[str, bool]:
        """haproxy's health-check verdict per instance, from its stats socket."""
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(str(self.stats_socket))
            connection.sendall(b"show stat\n")
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            r["svname"]: r["status"].startswith("UP")
            for r in rows
            if r["pxname"] == "app" and r["svname"].startswith("app")
        }

    def client(self):
        return loopback_session()

    def haproxy_config(self) -> str:
        """Round robin over the instances; a dead one is passed over at once and marked down within a second.

        - `observe layer4` + `on-error mark-down`: a refused connection takes the server out immediately, without
          waiting for the health checks; the checks (`/healthz`, which also asks the database, every second, 5 s
          to answer, 3 failures) take out an instance that hangs, and bring a server back.
        - `retries` + `option redispatch`: a request whose connection failed is sent again, to the other server.
          Only connection failures are retried (`retry-on conn-failure`): a save that reached a dying instance
          may have been committed, so it is never replayed behind the officer's back; the officer gets an error
          and the page's version check tells what was stored.
        """
        servers = "\n".join(f"    server app{i} 127.0.0.1:{port}" for i, port in enumerate(self.instance_ports))
        return f"""global
    maxconn 2048
    stats socket {self.stats_socket} mode 600 level admin

defaults
    mode http
    log global
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout queue 30s
    timeout http-request 10s
    # A sync worker busy with a log-in (the password hash) answers the check late: patience here, since a dead
    # instance is caught at once by the refused connection (observe layer4), not by the checks.
    timeout check 5s
    retries 3
    option redispatch 1
    retry-on conn-failure

frontend www
    bind 127.0.0.1:{self.port}
    option forwardfor
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server check inter 1s fastinter 500ms downinter 1s fall 3 rise 2
    default-server observe layer4 error-limit 1 on-error mark-down
{servers}
"""

    # ---- internals

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.log_dir / log_name, "ab")  # noqa: SIM115  (kept open for the process's life)
        return subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _start_instance(self, index: int) -> None:
        command = [
            PYTHON, "-m", "gunicorn", "config.wsgi",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--bind", f"127.0.0.1:{self.instance_ports[index]}",
            "--timeout", "60",
            "--graceful-timeout", "10",
            "--no-control-socket",  # gunicorn's default socket path is one per user: instances would share it
        ]  # fmt: skip
        self._apps[index] = self._spawn(command, f"app{index}.log")

    def _wait_healthy(self, url: str, timeout: float = 90) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer /healthz within {timeout:.0f} s (logs in {self.log_dir})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL"), required="DATABASE_URL" not in os.environ
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--port", type=int, default=None, help="the load balancer's port (default: a free one)")
    parser.add_argument("--no-worker", action="store_true", help="do not start manage.py db_worker")
    args = parser.parse_args()
    cluster = Cluster(
        args.instances,
        database_url=args.database_url,
        redis_url=args.redis_url or None,
        workers=args.workers,
        port=args.port,
        worker=not args.no_worker,
    )
    with cluster:
        print(f"{cluster.url}  (instances: {', '.join(cluster.instance_urls)}; logs: {cluster.log_dir})", flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop everything on SIGTERM as on Ctrl-C
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                signal.pause()


if __name__ == "__main__":
    main()
