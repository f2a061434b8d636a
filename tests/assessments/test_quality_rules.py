"""Framework validation rules: hard rules block a save; a soft rule warns and then needs an explanation."""

import pytest

from localstandards.assessments import services
from localstandards.assessments.models import Assessment
from localstandards.frameworks.services import create_from_spec, publish_framework
from tests.assessments import factories


@pytest.fixture
def ruled_return(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    spec = factories.assessment_spec("RULES-2567")
    spec["validations"] = [
        {"indicator": factories.RATIO, "severity": "hard", "expression": "base < 100000", "message": "เกิน 100,000 สาย"},
        {"indicator": factories.RATIO, "severity": "soft", "expression": "base < 500", "message": "จำนวนสายทางสูงผิดปกติ"},
    ]
    framework = publish_framework(create_from_spec(spec))
    factories.open_test_round(framework)
    return Assessment.objects.get(framework=framework, local_government=world.local_government)


def test_a_hard_rule_refuses_the_save_with_its_message(ruled_return, users):
    ratio = factories.indicator(ruled_return.framework, factories.RATIO)
    with pytest.raises(services.InvalidAnswer) as caught:
        services.save_answer(ruled_return, ratio, users.staff, {"base": "200000", "delivered": "1"}, 0)
    assert caught.value.errors == {"rule": "เกิน 100,000 สาย"}
    assert not ruled_return.answers.exists()


def test_a_soft_rule_warns_and_blocks_submission_until_explained(ruled_return, users):
    ratio = factories.indicator(ruled_return.framework, factories.RATIO)
    result = services.save_answer(ruled_return, ratio, users.staff, {"base": "800", "delivered": "700"}, 0)
    assert result.warnings == ["จำนวนสายทางสูงผิดปกติ"]
    blockers = [b.text for b in services.submission_blockers(ruled_return)]
    assert any(text.startswith("1.1.1") and "คำอธิบาย" in text for text in blockers)
    (area,) = services.build_entries(ruled_return)
    (entry,) = [e for e in area.indicators if e.indicator == ratio]
    assert entry.warnings == ["จำนวนสายทางสูงผิดปกติ"]

    services.save_answer(
        ruled_return,
        ratio,
        users.staff,
        {"base": "800", "delivered": "700", "note": "รวมถนนในหมู่บ้านจัดสรรที่รับโอนปีนี้"},
        1,
    )
    blockers = [b.text for b in services.submission_blockers(ruled_return)]
    assert not any("คำอธิบาย" in text for text in blockers)
