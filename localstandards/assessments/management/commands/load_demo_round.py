import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from localstandards.accounts.models import User
from localstandards.assessments import services
from localstandards.assessments.models import Assessment, AssessmentRound, Extension
from localstandards.frameworks.models import Framework
from localstandards.frameworks.models import Status as FrameworkStatus

SAMPLE_ROUND_NAME = "รอบการประเมินตัวอย่าง ปีงบประมาณ 2567"


class Command(BaseCommand):
    help = (
        "Open the FY 2567 sample round (4 June – 31 July 2567) on the sample framework, and extend the demo "
        "local government's deadline so the demo accounts can enter data today. Idempotent; never in production."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(_("Demo data are not allowed in production settings."))
        framework = (
            Framework.objects.filter(is_sample=True, status=FrameworkStatus.PUBLISHED).order_by("-version").first()
        )
        if framework is None:
            raise CommandError(_("Load the sample framework first (manage.py import_framework … --publish)."))
        admin = User.objects.filter(username="demo_admin").first()
        assessment_round = AssessmentRound.objects.filter(name=SAMPLE_ROUND_NAME).first()
        if assessment_round is None:
            assessment_round = services.open_round(
                framework=framework,
                name=SAMPLE_ROUND_NAME,
                fiscal_year=2567,
                opens_on=dt.date(2024, 6, 4),
                closes_on=dt.date(2024, 7, 31),
                review_deadline=dt.date(2024, 8, 31),
                user=admin,
            )
        staff = User.objects.filter(username="demo_staff").first()
        if staff and admin:
            membership = staff.memberships.filter(local_government__isnull=False).first()
            if membership:
                # Unscoped: the demo loader, run from the shell.
                demo_return = Assessment.objects.unscoped().get(
                    round=assessment_round, local_government=membership.local_government
                )
                until = timezone.localdate() + dt.timedelta(days=30)
                if not demo_return.extensions.filter(until__gte=until).exists():
                    # The sample round is of FY 2567, years ago: its demo return is extended to a month from today,
                    # past the 180 days a real extension may run (services.MAX_EXTENSION), on purpose and only here.
                    extension = Extension(
                        assessment=demo_return,
                        until=until,
                        reason="เปิดให้ทดลองใช้ระบบ (ข้อมูลสาธิต)",
                        granted_by=admin,
                    )
                    extension._history_user = admin
                    extension.save()
        self.stdout.write(
            self.style.SUCCESS(
                _("Sample round: %(name)s, %(count)s returns.")
                % {"name": assessment_round.name, "count": assessment_round.assessments.count()}
            )
        )
