from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.assessments.models import AssessmentRound
from localstandards.assessments.quality import refresh_round


class Command(BaseCommand):
    help = "Recompute the data-quality flags of every submitted return in a round (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)

    def handle(self, *args, round_id: int, **options):
        assessment_round = AssessmentRound.objects.filter(pk=round_id).first()
        if assessment_round is None:
            raise CommandError(_("No round with id %(id)s.") % {"id": round_id})
        count = refresh_round(assessment_round)
        self.stdout.write(
            self.style.SUCCESS(_("%(count)s flags in %(round)s.") % {"count": count, "round": assessment_round})
        )
