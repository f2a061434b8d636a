"""`make run`'s demo data load in the order the Makefile runs them, and the demo officer can then enter data."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from localstandards.accounts.models import User
from localstandards.assessments import services
from localstandards.assessments.models import Assessment, AssessmentRound

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
    call_command("load_demo_progress")
    call_command("load_demo_round")  # running it again is safe
    staff = User.objects.get(username="demo_staff")
    assessment = Assessment.objects.for_user(staff).select_related("round").get(round=AssessmentRound.objects.get())
    services.check_can_write(assessment, staff)  # the sample round is long closed; the demo extension opens it
    assert assessment.extensions.count() == 1
