#!/usr/bin/env bash
# `make bench`: bench/harness.py in a process group of its own, bounded in time; on exit, however it ends, the
# group (gunicorn, locust, pgbench) is stopped. BENCH_QUICK=1: 3 provinces, 30-second rushes, under 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${BENCH_TIMEOUT:-$([ -n "${BENCH_QUICK:-}" ] && echo 900 || echo 5400)}"
setsid timeout --kill-after=30 "$limit" .venv/bin/python bench/harness.py &
pid=$!
trap 'kill -TERM -- "-$pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
wait "$pid"
