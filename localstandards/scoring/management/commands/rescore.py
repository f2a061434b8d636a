from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from localstandards.assessments.models import AssessmentRound
from localstandards.scoring.services import rescore_round


class Command(BaseCommand):
    help = "Rebuild the stored results of every return of a round from its answers (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int, help="id of the assessment round")

    def handle(self, *args, round_id: int, **options):
        assessment_round = AssessmentRound.objects.filter(pk=round_id).first()
        if assessment_round is None:
            raise CommandError(_("There is no assessment round with id %(id)s.") % {"id": round_id})
        count = rescore_round(assessment_round)
        self.stdout.write(
            ngettext(
                "%(count)d return scored in round “%(round)s”.",
                "%(count)d returns scored in round “%(round)s”.",
                count,
            )
            % {"count": count, "round": assessment_round.name}
        )
