"""manage.py generate_round: a whole round in bulk, as the app would have made it, for the benches and demos."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from localstandards.accounts.models import Role, RoleMembership, User
from localstandards.assessments.models import Assessment, AssessmentRound, Comment, Evidence, Status
from localstandards.assessments.services.entries import submission_blockers
from localstandards.assessments.services.review import answers_checksum
from localstandards.assessments.services.rounds import entry_window
from localstandards.generator import services
from localstandards.registry.models import LocalGovernmentType
from localstandards.scoring.models import AreaScore, IndicatorResultRecord, ReturnScore
from localstandards.scoring.services import compute_results, current_results
from tests.factories import LocalGovernmentFactory

TYPES = [LocalGovernmentType.SAO] * 5 + [LocalGovernmentType.SUBDISTRICT] * 3 + [LocalGovernmentType.TOWN]


@pytest.fixture(scope="module")
def module_sample_framework(module_rows):
    return module_rows.build(services.sample_framework)


@pytest.fixture
def sample_framework(db, module_rows, module_sample_framework):
    """The sample workbook, imported and published once per module (the command imports it when missing)."""
    return module_rows.get(module_sample_framework, services.sample_framework)


@pytest.fixture
def registry(world, sample_framework):
    """Province 50 holds 3 local governments in the shared world; 36 more of several types, in two districts."""
    for number in range(36):
        district = world.district if number % 2 else world.other_district_same_province
        LocalGovernmentFactory(district=district, dla_code=f"75{number:05d}", type=TYPES[number % len(TYPES)])
    return world


def generate(*args: str) -> tuple[AssessmentRound, str]:
    out = StringIO()
    call_command("generate_round", *args, stdout=out, stderr=StringIO())
    text = out.getvalue()
    return AssessmentRound.objects.get(pk=int(text.strip().splitlines()[-1])), text


def snapshot(assessment_round: AssessmentRound) -> list[tuple]:
    """What a round holds, by local government: its status and every answer's values."""
    return [
        (
            a.local_government.dla_code,
            a.status,
            a.certifier_name,
            sorted((x.indicator.code, x.base, x.delivered, x.count, x.answer) for x in a.answers.all()),
            sorted((s.question.code, s.satisfied, s.needs_improvement) for s in a.satisfaction_answers.all()),
        )
        for a in assessment_round.assessments.select_related("local_government").prefetch_related(
            "answers__indicator", "satisfaction_answers__question"
        )
    ]


def test_a_round_for_the_given_provinces_open_today_with_a_previous_round(registry):
    current, text = generate("--seed", "7", "--provinces", "50")

    assert text.strip() == str(current.pk)  # the id alone on stdout, the last line
    today = timezone.localdate()
    assert current.opens_on <= today <= current.closes_on  # the deadline rush happens today
    lgs = {lg.pk for lg in registry.province.local_governments.all()}
    assert set(current.assessments.values_list("local_government_id", flat=True)) == lgs
    previous = AssessmentRound.objects.get(fiscal_year=current.fiscal_year - 1)
    assert previous.closes_on < today
    assert previous.assessments.count() == len(lgs)
    assert not Assessment.objects.unscoped().filter(local_government=registry.outside_local_government).exists()


def test_every_level_has_its_officers_with_contacts(registry):
    generate("--seed", "7", "--provinces", "50")

    for lg in registry.province.local_governments.all():
        for suffix, role in (("staff", Role.LG_STAFF), ("head", Role.LG_HEAD)):
            user = User.objects.get(username=f"lg{lg.dla_code}-{suffix}")
            assert user.memberships.get().role == role
            assert user.memberships.get().local_government == lg
            assert user.email == f"lg{lg.dla_code}-{suffix}@generated.invalid"
            assert user.phone and user.get_full_name()
    for district in (registry.district, registry.other_district_same_province):
        assert User.objects.get(username=f"district{district.code}").memberships.get().district == district
    assert User.objects.get(username="province50").memberships.get().province == registry.province
    assert User.objects.get(username="national-admin").is_national_admin
    assert User.objects.get(username="committee-viewer").memberships.get().role == Role.COMMITTEE_VIEWER
    assert not User.objects.filter(username__startswith="district9").exists()  # other provinces left alone


def test_the_returns_are_a_plausible_mix_and_submitted_ones_are_complete(registry):
    current, _text = generate("--seed", "7", "--provinces", "50")

    statuses = set(current.assessments.values_list("status", flat=True))
    assert {Status.DRAFT, Status.AWAITING_DISTRICT, Status.ACCEPTED} <= statuses
    submitted = current.assessments.exclude(submitted_at=None)
    assert submitted.count() > current.assessments.count() / 2  # most are submitted or accepted
    for assessment in submitted.select_related("local_government", "framework"):
        assert submission_blockers(assessment) == []  # what submit would have required
        assert assessment.receipt_checksum == answers_checksum(assessment)
        assert assessment.certified_by.username == f"lg{assessment.local_government.dla_code}-head"
    blank = current.assessments.filter(status=Status.DRAFT, answers=None)
    assert blank.exists()  # some have not started
    assert Evidence.objects.unscoped().filter(assessment__round=current).values("file").distinct().count() == 1
    for returned in current.assessments.filter(status=Status.RETURNED):
        assert returned.comments.filter(kind=Comment.Kind.RETURN_REASON).exists()
    accepted = current.assessments.filter(status=Status.ACCEPTED).first()
    timeline = [row.status for row in accepted.history.order_by("history_date", "history_id")]
    assert timeline == [Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE, Status.ACCEPTED]


def test_stored_results_equal_what_the_scoring_service_computes(registry):
    current, _text = generate("--seed", "7", "--provinces", "50")

    changed = current.assessments.exclude(status=Status.DRAFT)
    assert ReturnScore.objects.unscoped().filter(assessment__round=current).count() == changed.count()
    assert (
        not ReturnScore.objects.unscoped().filter(assessment__round=current, assessment__status=Status.DRAFT).exists()
    )
    for assessment in changed.select_related("local_government__province", "framework"):
        stored = current_results(assessment)
        assert stored.stored  # up to date: pages read the cache
        computed = compute_results(assessment)
        fields = ["score", "indicator_score", "satisfaction_score", "passed", "compliance", "met", "applicable"]
        assert [getattr(stored.score, f) for f in fields] == [getattr(computed.score, f) for f in fields]
        rows = IndicatorResultRecord.objects.unscoped().filter(assessment=assessment)
        assert sorted((r.indicator_id, r.label, r.value, r.met) for r in rows) == sorted(
            (r.indicator_id, r.label, r.value, r.met) for r in computed.records
        )
        assert AreaScore.objects.unscoped().filter(assessment=assessment).count() == len(computed.areas)


def test_the_same_seed_gives_the_same_round_and_a_rerun_reuses_the_officers(registry):
    first, _text = generate("--seed", "11", "--provinces", "50")
    users, memberships = User.objects.count(), RoleMembership.objects.count()
    second, _text = generate("--seed", "11", "--provinces", "50")

    assert second.pk != first.pk
    assert snapshot(second) == snapshot(first)
    assert (User.objects.count(), RoleMembership.objects.count()) == (users, memberships)
    third, _text = generate("--seed", "12", "--provinces", "50")
    assert snapshot(third) != snapshot(first)


def test_password_is_set_on_the_officers_only_when_given(registry):
    generate("--seed", "7", "--provinces", "50")
    staff = User.objects.get(username=f"lg{registry.local_government.dla_code}-staff")
    assert not staff.has_usable_password()

    generate("--seed", "7", "--provinces", "50", "--password", "bench-secret")
    staff.refresh_from_db()
    assert staff.check_password("bench-secret")
    assert User.objects.get(username="national-admin").check_password("bench-secret")


def test_a_draft_of_the_generated_round_is_open_for_its_staff_today(registry):
    current, _text = generate("--seed", "7", "--provinces", "50")

    draft = current.assessments.filter(status=Status.DRAFT).select_related("round").first()
    assert entry_window(draft).state == "open"


def test_the_generated_round_shows_on_the_national_progress_page(registry, client_for):
    current, _text = generate("--seed", "7", "--provinces", "50")

    response = client_for(User.objects.get(username="national-admin")).get(
        reverse("progress:level", args=[current.pk, "nation", "all"])
    )
    assert response.status_code == 200
    assert current.name in response.content.decode()


def test_refused_on_a_production_database_unless_forced(registry, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setattr(services, "database_name", lambda: "localstandards")

    with pytest.raises(CommandError, match="--force"):
        generate("--seed", "7", "--provinces", "50")
    assert not AssessmentRound.objects.exists()
    current, _text = generate("--seed", "7", "--provinces", "50", "--force")
    assert current.assessments.exists()


@pytest.mark.parametrize(
    ("debug", "name", "production"),
    [
        (False, "localstandards", True),
        (True, "localstandards", False),
        (False, "ls_bench_20261130", False),
        (False, "test_localstandards", False),
        (False, "demo.sqlite3", False),
    ],
)
def test_what_counts_as_production(debug, name, production):
    assert services.is_production_database(debug=debug, name=name) is production


def test_unknown_province_codes_are_refused(registry):
    with pytest.raises(CommandError, match="99"):
        generate("--seed", "7", "--provinces", "50,99")
