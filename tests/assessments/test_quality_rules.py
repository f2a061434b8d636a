"""Framework validation rules: hard rules block a save; a soft rule warns and then needs an explanation."""

import pytest
from django.urls import reverse

from localstandards.assessments import services
from localstandards.assessments.models import Answer, Assessment
from localstandards.frameworks.models import ExpressionProblem
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
    return Assessment.objects.unscoped().get(framework=framework, local_government=world.local_government)


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


@pytest.fixture
def broken_rule_return(world):
    spec = factories.assessment_spec("BROKEN-2567")
    # Valid in the workbook (the names are allowed), but it divides by zero for every real answer.
    broken = "delivered / (base - base) > 0"
    spec["validations"] = [{"indicator": factories.RATIO, "severity": "hard", "expression": broken, "message": "!"}]
    framework = publish_framework(create_from_spec(spec))
    factories.open_test_round(framework)
    return Assessment.objects.unscoped().get(framework=framework, local_government=world.local_government)


def test_a_rule_that_fails_to_run_neither_blocks_nor_passes_silently(broken_rule_return, users):
    ratio = factories.indicator(broken_rule_return.framework, factories.RATIO)
    result = services.save_answer(broken_rule_return, ratio, users.staff, {"base": "10", "delivered": "8"}, 0)
    assert result.answer.base == 10  # not blocked by a framework's mistake
    problem = ExpressionProblem.objects.get()  # recorded for the national office, from the save (a write path)
    assert (problem.indicator, problem.local_government_id, problem.occurrences) == (
        ratio,
        broken_rule_return.local_government_id,
        1,
    )
    assert "ZeroDivisionError" in problem.error
    (area,) = services.build_entries(broken_rule_return)
    (entry,) = [e for e in area.indicators if e.indicator == ratio]
    assert len(entry.unchecked) == 1  # the officer is told the check could not run


def test_reading_the_entry_page_with_a_broken_rule_only_logs_it(broken_rule_return, users, client_for, caplog):
    ratio = factories.indicator(broken_rule_return.framework, factories.RATIO)
    Answer.objects.create(assessment=broken_rule_return, indicator=ratio, base=10, delivered=8)
    response = client_for(users.staff).get(reverse("assessments:area", args=[broken_rule_return.pk, "1"]))
    assert response.status_code == 200
    assert not ExpressionProblem.objects.exists()  # a GET never writes
    assert any("delivered / (base - base)" in record.getMessage() for record in caplog.records)
