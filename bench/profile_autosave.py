"""Where an autosave's time goes, in this process: N HTMX autosaves of one indicator through Django's full stack
(middleware, session, view, template), with production settings (DEBUG off), timed and profiled with cProfile.

Usage: DATABASE_URL=... .venv/bin/python bench/profile_autosave.py USERNAME [N] [--profile]
The user must be the staff of a local government with a return open for entry (the demo's `demo_staff`).
Prints one JSON line: saves, CPU ms per save (this process: Django plus the database driver), wall ms, SQL
statements per save; with --profile, the 25 costliest functions first.
"""

import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from localstandards.accounts.models import User  # noqa: E402
from localstandards.assessments.models import Answer, Assessment  # noqa: E402
from localstandards.frameworks.models import Indicator, Kind  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    username, count = args[0], int(args[1]) if len(args) > 1 else 200
    user = User.objects.get(username=username)
    lg = user.memberships.exclude(local_government=None).first().local_government
    assessment = (
        Assessment.objects.unscoped().awaiting_submission().filter(local_government=lg).order_by("-round__opens_on")[0]
    )
    indicator = Indicator.objects.filter(framework=assessment.framework, kind=Kind.RATIO).order_by("pk")[0]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = reverse("assessments:save-indicator", args=[assessment.pk, indicator.pk])
    prefix = f"i{indicator.pk}"

    def save(value: int) -> None:
        answer = Answer.objects.unscoped().filter(assessment=assessment, indicator=indicator).first()
        version = answer.version if answer else 0
        data = {f"{prefix}-version": version, f"{prefix}-base": 1000, f"{prefix}-delivered": value}
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.status_code

    for value in range(5):  # warm up: the kept framework tree, templates, translations
        save(value)
    profiler = cProfile.Profile() if "--profile" in sys.argv else None
    cpu = wall = 0.0
    statements = 0
    for value in range(count):
        answer = Answer.objects.unscoped().filter(assessment=assessment, indicator=indicator).first()
        data = {f"{prefix}-version": answer.version, f"{prefix}-base": 1000, f"{prefix}-delivered": value % 1000}
        with CaptureQueriesContext(connection) as captured:
            started_cpu, started = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.post(url, data, headers={"HX-Request": "true"})
            if profiler:
                profiler.disable()
            cpu += time.process_time() - started_cpu
            wall += time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        statements += len(captured.captured_queries)
    if profiler:
        if os.environ.get("PROFILE_OUT"):
            profiler.dump_stats(os.environ["PROFILE_OUT"])
        order, lines = os.environ.get("PROFILE_SORT", "cumulative"), int(os.environ.get("PROFILE_LINES", "25"))
        pstats.Stats(profiler).sort_stats(order).print_stats(lines)
    print(
        json.dumps(
            {
                "saves": count,
                "cpu_ms_per_save": round(cpu / count * 1000, 2),
                "wall_ms_per_save": round(wall / count * 1000, 2),
                "statements_per_save": round(statements / count, 2),
                "database": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
