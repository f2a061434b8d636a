"""`make run`'s demo data load in the order the Makefile runs them, and the demo officer can then enter data."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from localstandards.accounts.models import User
from localstandards.assessments import services
from localstandards.assessments.models import Assessment, AssessmentRound, Status

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT.parent / "shared" / "data" / "lao_registry.csv"
SAMPLE = ROOT / "localstandards" / "frameworks" / "samples" / "framework-2567-sample.xlsx"


@pytest.mark.skipif(not REGISTRY.is_file(), reason="the shared registry file is beside the checkout in CI")
def test_the_demo_loads_and_the_demo_officer_can_enter_data(settings):
    settings.DEMO_DATA_ALLOWED = True
    call_command("import_registry", str(REGISTRY))
    call_command("import_framework", str(SAMPLE), "--publish")
    call_command("load_demo")
    call_command("load_demo_round")
    call_command("generate_round", "--seed", "2567", "--provinces", "50", "--if-absent")
    call_command("load_demo_round")  # running it all again is safe
    call_command("generate_round", "--seed", "2567", "--provinces", "50", "--if-absent")
    staff = User.objects.get(username="demo_staff")
    sample = AssessmentRound.objects.get(name__contains="ตัวอย่าง")
    assessment = Assessment.objects.for_user(staff).select_related("round").get(round=sample)
    services.check_can_write(assessment, staff)  # the sample round is long closed; the demo extension opens it
    assert assessment.extensions.count() == 1
    # Chiang Mai mid-round, once: submitted and accepted returns with answers and a certifier, some sent back.
    generated = AssessmentRound.objects.filter(name__endswith="(seed 2567)")
    assert generated.count() == 2  # the current round and the one before it
    current = generated.order_by("-fiscal_year").first()
    reviewed = Assessment.objects.unscoped().filter(
        round=current, status__in=[Status.ACCEPTED, Status.AWAITING_DISTRICT]
    )
    assert reviewed.exists() and not reviewed.filter(answers=None).exists()
    assert not reviewed.filter(certifier_name="").exists()
    assert Assessment.objects.unscoped().filter(round=current, status=Status.RETURNED).exists()
    district = User.objects.get(username="demo_district")
    assert Assessment.objects.for_user(district).filter(round=current, status=Status.AWAITING_DISTRICT).exists()
