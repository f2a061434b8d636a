"""Progress at every level equals a direct count of returns by status; laggards; exports; the public page."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from localstandards.assessments import services
from localstandards.assessments.models import Assessment, Status
from localstandards.progress import services as progress
from tests.assessments import factories
from tests.factories import LocalGovernmentFactory


@pytest.fixture
def round_(world):
    return factories.open_test_round(factories.make_published_framework())


@pytest.fixture
def one_submitted(round_, world, users):
    assessment = Assessment.objects.unscoped().get(round=round_, local_government=world.local_government)
    factories.fill_return(assessment, users.staff)
    factories.certify(factories.fresh(assessment), users.head)
    return factories.fresh(assessment)


def direct_counts(queryset) -> dict:
    return {
        "expected": queryset.count(),
        "submitted": queryset.exclude(first_submitted_at=None).count(),
        "not_started": queryset.filter(status=Status.DRAFT, last_activity_at=None).count(),
        "awaiting_review": queryset.filter(status__in=[Status.AWAITING_DISTRICT, Status.AWAITING_PROVINCE]).count(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("level", "code", "filters"),
    [
        ("nation", None, {}),
        ("region", "NORTH", {"local_government__province__region": "NORTH"}),
        ("province", "50", {"local_government__province__code": "50"}),
        ("district", "5001", {"local_government__district__code": "5001"}),
    ],
)
def test_counts_at_each_level_equal_a_direct_count(one_submitted, round_, users, level, code, filters):
    result = progress.compute(users.national_admin, round_, level, code)
    expected = direct_counts(Assessment.objects.unscoped().filter(round=round_, **filters))
    assert result.total.expected == expected["expected"]
    assert result.total.submitted == expected["submitted"]
    assert result.total.states["not_started"] == expected["not_started"]
    assert result.total.states["awaiting_review"] == expected["awaiting_review"]
    assert sum(row.expected for row in result.rows) == result.total.expected


@pytest.mark.django_db
def test_rates_and_the_daily_curve(one_submitted, round_, users):
    result = progress.compute(users.province_officer, round_, "province", "50")
    assert result.total.expected == 3
    assert (result.total.submitted, result.total.on_time) == (1, 1)
    assert str(result.total.reporting_rate) == "33.3"
    today = timezone.localdate()
    assert (today, 1, 1) in result.daily
    assert result.daily[-1][2] == 1


@pytest.mark.django_db
def test_a_late_submission_is_not_on_time_unless_an_extension_covers_it(world, users):
    framework = factories.make_published_framework()
    round_ = factories.open_test_round(framework, opens_in=-20, closes_in=-5, review_in=20)
    assessment = Assessment.objects.unscoped().get(round=round_, local_government=world.local_government)
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(first_submitted_at=timezone.now())
    assert progress.compute(users.national_admin, round_, "district", "5001").total.on_time == 0
    services.grant_extension(assessment, users.national_admin, timezone.localdate() + dt.timedelta(days=1), "น้ำท่วม")
    assert progress.compute(users.national_admin, round_, "district", "5001").total.on_time == 1


@pytest.mark.django_db
def test_each_officer_sees_only_their_scope(one_submitted, round_, users, client_for):
    assert progress.compute(users.district_officer, round_, "nation").total.expected == 2
    response = client_for(users.district_officer).get(reverse("progress:start"))
    assert response["Location"] == reverse("progress:level", args=[round_.pk, "district", "5001"])
    client = client_for(users.district_officer)
    assert client.get(reverse("progress:level", args=[round_.pk, "province", "50"])).status_code == 404
    assert client.get(reverse("progress:level", args=[round_.pk, "district", "5002"])).status_code == 404
    assert client.get(reverse("progress:level", args=[round_.pk, "nation", "all"])).status_code == 404
    outsider = client_for(users.outsider_province_officer)
    assert outsider.get(reverse("progress:level", args=[round_.pk, "province", "50"])).status_code == 404
    assert outsider.get(reverse("progress:laggards", args=[round_.pk, "province", "50"])).status_code == 404
    assert client_for(users.staff).get(reverse("progress:start")).status_code == 404
    page = client_for(users.province_officer).get(reverse("progress:level", args=[round_.pk, "province", "50"]))
    assert {row.key for row in page.context["progress"].rows} == {"5001", "5002"}


@pytest.mark.django_db
def test_the_not_submitted_list_with_contacts_filters_and_exports(one_submitted, round_, world, users, client_for):
    users.head.phone = "053-000-111"
    users.head.save()
    client = client_for(users.province_officer)
    url = reverse("progress:laggards", args=[round_.pk, "province", "50"])
    items = client.get(url).context["items"]
    assert {i.assessment.local_government.name_th for i in items} == {"สันผีเสื้อ", "ดอยแก้ว"}
    assert all(i.state == "not_started" and i.progress_percent == 0 for i in items)
    assert client.get(url, {"state": "in_progress"}).context["items"] == []

    # Sent back for correction: listed again, with its people to call.
    services.return_for_correction(
        one_submitted, users.district_officer, "district", reasons={}, reopen_all=True, general_reason="แก้ไข"
    )
    returned = [i for i in client.get(url).context["items"] if i.state == "returned"]
    assert [i.assessment.local_government for i in returned] == [world.local_government]
    assert returned[0].progress_percent == 100
    assert {c.user_id for c in returned[0].contacts} == {users.staff.pk, users.head.pk}
    assert '<a href="tel:053-000-111">053-000-111</a>' in client.get(url).content.decode()

    download = client.get(url, {"format": "xlsx"})
    assert download["Content-Disposition"] == 'attachment; filename="not-submitted-2567-50.xlsx"'
    sheet = load_workbook(io.BytesIO(download.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    assert any("053-000-111" in (row[-1] or "") for row in rows[1:])
    download = client.get(url, {"format": "csv"})
    assert download.streaming and download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="not-submitted-2567-50.csv"'
    text = download.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens the Thai text as UTF-8
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 4 and rows[0][1] == "องค์กรปกครองส่วนท้องถิ่น"  # the request's language, Thai


@pytest.mark.django_db
def test_the_public_page_shows_rates_but_no_local_government(one_submitted, round_, client):
    response = client.get(reverse("progress:public", args=[round_.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "เชียงใหม่" in body and "สงขลา" in body
    assert "หนองป่าครั่ง" not in body and "สันผีเสื้อ" not in body
    total = response.context["total"]
    assert (total.expected, total.submitted) == (4, 1)
    assert '<th scope="col" class="num">ส่งแล้ว</th>' in body  # how many submitted, not "submitted on"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "where", "expected"),
    [
        ("province_officer", ("province", "50"), 3),
        ("district_officer", ("district", "5001"), 2),
        ("national_admin", ("nation", "all"), 4),
        ("committee_viewer", ("nation", "all"), 4),
    ],
)
def test_officers_home_pages_open_on_the_progress_of_their_scope(round_, users, client_for, role, where, expected):
    response = client_for(users.by_name(role)).get(reverse("home"))
    assert response.context["home_progress_where"] == where
    assert response.context["home_progress"].total.expected == expected


@pytest.mark.django_db
def test_local_government_staff_have_no_progress_panel(round_, users, client_for):
    assert "home_progress" not in client_for(users.staff).get(reverse("home")).context


@pytest.mark.django_db
def test_demo_progress_makes_about_sixty_percent_of_a_province_submit_once(world, settings, capsys):
    from django.core.management import CommandError, call_command

    extra = [LocalGovernmentFactory(district=world.district, dla_code=f"65009{n:02d}") for n in range(40)]
    framework = factories.make_published_framework()
    factories.open_test_round(framework, name="รอบการประเมินตัวอย่าง ปีงบประมาณ 2567")
    call_command("load_demo_progress")
    returns = Assessment.objects.unscoped().filter(local_government__province__code="50")
    submitted = returns.exclude(first_submitted_at=None).count()
    assert 0.4 * len(extra) <= submitted <= 0.8 * (len(extra) + 3)
    call_command("load_demo_progress")
    assert returns.exclude(first_submitted_at=None).count() == submitted
    assert "มีข้อมูลสาธิตความคืบหน้าอยู่แล้ว" in capsys.readouterr().out
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("load_demo_progress")


@pytest.mark.django_db
def test_the_not_submitted_list_is_paginated_with_its_count_and_the_exports_keep_every_row(
    round_, users, client_for, monkeypatch
):
    from localstandards.progress import views

    monkeypatch.setattr(views, "LAGGARDS_PER_PAGE", 1)
    client = client_for(users.province_officer)
    url = reverse("progress:laggards", args=[round_.pk, "province", "50"])
    first = client.get(url, {"state": "not_started"})
    total = first.context["total"]
    assert total > 1 and len(first.context["items"]) == 1
    assert first.context["page"].paginator.num_pages == total
    second = client.get(url, {"state": "not_started", "page": "2"})
    assert second.context["items"][0].assessment != first.context["items"][0].assessment
    assert "state=not_started" in second.content.decode()  # the page links keep the filters
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).getvalue().decode("utf-8-sig"))))
    assert len(rows) == 1 + total


def test_the_units_of_a_level_are_in_thai_dictionary_order(world, users):
    """Leading vowels do not count first: เมืองเชียงใหม่ sorts under ม, before ฮอด (code points put it after ฮ)."""
    from tests.factories import DistrictFactory

    hot = DistrictFactory(code="5024", province=world.province, name_th="ฮอด")
    LocalGovernmentFactory(district=hot, dla_code="6502401", name_th="บ้านตาล")
    assessment_round = factories.open_test_round(factories.make_published_framework())
    rows = progress.compute(users.national_admin, assessment_round, "province", world.province.code).rows
    assert [row.label for row in rows] == ["จอมทอง", "เมืองเชียงใหม่", "ฮอด"]
