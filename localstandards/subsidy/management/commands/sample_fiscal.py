from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.subsidy.services import sample_fiscal_csv


class Command(BaseCommand):
    help = (
        "Write a SYNTHETIC fiscal file (CSV) for every active local government in the registry, for the demo: "
        "generate_round → sample_fiscal → import_fiscal. The file says it is synthetic and the import marks it so."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="the fiscal year in the Buddhist era, e.g. 2567")
        parser.add_argument("--out", type=Path, required=True, help="the CSV file to write")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same file (default 1)")

    def handle(self, *args, year: int, out: Path, seed: int, **options):
        text, count = sample_fiscal_csv(year, seed)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": out, "error": error.strerror}) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(count)s rows of SYNTHETIC fiscal data to %(path)s") % {"count": count, "path": out}
            )
        )
