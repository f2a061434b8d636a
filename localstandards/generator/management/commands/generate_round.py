import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.generator import services


class Command(BaseCommand):
    help = (
        "Generate a round over the whole registry (or the given provinces) on the sample framework, with the round "
        "of the fiscal year before it, in bulk: every return filled with plausible values (some blank, some returned, "
        "most submitted or accepted), satisfaction counts, evidence rows (all pointing at one tiny shared PDF), "
        "status history and stored results. The current round is open today and closes in 7 days. "
        "Officers (reused when they exist): lg<DLA code>-staff and lg<DLA code>-head per local government "
        "(lgbma-… for Bangkok), district<DOPA code> per district, province<DOPA code> per province, national-admin "
        "and committee-viewer; e-mail <username>@generated.invalid. Deterministic for a seed. Refused on a "
        "production database (DEBUG off and a database name without test/bench/demo/dev/tmp/scratch) unless "
        "--force. The last line printed is the new round's id."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, required=True, help="the same seed gives the same round")
        parser.add_argument("--provinces", default="", help="comma-separated DOPA province codes (default: all)")
        parser.add_argument(
            "--password", default=None, help="password of the generated officers (default: unusable passwords)"
        )
        parser.add_argument("--force", action="store_true", help="run even on what looks like a production database")
        parser.add_argument(
            "--if-absent",
            action="store_true",
            help="do nothing when a round of this seed was generated already (make run's demo runs it every time)",
        )

    def handle(
        self, *args, seed: int, provinces: str, password: str | None, force: bool, if_absent: bool = False, **options
    ):
        if if_absent:
            existing = services.generated_round(seed)
            if existing is not None:
                self.stderr.write(_("A round of seed %(seed)s is there already.") % {"seed": seed})
                self.stdout.write(str(existing.pk))
                return
        if services.is_production_database() and not force:
            raise CommandError(
                _(
                    "This looks like a production database (DEBUG is off and its name is %(name)s); "
                    "generated rounds are for test, bench and demo databases. Add --force to run anyway."
                )
                % {"name": services.database_name()}
            )
        codes = [code.strip() for code in provinces.split(",") if code.strip()]
        started = time.perf_counter()
        try:
            generated = services.generate(
                seed=seed, province_codes=codes or None, password=password, log=self.stderr.write
            )
        except services.GeneratorError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            _("Generated rounds %(previous)s and %(current)s in %(seconds).1f s.")
            % {
                "previous": generated.previous.pk,
                "current": generated.current.pk,
                "seconds": time.perf_counter() - started,
            }
        )
        self.stdout.write(str(generated.current.pk))
