"""manage.py restore DIR: restore a backup into the configured empty database and storage, then verify it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.operations import services


class Command(BaseCommand):
    help = "Restore a backup (manage.py backup) into an empty database and storage, and verify it."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        try:
            report = services.restore(directory)
        except (services.BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Restored %(tables)s tables (%(rows)s rows) and %(files)s files; %(receipts)s receipt checksums "
                "recomputed."
            )
            % {"tables": report.tables, "rows": report.rows, "files": report.files, "receipts": report.receipts}
        )
        if report.problems:
            raise CommandError(_("The restored copy differs from the backup:") + "\n" + "\n".join(report.problems[:50]))
        self.stdout.write(_("Verified: everything matches the backup's manifest."))
