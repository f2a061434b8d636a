"""`manage.py award_scores ROUND_ID --format csv|xlsx [--out FILE]`: the award table of a round, unscoped.

The same table as the page and its downloads (awards.services.award_table over listed_rows): the frozen list once
the round's list is frozen, else the current final returns.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from localstandards.assessments.models import AssessmentRound
from localstandards.awards import services
from localstandards.core.request_input import id_from
from localstandards.core.tables import csv_text, write_workbook


class Command(BaseCommand):
    help = "Print the award scores of a round (CSV to standard output, or an XLSX file with --out)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("round_id", help="the id of the assessment round")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", help="write to this file (required for xlsx)")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help="language of the headers (default: %(default)s)",
        )

    def handle(self, *args, round_id: str, format: str, out: str | None, language: str, **options) -> None:
        if language not in dict(settings.LANGUAGES):
            raise CommandError(f"Unknown language {language!r}: use one of {', '.join(dict(settings.LANGUAGES))}.")
        round_pk = id_from(round_id)
        if round_pk is None:
            raise CommandError(f"The round id must be a number, not {round_id!r}.")
        assessment_round = AssessmentRound.objects.filter(pk=round_pk).first()
        if assessment_round is None:
            raise CommandError(f"There is no assessment round with id {round_id}.")
        if format == "xlsx" and not out:
            raise CommandError("An XLSX workbook needs a file: add --out FILE.")
        with translation.override(language):
            rows, award_list = services.listed_rows(assessment_round)
            table = services.award_table(rows, assessment_round, award_list)
            try:
                if format == "xlsx":
                    write_workbook([table], out)
                elif out:
                    with open(out, "w", encoding="utf-8", newline="") as target:
                        target.write(csv_text(table))
                else:
                    self.stdout.write(csv_text(table), ending="")
            except OSError as error:
                raise CommandError(f"Cannot write {out}: {error.strerror}.") from error
        if out:
            self.stderr.write(f"{len(table.rows)} rows written to {out}.")
