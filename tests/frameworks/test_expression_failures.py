"""An expression that fails at run time is never silent: applicability, validation rules, recording, the admin page."""

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from localstandards.frameworks import expressions
from localstandards.frameworks.evaluation import (
    EvaluationFailure,
    RuleCheck,
    check_rules,
    describe_error,
    indicator_applies,
    problem_count,
    problem_summaries,
    record_failures,
)
from localstandards.frameworks.models import ExpressionProblem, Indicator
from localstandards.frameworks.services import create_from_spec, load_tree, preview
from tests.frameworks.factories import small_spec

LOGGER = "localstandards.frameworks.evaluation"
BROKEN_APPLICABILITY = "province_code > 5"  # text > number: passes the workbook check, raises for a real อปท.
UNCHECKED = "A check of this indicator could not be run; the national office has been told."


def framework_with(*, applicability: str = "", rules: list[tuple[str, str]] = ()):
    """The small framework with an applicability condition on 1.1.1 (the ratio) and these rules on it."""
    spec = small_spec()
    spec["indicators"][0]["applicability"] = applicability
    spec["validations"] = [
        {"indicator": "1.1.1", "severity": severity, "expression": expression, "message": f"ผิด {expression}"}
        for severity, expression in rules
    ]
    return create_from_spec(spec)


def ratio_of(framework) -> Indicator:
    return Indicator.objects.get(framework=framework, code="1.1.1")


def test_names_used_leaves_out_called_functions():
    assert expressions.names_used("min(delivered, base) <= round(target)") == {"delivered", "base", "target"}
    assert expressions.names_used("answer") == {"answer"}
    assert expressions.names_used("True") == frozenset()
    assert expressions.names_used("base <= (") == frozenset()


def test_describe_error_is_short_class_and_message():
    assert describe_error(ZeroDivisionError("division by zero")) == "ZeroDivisionError: division by zero"
    assert describe_error(KeyError()) == "KeyError"
    assert len(describe_error(ValueError("x" * 2000))) == 500


@pytest.mark.django_db
class TestApplicability:
    def test_a_failing_condition_for_a_real_local_government_applies_and_is_reported(self, world, caplog):
        indicator = ratio_of(framework_with(applicability=BROKEN_APPLICABILITY))
        lg = world.local_government
        failures: list[EvaluationFailure] = []
        with caplog.at_level(logging.ERROR, logger=LOGGER):
            assert indicator_applies(indicator, lg.type, lg, failures) == (True, False)
        (failure,) = failures
        assert failure == EvaluationFailure(
            framework_id=indicator.framework_id,
            indicator_id=indicator.pk,
            kind=expressions.APPLICABILITY,
            expression=BROKEN_APPLICABILITY,
            local_government_id=lg.pk,
            error=failure.error,
        )
        assert failure.error.startswith("TypeError: ")
        (record,) = [r for r in caplog.records if r.name == LOGGER]
        assert record.levelno == logging.ERROR
        message = record.getMessage()
        assert all(part in message for part in ("T-2567 v1", "1.1.1", f"id={lg.pk}", "5500101", BROKEN_APPLICABILITY))
        assert not ExpressionProblem.objects.exists()  # evaluating never writes

    def test_without_a_list_it_still_applies_and_logs(self, world, caplog):
        indicator = ratio_of(framework_with(applicability=BROKEN_APPLICABILITY))
        with caplog.at_level(logging.ERROR, logger=LOGGER):
            assert indicator_applies(indicator, "SUBDISTRICT", world.local_government) == (True, False)
        assert [r.levelno for r in caplog.records if r.name == LOGGER] == [logging.ERROR]

    def test_the_tree_from_load_tree_names_the_framework_without_a_query(self, world, caplog):
        framework = load_tree(framework_with(applicability=BROKEN_APPLICABILITY))
        indicator = framework.areas.all()[0].missions.all()[0].indicators.all()[0]
        with CaptureQueriesContext(connection) as queries, caplog.at_level(logging.ERROR, logger=LOGGER):
            indicator_applies(indicator, "SUBDISTRICT", world.local_government, [])
        assert "T-2567 v1" in caplog.records[-1].getMessage()
        assert not [q for q in queries if "frameworks_framework" in q["sql"]]

    def test_preview_by_type_and_successful_conditions_are_unchanged(self, world, caplog):
        framework = framework_with(applicability=BROKEN_APPLICABILITY)
        failures: list[EvaluationFailure] = []
        with caplog.at_level(logging.ERROR, logger=LOGGER):
            # No local government: the condition needs its data, so it is shown, marked conditional.
            assert indicator_applies(ratio_of(framework), "SAO", None, failures) == (True, True)
            shown = preview(framework, "SAO")[0].missions[0].indicators[0]
            assert (shown.indicator.code, shown.conditional) == ("1.1.1", True)
            decided = ratio_of(framework_with(applicability='province_code == "90"'))
            assert indicator_applies(decided, "SUBDISTRICT", world.local_government, failures) == (False, False)
            assert indicator_applies(decided, "SUBDISTRICT", world.outside_local_government, failures) == (
                True,
                False,
            )
            assert indicator_applies(decided, "PAO", None, failures) == (True, True)
            by_type = Indicator.objects.get(framework=decided.framework, code="2.1.1")  # lg_type != "BMA"
            assert indicator_applies(by_type, "SAO", None, failures) == (True, False)
            assert indicator_applies(by_type, "PAO", world.local_government, failures) == (False, False)
        assert failures == []
        assert not [r for r in caplog.records if r.name == LOGGER]


@pytest.mark.django_db
class TestRules:
    def test_partial_input_is_not_evaluated_yet_and_is_not_a_failure(self, world, caplog):
        indicator = ratio_of(framework_with(rules=[("hard", "delivered <= base"), ("soft", "base / delivered > 0")]))
        failures: list[EvaluationFailure] = []
        with caplog.at_level(logging.ERROR, logger=LOGGER):
            result = check_rules(
                indicator, {"base": 10, "delivered": None}, "SAO", 80, local_government_id=1, failures=failures
            )
        assert result == RuleCheck(hard=None, warnings=[], unchecked=[])
        assert failures == [] and not [r for r in caplog.records if r.name == LOGGER]

    def test_a_broken_rule_with_full_input_is_unchecked_not_passed_and_not_hard(self, world, caplog):
        rules = [("hard", "base / (delivered - delivered) < 5"), ("soft", "base <= 5"), ("hard", "delivered >= 1")]
        indicator = ratio_of(framework_with(rules=rules))
        lg = world.local_government
        failures: list[EvaluationFailure] = []
        with translation.override("en"), caplog.at_level(logging.ERROR, logger=LOGGER):
            result = check_rules(
                indicator,
                {"base": "10", "delivered": 2, "note": ""},
                lg.type,
                None,
                local_government_id=lg.pk,
                failures=failures,
            )
        assert result.hard is None  # the broken hard rule does not block the officer
        assert result.warnings == ["ผิด base <= 5"]  # the other rules still run
        assert result.unchecked == [UNCHECKED]
        (failure,) = failures
        assert (failure.kind, failure.expression, failure.local_government_id, failure.indicator_id) == (
            expressions.VALIDATION,
            "base / (delivered - delivered) < 5",
            lg.pk,
            indicator.pk,
        )
        assert failure.error == "ZeroDivisionError: float division by zero"
        message = caplog.records[-1].getMessage()
        assert all(part in message for part in ("T-2567 v1", "1.1.1", f"id={lg.pk}"))

    def test_the_unchecked_message_is_thai_in_the_thai_ui(self, world):
        indicator = ratio_of(framework_with(rules=[("soft", "base > lg_type")]))
        with translation.override("th"):
            result = check_rules(indicator, {"base": 1, "delivered": 1}, "SAO", 80)
        (message,) = result.unchecked
        assert message != UNCHECKED and "สำนักงาน" in message

    def test_rules_that_run_keep_their_meaning(self, world):
        indicator = ratio_of(framework_with(rules=[("hard", "delivered <= base"), ("soft", "base <= 2000")]))
        assert check_rules(indicator, {"base": 3000, "delivered": 5000}, "SAO", 80) == RuleCheck(
            hard="ผิด delivered <= base", warnings=["ผิด base <= 2000"], unchecked=[]
        )
        assert check_rules(indicator, {"base": 10, "delivered": 5}, "SAO", 80) == RuleCheck()

    def test_an_unknown_name_is_a_failure_not_partial_input(self, world):
        indicator = ratio_of(framework_with(rules=[("soft", "population > 5")]))  # e.g. saved through the admin
        failures: list[EvaluationFailure] = []
        result = check_rules(indicator, {"base": 1, "delivered": 1}, "SAO", 80, failures=failures)
        assert len(result.unchecked) == 1 and result.hard is None and result.warnings == []
        assert failures[0].local_government_id is None and failures[0].error.startswith("ExpressionError")


def failure_for(
    framework, indicator=None, lg=None, *, kind=expressions.VALIDATION, expression="base / 0 > 1", error="E"
):
    return EvaluationFailure(
        framework_id=framework.pk,
        indicator_id=indicator.pk if indicator else None,
        kind=kind,
        expression=expression,
        local_government_id=lg.pk if lg else None,
        error=error,
    )


@pytest.mark.django_db
class TestRecording:
    def test_recording_twice_keeps_one_row_with_two_occurrences(self, world, django_assert_max_num_queries):
        framework = framework_with()
        failure = failure_for(framework, ratio_of(framework), world.local_government, error="first")
        record_failures([failure])
        first = ExpressionProblem.objects.get()
        later = failure_for(framework, ratio_of(framework), world.local_government, error="second")
        with django_assert_max_num_queries(4):  # savepoint, INSERT … ignoring conflicts, UPDATE, release
            record_failures([later])
        problem = ExpressionProblem.objects.get()
        assert problem.pk == first.pk and problem.occurrences == 2 and problem.error == "second"
        assert problem.first_seen == first.first_seen and problem.last_seen >= first.last_seen

    def test_missing_indicator_and_local_government_do_not_make_duplicates(self, world):
        framework = framework_with()
        scoring = failure_for(framework, kind=expressions.SCORING, expression="indicator_score / 0")
        record_failures([scoring, scoring])
        record_failures([scoring])
        problem = ExpressionProblem.objects.get()
        assert (problem.indicator, problem.local_government, problem.occurrences) == (None, None, 3)

    def test_many_failures_at_once(self, world):
        framework = framework_with()
        indicator = ratio_of(framework)
        places = [world.local_government, world.neighbour_same_district, world.outside_local_government]
        failures = [
            failure_for(framework, indicator, lg, expression=f"base > {n}") for n in range(150) for lg in places
        ]
        record_failures(failures + failures[:10])
        assert ExpressionProblem.objects.count() == 450
        assert sorted(set(ExpressionProblem.objects.values_list("occurrences", flat=True))) == [1, 2]
        record_failures([])
        assert sum(ExpressionProblem.objects.values_list("occurrences", flat=True)) == 460

    def test_summaries_group_by_expression_newest_first(self, world):
        framework = framework_with()
        indicator = ratio_of(framework)
        old = failure_for(framework, indicator, world.local_government, expression="base / 0 > 1", error="old")
        record_failures([old, failure_for(framework, indicator, world.outside_local_government, error="new")])
        record_failures([failure_for(framework, kind=expressions.SCORING, expression="indicator_score / 0")])
        ExpressionProblem.objects.filter(kind=expressions.SCORING).update(
            last_seen=timezone.now() - dt.timedelta(days=3)
        )
        rule, scoring = problem_summaries(framework)
        assert (rule.indicator_code, rule.kind, rule.occurrences, rule.local_governments) == (
            "1.1.1",
            "validation",
            2,
            2,
        )
        assert rule.example in {world.local_government.full_name_th, world.outside_local_government.full_name_th}
        assert rule.other_local_governments == 1
        assert (scoring.indicator_code, scoring.kind, scoring.example, scoring.local_governments) == (
            None,
            "scoring",
            "",
            0,
        )
        assert problem_count(framework) == 2
        assert problem_count(framework_with_code("OTHER")) == 0


def framework_with_code(code: str):
    return create_from_spec(small_spec(code))


@pytest.fixture
def recorded(world):
    framework = framework_with(applicability=BROKEN_APPLICABILITY)
    failures: list[EvaluationFailure] = []
    indicator_applies(ratio_of(framework), world.local_government.type, world.local_government, failures)
    record_failures(failures)
    return framework


@pytest.mark.django_db
class TestProblemsPage:
    def test_national_admin_sees_the_problems(self, recorded, client_for, users, world):
        response = client_for(users.national_admin).get(reverse("frameworks:problems", args=[recorded.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "ปัญหาของนิพจน์" in html  # Thai first
        assert BROKEN_APPLICABILITY.replace(">", "&gt;") in html and "1.1.1" in html and "TypeError" in html
        assert world.local_government.full_name_th in html
        assert "เงื่อนไขการใช้" in html  # the kind, in Thai
        assert str(timezone.localdate().year + 543) in html  # Buddhist-era dates

    def test_the_version_page_links_to_it_with_a_count(self, recorded, client_for, users):
        url = reverse("frameworks:problems", args=[recorded.pk])
        admin_page = client_for(users.national_admin).get(reverse("frameworks:detail", args=[recorded.pk]))
        html = admin_page.content.decode()
        assert url in html and 'class="badge text-bg-danger">1<' in html
        other = framework_with_code("CLEAN")
        clean = client_for(users.national_admin).get(reverse("frameworks:detail", args=[other.pk])).content.decode()
        assert reverse("frameworks:problems", args=[other.pk]) in clean and "text-bg-danger" not in clean

    def test_an_empty_list_says_so(self, world, client_for, users):
        framework = framework_with_code("CLEAN")
        response = client_for(users.national_admin).get(reverse("frameworks:problems", args=[framework.pk]))
        assert response.status_code == 200 and "ไม่มีนิพจน์" in response.content.decode()

    @pytest.mark.parametrize("role", ["staff", "province_officer", "committee_viewer", "no_role"])
    def test_others_get_the_same_404_as_the_other_admin_pages(self, recorded, client_for, users, role):
        client = client_for(users.by_name(role))
        assert client.get(reverse("frameworks:problems", args=[recorded.pk])).status_code == 404
        assert client.post(reverse("frameworks:problems", args=[recorded.pk])).status_code == 404
        assert client.get(reverse("frameworks:export", args=[recorded.pk])).status_code == 404  # the same refusal

    def test_anonymous_is_sent_to_login(self, recorded, client):
        response = client.get(reverse("frameworks:problems", args=[recorded.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_page_never_writes(self, recorded, client_for, users):
        client = client_for(users.national_admin)
        before = list(ExpressionProblem.objects.values_list("pk", "occurrences", "last_seen"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("frameworks:problems", args=[recorded.pk])).status_code == 200
            assert client.get(reverse("frameworks:detail", args=[recorded.pk])).status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
        assert writes == []
        assert list(ExpressionProblem.objects.values_list("pk", "occurrences", "last_seen")) == before
