"""Write a round's circular letter for one level, with the sending office's header, as PDF."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from localstandards.assessments.models import AssessmentRound
from localstandards.notices import circulars
from localstandards.notices.models import CircularLevel


class Command(BaseCommand):
    help = (
        "Write the circular (หนังสือเวียน) of a round as PDF. --level province: from the national office to the "
        "provinces; district: from the province --office to its districts; lao: from the district --office to its "
        "local governments."
    )

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("--level", required=True, choices=CircularLevel.values)
        parser.add_argument("--office", help="the sending province's or district's DOPA code (not for province)")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument("--thai-digits", action="store_true", help="print Thai digits (default: Arabic)")

    def handle(self, *args, **options):
        round_ = AssessmentRound.objects.filter(pk=options["round_id"]).first()
        if round_ is None:
            raise CommandError(f"No round {options['round_id']}.")
        if options["level"] != CircularLevel.PROVINCE and not options["office"]:
            raise CommandError("--office is required for the district and lao levels.")
        try:
            sender = circulars.sender_for(options["level"], options["office"])
        except circulars.CircularError as error:
            raise CommandError(str(error)) from error
        template = circulars.template_for(options["level"])
        pdf = circulars.circular_pdf(round_, sender, template, options["thai_digits"])
        Path(options["out"]).write_bytes(pdf)
        self.stdout.write(f"Wrote {options['out']} ({len(pdf)} bytes).")
