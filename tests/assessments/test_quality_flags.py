"""Data-quality flags with constructed data: a base far from the previous round, a base far from its peers."""

from decimal import Decimal

import pytest
from django.urls import reverse

from localstandards.assessments import quality
from localstandards.assessments.models import Answer, Assessment, QualityFlag, Status
from localstandards.registry.models import LocalGovernmentType
from tests.assessments import factories
from tests.factories import LocalGovernmentFactory


def submitted_with_base(assessment, base, status=Status.AWAITING_DISTRICT):
    ratio = factories.indicator(assessment.framework, factories.RATIO)
    Answer.objects.unscoped().update_or_create(
        assessment=assessment, indicator=ratio, defaults={"base": Decimal(base), "delivered": Decimal(0), "version": 1}
    )
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=status)
    return Assessment.objects.unscoped().select_related("round", "local_government").get(pk=assessment.pk)


def test_a_base_that_moved_more_than_half_since_the_last_round_is_flagged(world, framework):
    old_round = factories.open_test_round(framework, opens_in=-400, closes_in=-360, review_in=-330, name="2566")
    new_round = factories.open_test_round(framework, name="2567")
    lg = world.local_government
    submitted_with_base(Assessment.objects.unscoped().get(round=old_round, local_government=lg), "10", Status.ACCEPTED)
    current = submitted_with_base(Assessment.objects.unscoped().get(round=new_round, local_government=lg), "20")

    (flag,) = quality.refresh_flags(current)
    assert (flag.kind, flag.value, flag.reference, flag.score) == (
        "previous_round",
        Decimal(20),
        Decimal(10),
        Decimal(1),
    )

    current = submitted_with_base(current, "14")  # 40 % change: within the limit
    assert quality.refresh_flags(current) == []


def test_a_base_far_from_its_peers_per_km2_is_flagged_only_with_enough_peers(world, framework):
    peers = [
        LocalGovernmentFactory(district=world.district, dla_code=f"65001{n:02d}", area_km2=Decimal(50))
        for n in range(10, 16)
    ]
    target = LocalGovernmentFactory(district=world.district, dla_code="6500199", area_km2=Decimal(50))
    round_ = factories.open_test_round(framework)
    for n, lg in enumerate(peers[:4]):
        submitted_with_base(Assessment.objects.unscoped().get(round=round_, local_government=lg), str(100 + n))
    suspect = submitted_with_base(Assessment.objects.unscoped().get(round=round_, local_government=target), "5000")
    assert quality.refresh_flags(suspect) == []  # 4 peers (the other SAOs have no base yet): too few to judge

    for n, lg in enumerate(peers[4:]):
        submitted_with_base(Assessment.objects.unscoped().get(round=round_, local_government=lg), str(104 + n))
    (flag,) = quality.refresh_flags(suspect)
    assert flag.kind == "peer_outlier"
    assert flag.value == Decimal(100)  # 5000 per 50 km²
    assert flag.reference == Decimal("2.05")  # median of 100…105 per 50 km²
    assert flag.score > quality.Z_LIMIT

    ordinary = submitted_with_base(Assessment.objects.unscoped().get(round=round_, local_government=peers[0]), "103")
    assert quality.refresh_flags(ordinary) == []
    assert target.type == LocalGovernmentType.SAO


@pytest.fixture
def flagged(world, framework):
    old_round = factories.open_test_round(framework, opens_in=-400, closes_in=-360, review_in=-330, name="2566")
    new_round = factories.open_test_round(framework, name="2567")
    lg = world.local_government
    submitted_with_base(Assessment.objects.unscoped().get(round=old_round, local_government=lg), "10", Status.ACCEPTED)
    current = submitted_with_base(Assessment.objects.unscoped().get(round=new_round, local_government=lg), "30")
    (flag,) = quality.refresh_flags(current)
    return flag


def test_reviewers_mark_a_flag_checked_with_a_comment(flagged, users):
    with pytest.raises(quality.NotAllowed):
        quality.mark_checked(flagged, users.staff, "ตรวจแล้ว")
    with pytest.raises(ValueError):
        quality.mark_checked(flagged, users.district_officer, "  ")
    quality.mark_checked(flagged, users.district_officer, "โทรสอบถามแล้ว รับโอนถนนจากหมู่บ้านจัดสรร")
    flagged.refresh_from_db()
    assert flagged.checked_by == users.district_officer
    # Recomputing keeps the mark while the value is the same, and drops it when the value changes.
    (same,) = quality.refresh_flags(flagged.assessment)
    assert same.checked_by == users.district_officer
    changed = submitted_with_base(flagged.assessment, "40")
    (again,) = quality.refresh_flags(changed)
    assert again.checked_by is None


def test_the_flag_list_is_scoped_and_the_check_form_works(flagged, users, client_for):
    round_id = flagged.assessment.round_id
    url = reverse("progress:flags", args=[round_id, "district", "5001"])
    page = client_for(users.district_officer).get(url)
    assert list(page.context["flags"]) == [flagged]
    assert client_for(users.outsider_province_officer).get(url).status_code == 404
    check = reverse("progress:flag-check", args=[flagged.pk])
    assert client_for(users.outsider_province_officer).post(check, {"comment": "x"}).status_code == 404
    response = client_for(users.district_officer).post(check, {"comment": "ยืนยันกับ อปท. แล้ว", "next": url})
    assert response["Location"] == url
    flagged.refresh_from_db()
    assert flagged.comment == "ยืนยันกับ อปท. แล้ว"


def test_submission_computes_the_flags(world, users, framework, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old_round = factories.open_test_round(framework, opens_in=-400, closes_in=-360, review_in=-330, name="2566")
    submitted_with_base(
        Assessment.objects.unscoped().get(round=old_round, local_government=world.local_government), "2", "accepted"
    )
    new_round = factories.open_test_round(framework, name="2567")
    assessment = Assessment.objects.unscoped().get(round=new_round, local_government=world.local_government)
    factories.fill_return(assessment, users.staff, base=10, delivered=8)
    factories.certify(factories.fresh(assessment), users.head)
    assert QualityFlag.objects.unscoped().filter(assessment=assessment, kind="previous_round").count() == 1
