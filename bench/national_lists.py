"""Time the national lists, their exports, the reminders page and the results PDF against a national round.

Usage (PostgreSQL with a round over the whole registry, e.g. from `manage.py generate_round`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/national_lists.py [--round ID]

Requests go through Django's test client in this process (DEBUG off, no network), as a national administrator,
so the figures are the server's own time (view, SQL, template) without gunicorn or the network. "app CPU" is
this process's CPU time alone: on a shared machine under load it moves less than the wall time. Each page is
requested `--repeat` times; the median and the fastest are printed with the SQL query count and the size.
Reads only: nothing is written to the database (the PDF cache is the cache backend's).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")

import logging

import django

django.setup()
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from localstandards.accounts.models import Role, RoleMembership  # noqa: E402
from localstandards.assessments.models import Assessment, AssessmentRound, Status  # noqa: E402


def timed(client: Client, url: str, repeat: int, *, clear_cache: bool = False) -> dict:
    times, cpu, queries, size = [], [], 0, 0
    for _ in range(repeat):
        if clear_cache:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, (url, response.status_code)
        queries, size = len(captured), len(body)
    return {
        "url": url,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(min(times) * 1000, 1),
        "cpu_ms": round(statistics.median(cpu) * 1000, 1),  # this process only (PostgreSQL's time not included)
        "queries": queries,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round", type=int, help="the round's id (default: the latest)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated names of the figures to take (default: all)")
    args = parser.parse_args()
    assessment_round = (
        AssessmentRound.objects.get(pk=args.round) if args.round else AssessmentRound.objects.order_by("-pk").first()
    )
    admin = RoleMembership.objects.filter(role=Role.NATIONAL_ADMIN, user__is_active=True).first().user
    client = Client(SERVER_NAME="localhost")
    client.force_login(admin)
    laggards = reverse("progress:laggards", args=[assessment_round.pk, "nation", "all"])
    accepted = (
        Assessment.objects.unscoped().filter(round=assessment_round, status=Status.ACCEPTED).order_by("pk").first()
    )
    pdf = reverse("reports:pdf", args=[accepted.pk])
    wanted = {
        "not_submitted_page": lambda: timed(client, laggards, args.repeat),
        "not_submitted_page_by_progress_p20": lambda: timed(client, laggards + "?order=progress&page=20", args.repeat),
        "not_submitted_csv": lambda: timed(client, laggards + "?format=csv", args.repeat),
        "not_submitted_xlsx": lambda: timed(client, laggards + "?format=xlsx", args.repeat),
        "reminders_page": lambda: timed(client, reverse("notices:round", args=[assessment_round.pk]), args.repeat),
        "results_pdf_uncached": lambda: timed(client, pdf, max(2, args.repeat // 2), clear_cache=True),
        "results_pdf": lambda: timed(client, pdf, args.repeat),
    }
    only = set(filter(None, args.only.split(",")))
    pages = {name: take() for name, take in wanted.items() if not only or name in only}
    expected = Assessment.objects.unscoped().filter(round=assessment_round).count()
    print(f"round {assessment_round.pk}: {expected} returns; {connection.vendor}; load {os.getloadavg()[0]:.1f}")
    for name, figure in pages.items():
        print(
            f"{name:36} median {figure['median_ms']:8.1f} ms  min {figure['min_ms']:8.1f} ms  "
            f"app CPU {figure['cpu_ms']:8.1f} ms  "
            f"{figure['queries']:3} queries  {figure['bytes']:>10,} bytes"
        )
    print(json.dumps({name: figure["median_ms"] for name, figure in pages.items()}))


if __name__ == "__main__":
    main()
