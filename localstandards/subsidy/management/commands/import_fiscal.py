from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.subsidy.services import FiscalImportError, import_fiscal


class Command(BaseCommand):
    help = (
        "Import one fiscal year's data per local government from CSV or XLSX (all or nothing; replaces that "
        "year's earlier import). Format: docs/subsidy-analysis.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a .csv (UTF-8) or .xlsx file")
        parser.add_argument("--year", type=int, required=True, help="the fiscal year in the Buddhist era, e.g. 2567")
        parser.add_argument(
            "--synthetic", action="store_true", help="mark the data as a synthetic sample (as a # SYNTHETIC line does)"
        )

    def handle(self, *args, path: Path, year: int, synthetic: bool, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}) from None
        try:
            summary = import_fiscal(data, year, filename=path.name, synthetic=synthetic)
        except FiscalImportError as error:
            raise CommandError(
                _("%(path)s was not imported (%(count)s problems); nothing was changed.")
                % {"path": path, "count": len(error.problems)}
                + "\n"
                + "\n".join(str(problem) for problem in error.problems)
            ) from None
        self.stdout.write(self.style.SUCCESS(_("Fiscal data imported: %(summary)s") % {"summary": summary}))
