from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.registry.services import RegistryImportError, import_registry


class Command(BaseCommand):
    help = "Import or refresh the registry of local governments from DLA's CSV (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="lao_registry.csv (see shared/data/README.md)")

    def handle(self, *args, path: Path, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}) from None
        try:
            summary = import_registry(data)
        except RegistryImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(path)s was not imported (%(count)s problems); nothing was changed.")
                % {"path": path, "count": len(error.problems)}
            ) from None
        self.stdout.write(self.style.SUCCESS(_("Registry imported: %(summary)s") % {"summary": summary}))
