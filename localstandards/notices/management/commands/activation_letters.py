"""Write the activation letters of a province (or one of its districts) as one PDF, one A4 page per อปท.

Printing issues fresh codes for every open seat: the codes of an earlier letter for the same seats stop working.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from localstandards.notices import onboarding
from localstandards.notices.management.commands.provision_accounts import round_and_province
from localstandards.registry.models import District


class Command(BaseCommand):
    help = "Write the activation letters (PDF with QR codes) of a province or district; issues fresh codes."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("--province", required=True, help="the province's 2-digit DOPA code")
        parser.add_argument("--district", help="only this district of the province (4-digit DOPA code)")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, **options):
        round_, province = round_and_province(options["round_id"], options["province"])
        district = None
        if options["district"]:
            district = District.objects.filter(code=options["district"], province=province).first()
            if district is None:
                raise CommandError(f"No district {options['district']!r} in province {province.code}.")
        pdf = onboarding.activation_letters_pdf(round_, None, province, district)
        Path(options["out"]).write_bytes(pdf)
        self.stdout.write(f"Wrote {options['out']} ({len(pdf)} bytes).")
