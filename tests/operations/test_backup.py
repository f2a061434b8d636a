"""Backup → restore → compare, on the database CI runs against (SQLite, then PostgreSQL): the restore goes into
a new empty database and a new storage folder, in a separate process as an operator would run it; every table's
row count, every file's sha256 and every submitted return's receipt checksum must match."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from localstandards.assessments.models import Evidence
from localstandards.operations import services

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def target_database(tmp_path):
    """A new, empty database of the same engine as the test database, and its DATABASE_URL."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
        return
    settings = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:12]}"
    dsn = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432, "user": settings["USER"]}
    if settings.get("PASSWORD"):
        dsn["password"] = settings["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    yield f"postgres://{settings['USER']}{password}@{dsn['host']}:{dsn['port']}/{name}", (dsn, name)
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_restore(directory: Path, database_url: str, media: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media), DJANGO_ENV="development")
    return subprocess.run(  # noqa: S603 (this interpreter, this project's manage.py)
        [sys.executable, "manage.py", "restore", str(directory)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def counts_in(database_url: str, pg) -> dict[str, int]:
    if pg is None:
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    dsn, name = pg
    with psycopg.connect(dbname=name, **dsn) as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def test_backup_restore_compare(submitted, tmp_path, target_database):
    evidence = submitted.evidence.get()
    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir))
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["files"][evidence.file.name]["sha256"] == evidence.sha256
    assert manifest["tables"]["assessments_assessment"] >= 1

    database_url, pg = target_database
    restored_media = tmp_path / "restored-media"
    run = run_restore(backup_dir, database_url, restored_media)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Verified" in run.stdout or "ตรงกับ" in run.stdout
    restored = counts_in(database_url, pg)
    assert {t: restored.get(t) for t in manifest["tables"]} == manifest["tables"]
    copied = restored_media / evidence.file.name
    assert services.sha256_of(copied) == evidence.sha256
    assert Evidence.objects.unscoped().count() == 1


def test_restore_refuses_a_database_that_is_not_empty_and_a_damaged_backup(submitted, tmp_path):
    backup_dir = tmp_path / "backup"
    services.backup(backup_dir)
    with pytest.raises(services.BackupError, match=r"ไม่ว่าง|not empty"):
        services.restore(backup_dir)  # the test database holds the data
    with pytest.raises(services.BackupError):
        services.backup(backup_dir)  # a backup never overwrites another
    database = backup_dir / json.loads((backup_dir / "manifest.json").read_text())["database"]["file"]
    database.write_bytes(database.read_bytes() + b"x")
    with pytest.raises(services.BackupError, match="database"):
        services.check_backup(backup_dir, services.read_manifest(backup_dir))
