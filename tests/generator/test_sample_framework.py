"""generate_round on a database without the sample framework (a module of its own: the other module shares one)."""

from io import StringIO

from django.core.management import call_command

from localstandards.assessments.models import AssessmentRound
from localstandards.frameworks.models import Framework
from localstandards.frameworks.models import Status as FrameworkStatus


def test_the_sample_framework_is_imported_and_published_when_there_is_none(world):
    assert not Framework.objects.filter(is_sample=True).exists()
    out = StringIO()

    call_command("generate_round", "--seed", "7", "--provinces", "50", stdout=out, stderr=StringIO())

    current = AssessmentRound.objects.get(pk=int(out.getvalue().strip()))
    assert current.framework.is_sample
    assert current.framework.status == FrameworkStatus.PUBLISHED
    assert current.assessments.count() == world.province.local_governments.count()
