from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from localstandards.frameworks.services import FrameworkStateError, import_workbook
from localstandards.frameworks.workbook import WorkbookError


class Command(BaseCommand):
    help = (
        "Import a framework workbook (.xlsx) as a new draft version, all or nothing; --publish publishes it. "
        "A workbook identical to an existing version of the same code is not imported twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="framework workbook, e.g. samples/framework-2567-sample.xlsx")
        parser.add_argument("--publish", action="store_true", help="publish the version after importing it")

    def handle(self, *args, path: Path, publish: bool, **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}) from None
        try:
            result = import_workbook(data, publish=publish, reuse_identical=True)
        except WorkbookError as error:
            for problem in error.problems:
                self.stderr.write(f"{problem.sheet or '-'}\t{problem.cell or '-'}\t{problem.message}")
            raise CommandError(
                _("%(path)s was not imported (%(count)s problems); nothing was changed.")
                % {"path": path, "count": len(error.problems)}
            ) from None
        except FrameworkStateError as error:
            raise CommandError(str(error)) from None
        framework = result.framework
        if result.created:
            message = _("Imported %(name)s as version %(version)s (%(status)s).")
        else:
            message = _("Unchanged: %(name)s is already version %(version)s (%(status)s); nothing imported.")
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {"name": framework.name, "version": framework.version, "status": framework.get_status_display()}
            )
        )
