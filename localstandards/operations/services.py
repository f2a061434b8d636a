"""Backup and restore: the database and every stored file, with a manifest of checksums (docs/operations.md).

`backup(directory)` writes, from one consistent snapshot of the database:
  database.pgdump (pg_dump's custom format, PostgreSQL) or database.sqlite3 (SQLite's online backup);
  files/<name> for every file a model's FileField refers to (evidence, committee reports…), from the storage in use
  (disk or S3);
  manifest.json: the database file's sha256, the row count of every table, every file's sha256 and size.
`restore(directory)` refuses a database that is not empty, checks every checksum of the backup before touching
anything, restores the database and the files into the configured database and storage, then verifies: the row
count of every table, each file's sha256 read back from the storage, each evidence row's recorded sha256, and the
receipt checksum of every submitted return recomputed from the restored answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.assessments.models import Assessment, Evidence, Status
from localstandards.assessments.services.review import answers_checksum

MANIFEST = "manifest.json"
FILES = "files"
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


@dataclass
class Report:
    tables: int = 0
    rows: int = 0
    files: int = 0
    receipts: int = 0
    problems: list[str] = field(default_factory=list)


def sha256_of(path_or_file) -> str:
    digest = hashlib.sha256()
    if isinstance(path_or_file, str | Path):
        with open(path_or_file, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    else:
        for chunk in iter(lambda: path_or_file.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(program: str, arguments: list[str]) -> None:
    """Run one of PostgreSQL's tools against the configured database; its own message when it fails."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(_("%(program)s is not installed (PostgreSQL's client tools).") % {"program": program})
    try:
        subprocess.run([executable, *arguments], env=_pg_env(), check=True, capture_output=True, text=True)  # noqa: S603
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{program}: {error.stderr.strip()[:2000]}") from None


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_env() -> dict[str, str]:
    """libpq's variables for pg_dump / pg_restore, from the configured database."""
    config = connection.settings_dict
    env = {**os.environ, "PGDATABASE": config["NAME"]}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            env[name] = str(config[key])
    return env


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (names from the database's own catalogue)
        counts[table] = cursor.fetchone()[0]
    return counts


def stored_file_names() -> list[str]:
    """Every name a FileField of any model refers to (a file shared by many rows once)."""
    names: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                values = model._default_manager.exclude(**{model_field.name: ""}).values_list(
                    model_field.name, flat=True
                )
                names.update(value for value in values if value)
    return sorted(names)


def _dump_database(directory: Path) -> tuple[str, dict[str, int]]:
    """The database file and the row counts of every table, both from one snapshot."""
    tables = _tables()
    if _is_postgres():
        target = directory / "database.pgdump"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor, tables)
            _run(
                "pg_dump",
                ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(target)],
            )
        return target.name, counts
    target = directory / "database.sqlite3"
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    copy = sqlite3.connect(target)
    try:
        cursor = copy.cursor()
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the database's catalogue)
            counts[table] = cursor.fetchone()[0]
    finally:
        copy.close()
    return target.name, counts


def backup(directory: Path) -> dict:
    """Write a backup into `directory` (created; it must be empty) and return its manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(_("%(path)s is not empty: choose a new folder for each backup.") % {"path": directory})
    directory.mkdir(parents=True, exist_ok=True)
    database_file, counts = _dump_database(directory)
    files = {}
    for name in stored_file_names():
        target = directory / FILES / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with default_storage.open(name, "rb") as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
        except FileNotFoundError:
            raise BackupError(_("A stored file is missing: %(name)s.") % {"name": name}) from None
        files[name] = {"sha256": sha256_of(target), "bytes": target.stat().st_size}
    manifest = {
        "format": 1,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "engine": connection.vendor,
        "database": {"file": database_file, "sha256": sha256_of(directory / database_file)},
        "tables": counts,
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(_("%(path)s has no manifest.json: it is not a backup.") % {"path": directory})
    return json.loads(path.read_text(encoding="utf-8"))


def check_backup(directory: Path, manifest: dict) -> None:
    """Every file of the backup is there with its recorded checksum (before anything is restored)."""
    directory = Path(directory)
    wrong = []
    database = directory / manifest["database"]["file"]
    if not database.is_file() or sha256_of(database) != manifest["database"]["sha256"]:
        wrong.append(manifest["database"]["file"])
    for name, facts in manifest["files"].items():
        path = directory / FILES / name
        if not path.is_file() or sha256_of(path) != facts["sha256"]:
            wrong.append(f"{FILES}/{name}")
    if wrong:
        raise BackupError(
            _("The backup is damaged; these files are missing or changed: %(names)s.")
            % {"names": ", ".join(wrong[:20])}
        )


def _database_is_empty() -> bool:
    tables = _tables()
    if not tables:
        return True
    if "django_migrations" in tables:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            return cursor.fetchone()[0] == 0 and not any(_counts(cursor, tables).values())
    return False


def restore(directory: Path) -> Report:
    """Restore a backup into the configured (empty) database and storage, then verify it."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest.get("engine") != connection.vendor:
        raise BackupError(
            _("This backup is of a %(theirs)s database; the configured database is %(ours)s.")
            % {"theirs": manifest.get("engine"), "ours": connection.vendor}
        )
    check_backup(directory, manifest)
    if not _database_is_empty():
        raise BackupError(_("The configured database is not empty: restore only into a new, empty database."))
    database = directory / manifest["database"]["file"]
    if _is_postgres():
        connection.close()
        _run(
            "pg_restore",
            [
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "-d",
                connection.settings_dict["NAME"],
                str(database),
            ],
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(database)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    for name in manifest["files"]:
        with open(directory / FILES / name, "rb") as handle:
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(_("The storage renamed %(name)s to %(saved)s.") % {"name": name, "saved": saved})
    return verify(manifest)


def verify(manifest: dict) -> Report:
    """Compare the configured database and storage with a backup's manifest; recompute what can be recomputed."""
    report = Report()
    with connection.cursor() as cursor:
        counts = _counts(cursor, sorted(manifest["tables"]))
    for table, expected in manifest["tables"].items():
        report.tables += 1
        report.rows += counts.get(table, 0)
        if counts.get(table) != expected:
            report.problems.append(f"{table}: {counts.get(table)} rows, {expected} in the backup")
    for name, facts in manifest["files"].items():
        report.files += 1
        with default_storage.open(name, "rb") as handle:
            if sha256_of(handle) != facts["sha256"]:
                report.problems.append(f"{name}: sha256 differs")
    # Unscoped: the backup's check covers every return and file.
    for evidence in Evidence.objects.unscoped().exclude(file=""):
        if manifest["files"].get(evidence.file.name, {}).get("sha256") != evidence.sha256:
            report.problems.append(f"evidence {evidence.pk}: its file's sha256 differs from the recorded one")
    submitted = (
        # Unscoped: the backup's check covers every return and file.
        Assessment.objects.unscoped().exclude(receipt_checksum="").exclude(status__in=Status.AWAITING_SUBMISSION)
    )
    for assessment in submitted:
        report.receipts += 1
        if answers_checksum(assessment) != assessment.receipt_checksum:
            report.problems.append(f"return {assessment.pk}: the receipt checksum does not match its answers")
    return report
