"""manage.py refresh_analysis ROUND_ID: rebuild a round's national results now (the task does it after changes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.analysis.aggregates import refresh_round
from localstandards.assessments.models import AssessmentRound


class Command(BaseCommand):
    help = "Rebuild the national results (aggregates of the final returns) of a round."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)

    def handle(self, *args, round_id: int, **options):
        assessment_round = AssessmentRound.objects.filter(pk=round_id).first()
        if assessment_round is None:
            raise CommandError(_("There is no round %(id)s.") % {"id": round_id})
        analysis = refresh_round(assessment_round)
        self.stdout.write(
            _("Round %(id)s: %(final)s final returns counted, in %(seconds).1f s.")
            % {"id": round_id, "final": analysis.final_returns, "seconds": analysis.seconds}
        )
