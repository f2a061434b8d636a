"""manage.py backup DIR: the database and every stored file, with a manifest of checksums (docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.operations import services


class Command(BaseCommand):
    help = "Back up the database and the stored files (evidence, reports) into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        try:
            manifest = services.backup(directory)
        except (services.BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Backup written to %(path)s: %(tables)s tables, %(rows)s rows, %(files)s files.")
            % {
                "path": directory,
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": len(manifest["files"]),
            }
        )
