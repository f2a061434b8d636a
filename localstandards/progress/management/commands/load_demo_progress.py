import datetime as dt
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from localstandards.assessments.models import Assessment, AssessmentRound, Status
from localstandards.core.clock import end_of_day

SAMPLE_ROUND_NAME = "รอบการประเมินตัวอย่าง ปีงบประมาณ 2567"


class Command(BaseCommand):
    help = (
        "Demo data for the progress pages: in the sample round, mark about 60% of one province's returns as "
        "submitted on days spread over the window (some accepted, some returned) and 15% as in progress. "
        "Idempotent; never in production; leaves the demo accounts' own return alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="50")
        parser.add_argument("--share", type=float, default=0.6)

    def handle(self, *args, province: str, share: float, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(_("Demo data are not allowed in production settings."))
        assessment_round = AssessmentRound.objects.filter(name=SAMPLE_ROUND_NAME).first()
        if assessment_round is None:
            raise CommandError(_("Open the sample round first (manage.py load_demo_round)."))
        returns = (
            # Unscoped: the demo loader, run from the shell.
            Assessment.objects.unscoped()
            .filter(
                round=assessment_round, local_government__province__code=province, local_government__memberships=None
            )
            .order_by("pk")
        )
        if returns.exclude(first_submitted_at=None).exists():
            self.stdout.write(_("Demo progress is already there."))
            return
        chooser = random.Random(2567)  # the same demo every time  # noqa: S311
        days = (assessment_round.closes_on - assessment_round.opens_on).days
        changed = []
        for assessment in returns:
            draw = chooser.random()
            if draw < share:
                # Most submissions come in the last weeks, as in real rounds.
                day = assessment_round.opens_on + dt.timedelta(days=int(days * chooser.random() ** 0.35))
                moment = end_of_day(day) - dt.timedelta(hours=chooser.randint(2, 14))
                assessment.first_submitted_at = assessment.submitted_at = moment
                assessment.last_activity_at = moment
                assessment.status = chooser.choices(
                    [Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE, Status.ACCEPTED, Status.RETURNED],
                    weights=[45, 20, 25, 10],
                )[0]
            elif draw < share + 0.15:
                day = assessment_round.opens_on + dt.timedelta(days=chooser.randint(0, days))
                assessment.last_activity_at = end_of_day(day) - dt.timedelta(hours=3)
            else:
                continue
            changed.append(assessment)
        with transaction.atomic():
            # Unscoped: the demo loader, run from the shell.
            Assessment.objects.unscoped().bulk_update(
                changed, ["status", "first_submitted_at", "submitted_at", "last_activity_at"], batch_size=500
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo progress: %(count)s of %(total)s returns changed.")
                % {"count": len(changed), "total": returns.count()}
            )
        )
