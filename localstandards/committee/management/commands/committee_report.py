"""manage.py committee_report ROUND_ID --out DIR: write the committee report of a round as PDF and XLSX."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from localstandards.assessments.models import AssessmentRound
from localstandards.committee import services


class Command(BaseCommand):
    help = "Write the committee report of a round (PDF and XLSX) into a folder."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("--out", required=True, type=Path, help="the folder to write the two files into")

    def handle(self, *args, round_id: int, out: Path, **options):
        assessment_round = AssessmentRound.objects.filter(pk=round_id).first()
        if assessment_round is None:
            raise CommandError(_("There is no round %(id)s.") % {"id": round_id})
        if out.exists() and not out.is_dir():
            raise CommandError(_("%(path)s is not a folder.") % {"path": out})
        started = time.perf_counter()
        try:
            pdf, xlsx = services.write_files(assessment_round, out)
        except (services.ReportError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stderr.write(_("Written in %(seconds).1f s.") % {"seconds": time.perf_counter() - started})
        self.stdout.write(str(pdf))
        self.stdout.write(str(xlsx))
