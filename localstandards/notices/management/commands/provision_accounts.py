"""Open the head and staff invitations of every local government expected in a round (of one province)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from localstandards.assessments.models import AssessmentRound
from localstandards.notices import onboarding
from localstandards.registry.models import Province


def round_and_province(round_id: int, province_code: str | None) -> tuple[AssessmentRound, Province | None]:
    round_ = AssessmentRound.objects.filter(pk=round_id).first()
    if round_ is None:
        raise CommandError(f"No round {round_id}.")
    province = None
    if province_code:
        province = Province.objects.filter(code=province_code).first()
        if province is None:
            raise CommandError(f"No province with the DOPA code {province_code!r}.")
    return round_, province


class Command(BaseCommand):
    help = "Provision a round's accounts: invitations for the head and one officer of each expected อปท.; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("--province", help="only this province (its 2-digit DOPA code)")

    def handle(self, *args, **options):
        round_, province = round_and_province(options["round_id"], options["province"])
        result = onboarding.provision_round(round_, None, province)
        self.stdout.write(
            f"{result.created} invitations created, {result.already_active} seats already active, "
            f"{result.already_invited} already invited."
        )
