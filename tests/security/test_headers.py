"""Headers and settings: the documented production settings pass `check --deploy` with no warning, signed-in
responses are never cached, cookies carry their flags, and uploaded files are only served through the views."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_production_environment_passes_the_deployment_checks(tmp_path):
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))},
        # docs/deployment.md, "Production": the variables a deployment sets.
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "mss.example.go.th",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_HOST": "smtp.example.go.th",
    }
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues (0 silenced)" in run.stdout


def test_signed_in_pages_downloads_and_pdfs_are_not_kept_by_caches(submitted, users, client_for):
    client = client_for(users.staff)
    for url in (
        reverse("home"),
        reverse("assessments:overview", args=[submitted.pk]),
        reverse("reports:pdf", args=[submitted.pk]),
        reverse("reports:plan", args=[submitted.pk]),
        reverse("assessments:download-evidence", args=[submitted.pk, submitted.evidence.get().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {part.strip() for part in response["Cache-Control"].split(",")} >= {"private", "no-store"}, url


def test_a_visitors_public_page_keeps_its_own_policy(client):
    assert "no-store" not in client.get(reverse("about")).get("Cache-Control", "")


def test_cookies_carry_their_flags(users, client):
    from tests.conftest import PASSWORD

    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": users.staff.username, "password": PASSWORD})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_uploaded_files_are_not_served_from_the_media_address(submitted, users, client_for):
    evidence = submitted.evidence.get()
    address = "/" + settings.MEDIA_URL.lstrip("/") + evidence.file.name
    assert client_for(users.staff).get(address).status_code == 404
