"""Data-quality flags at national scale: the whole-round job and the submission read the peers from a snapshot
(PeerStatistics) and must give exactly the flags the rules give over the whole list of peers."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from localstandards.assessments import quality
from localstandards.assessments.models import Answer, Assessment, PeerStatistics, QualityFlag, Status
from localstandards.frameworks.services import create_from_spec, publish_framework
from localstandards.registry.models import LocalGovernmentType
from tests.assessments import factories
from tests.factories import LocalGovernmentFactory

densities = st.lists(
    st.decimals(min_value=0, max_value=Decimal("99999"), places=3, allow_nan=False, allow_infinity=False)
    | st.sampled_from([Decimal(1), Decimal(2), Decimal("2.000")]),  # ties, and equal values written differently
    max_size=40,
)


@given(densities, st.data())
def test_the_summary_gives_the_median_and_mad_of_the_list_with_any_member_left_out(values, data):
    summary = quality.PeerSummary.from_json(quality.PeerSummary.of(values).to_json())  # as stored and read back
    left_out = data.draw(st.one_of(st.none(), st.sampled_from(values))) if values else None
    others = list(values)
    if left_out is not None:
        others.remove(left_out)
    expected = None
    if len(others) >= quality.MIN_PEERS:
        middle = quality.median(others)
        expected = (middle, quality.median([abs(x - middle) for x in others]))
    assert summary.peers(left_out) == expected


# ---------------------------------------------------------------- a round of many types and statuses


def two_ratio_framework():
    spec = factories.assessment_spec("Q-2567")
    second = dict(spec["indicators"][0], code="1.1.4", evidence_required=False)
    spec["indicators"].append(second)
    return publish_framework(create_from_spec(spec))


STATUSES = [Status.DRAFT, Status.RETURNED, Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE, Status.ACCEPTED]


@pytest.fixture
def busy_round(world):
    """Three types, every status, blanks, missing areas, outliers and a previous round for most."""
    rng = random.Random(5)
    kinds = [LocalGovernmentType.SAO] * 14 + [LocalGovernmentType.SUBDISTRICT] * 8 + [LocalGovernmentType.TOWN] * 3
    for n, lg_type in enumerate(kinds):
        area = None if n % 11 == 3 else Decimal(rng.randint(5, 400))
        LocalGovernmentFactory(district=world.district, dla_code=f"77{n:05d}", type=lg_type, area_km2=area)
    framework = two_ratio_framework()
    old = factories.open_test_round(framework, opens_in=-400, closes_in=-360, review_in=-330, name="2566")
    current = factories.open_test_round(framework, name="2567")
    ratios = [factories.indicator(framework, code) for code in (factories.RATIO, "1.1.4")]
    rows = []
    for n, assessment in enumerate(Assessment.objects.unscoped().filter(round__in=[old, current]).order_by("pk")):
        is_old = assessment.round_id == old.pk
        status = Status.ACCEPTED if is_old else STATUSES[n % len(STATUSES)]
        Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=status)
        for indicator in ratios:
            if rng.random() < 0.15:
                continue  # left blank
            base = Decimal(rng.randint(0, 5000)) / 7 if rng.random() > 0.1 else Decimal(rng.randint(50000, 90000))
            rows.append(
                Answer(assessment=assessment, indicator=indicator, base=round(base, 3), delivered=Decimal(0), version=1)
            )
    Answer.objects.bulk_create(rows)
    return current


def flag_rows(assessment_round):
    return sorted(
        QualityFlag.objects.unscoped()
        .filter(assessment__round=assessment_round)
        .values_list("assessment_id", "indicator_id", "kind", "value", "reference", "score")
    )


def reference_flags(assessment: Assessment) -> dict:
    """The rules over the whole list of peers, as quality.expected_flags computed them before the snapshot."""
    lg = assessment.local_government
    answers = {
        a.indicator_id: a
        for a in Answer.objects.unscoped()
        .filter(assessment=assessment, indicator__kind="ratio", base__isnull=False)
        .select_related("indicator")
        .order_by("pk")
    }
    flags = {}
    previous = (
        Assessment.objects.unscoped()
        .filter(local_government=lg, round__opens_on__lt=assessment.round.opens_on)
        .filter(status__in=quality.SUBMITTED_STATES)
        .order_by("-round__opens_on", "-pk")
        .first()
    )
    codes = {a.indicator.code: a for a in answers.values()}
    if previous is not None:
        for old in Answer.objects.unscoped().filter(assessment=previous, indicator__code__in=list(codes), base__gt=0):
            new = codes[old.indicator.code]
            change = abs(new.base - old.base) / old.base
            if change > quality.CHANGE_LIMIT:
                flags[(new.indicator_id, "previous_round")] = quality._rounded((new.base, old.base, change))
    for pk, answer in answers.items():
        own = quality._density(answer.base, lg.area_km2)
        if own is None:
            continue
        peers = [
            quality._density(base, area)
            for base, area in Answer.objects.unscoped()
            .filter(
                assessment__round=assessment.round,
                assessment__local_government__type=lg.type,
                assessment__status__in=quality.SUBMITTED_STATES,
                indicator_id=pk,
                base__isnull=False,
            )
            .exclude(assessment=assessment)
            .values_list("base", "assessment__local_government__area_km2")
        ]
        peers = [p for p in peers if p is not None]
        z = quality.robust_z(own, peers)
        if z is not None and abs(z) > quality.Z_LIMIT:
            flags[(pk, "peer_outlier")] = quality._rounded((own, quality.median(peers), z))
    return flags


def test_the_round_job_gives_the_flags_of_the_rules_and_of_each_return_alone(busy_round, monkeypatch):
    submitted = list(
        Assessment.objects.unscoped()
        .filter(round=busy_round, status__in=quality.SUBMITTED_STATES)
        .select_related("round", "local_government")
    )
    expected = sorted((a.pk, pk, kind, *values) for a in submitted for (pk, kind), values in reference_flags(a).items())
    assert {kind for *_ids, kind, _v, _r, _s in expected} == {"previous_round", "peer_outlier"}  # both rules at work

    count = quality.refresh_round(busy_round)
    assert flag_rows(busy_round) == expected
    assert count == len(expected)
    assert PeerStatistics.objects.filter(round=busy_round).count() == 2 * 3  # two ratio indicators, three types

    # One return at a time, from the data (small types) and from the snapshot: the same flags, nothing moves.
    for limit in (quality.INLINE_LIMIT, 0):
        monkeypatch.setattr(quality, "INLINE_LIMIT", limit)
        for assessment in submitted:
            quality.refresh_flags(assessment)
        assert flag_rows(busy_round) == expected
    assert quality.refresh_round(busy_round) == count  # idempotent


def test_the_round_job_keeps_check_marks_and_drops_flags_that_no_longer_hold(busy_round, users):
    quality.refresh_round(busy_round)
    flag = QualityFlag.objects.unscoped().filter(assessment__round=busy_round, kind="previous_round").first()
    QualityFlag.objects.unscoped().filter(pk=flag.pk).update(checked_by=users.district_officer, comment="ตรวจแล้ว")
    stray = QualityFlag.objects.unscoped().filter(assessment__round=busy_round).exclude(pk=flag.pk).first()
    Answer.objects.unscoped().filter(assessment=stray.assessment, indicator=stray.indicator).update(base=None)
    quality.refresh_round(busy_round)
    flag.refresh_from_db()
    assert (flag.checked_by, flag.comment) == (users.district_officer, "ตรวจแล้ว")
    assert not QualityFlag.objects.unscoped().filter(pk=stray.pk).exists()

    Answer.objects.unscoped().filter(assessment=flag.assessment, indicator=flag.indicator).update(base=Decimal("99999"))
    quality.refresh_round(busy_round)
    flag.refresh_from_db()
    assert (flag.value, flag.checked_by, flag.comment) == (Decimal("99999"), None, "")


def test_a_stale_snapshot_is_rebuilt_in_the_background(busy_round, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(quality, "INLINE_LIMIT", 0)
    quality.refresh_round(busy_round)
    draft = (
        Assessment.objects.unscoped()
        .filter(
            round=busy_round,
            local_government__type="SAO",
            status=Status.DRAFT,
            answers__base__isnull=False,
            local_government__area_km2__isnull=False,
        )
        .first()
    )
    answered = draft.answers.filter(base__isnull=False).first().indicator_id
    before = PeerStatistics.objects.get(round=busy_round, lg_type="SAO", indicator_id=answered)
    Assessment.objects.unscoped().filter(pk=draft.pk).update(status=Status.AWAITING_DISTRICT)
    old = before.computed_at - quality.MAX_AGE - dt.timedelta(seconds=1)
    PeerStatistics.objects.filter(round=busy_round).update(computed_at=old)
    with django_capture_on_commit_callbacks(execute=True):  # the immediate task backend of the tests runs it
        quality.refresh_flags(factories.fresh(draft))
    after = PeerStatistics.objects.get(pk=before.pk)
    assert after.returns == before.returns + 1
    assert after.computed_at > old and after.refresh_requested_at is None
    assert f"a{draft.pk}" in after.members


# ---------------------------------------------------------------- the submission's queries


# The submission itself and, run at once in tests, the rescore task after its commit (about 15 of them).
MAX_SUBMIT_QUERIES = 55


def _submit_counting(world, users, framework, counting, *, others: int, opens_in: int) -> int:
    """Submit the world's return in a new round where `others` returns of its type are already submitted."""
    assessment_round = factories.open_test_round(framework, opens_in=opens_in, name=f"รอบ {opens_in}")
    peers = (
        Assessment.objects.unscoped()
        .filter(round=assessment_round, local_government__type=LocalGovernmentType.SUBDISTRICT)
        .exclude(local_government=world.local_government)[:others]
    )
    ratio = factories.indicator(framework, factories.RATIO)
    Answer.objects.bulk_create(
        [
            Answer(assessment=p, indicator=ratio, base=Decimal(100 + n), delivered=Decimal(0))
            for n, p in enumerate(peers)
        ]
    )
    Assessment.objects.unscoped().filter(pk__in=[p.pk for p in peers]).update(status=Status.AWAITING_DISTRICT)
    quality.refresh_round(assessment_round)
    mine = Assessment.objects.unscoped().get(round=assessment_round, local_government=world.local_government)
    factories.fill_return(mine, users.staff, base=5000, delivered=8)
    head = type(users.head).objects.get(pk=users.head.pk)  # its memberships not cached yet, as in a request
    with counting(MAX_SUBMIT_QUERIES) as queries:
        factories.certify(factories.fresh(mine), head)
    assert factories.fresh(mine).status == Status.AWAITING_DISTRICT
    return len(queries)


@pytest.mark.parametrize("inline_limit", [quality.INLINE_LIMIT, 0], ids=["from-the-data", "from-the-snapshot"])
def test_submitting_takes_as_many_queries_with_3_or_30_peers(
    world, users, framework, settings, tmp_path, monkeypatch, inline_limit, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(quality, "INLINE_LIMIT", inline_limit)
    for n in range(30):
        LocalGovernmentFactory(district=world.district, dla_code=f"78{n:05d}", type="SUBDISTRICT", area_km2=50)
    old = factories.open_test_round(framework, opens_in=-400, closes_in=-360, review_in=-330, name="2566")
    Assessment.objects.unscoped().filter(round=old).update(status=Status.ACCEPTED)  # a previous return for everyone

    few = _submit_counting(world, users, framework, django_assert_max_num_queries, others=3, opens_in=-20)
    many = _submit_counting(world, users, framework, django_assert_max_num_queries, others=30, opens_in=-10)
    assert many == few  # nothing in the submission reads every peer


def test_many_submissions_ask_for_one_rebuild(busy_round, monkeypatch):
    from localstandards.assessments import tasks

    quality.refresh_round(busy_round)
    asked = []
    monkeypatch.setattr(tasks, "refresh_peer_statistics", SimpleNamespace(enqueue=lambda *args: asked.append(args)))
    now = timezone.now()
    for _ in range(3):
        quality._request_refresh(busy_round.pk, "SAO", now)
    assert asked == [(busy_round.pk, "SAO")]
    quality._request_refresh(busy_round.pk, "SAO", now + quality.MAX_AGE + dt.timedelta(seconds=1))  # no rebuild since
    assert len(asked) == 2
