"""The analysis tables and page: the quintile rule, only final returns, scope, costs, downloads, synthetic banner."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from localstandards.accounts.models import Role
from localstandards.accounts.services import grant_role
from localstandards.assessments.models import Assessment, Status
from localstandards.registry.models import Province
from localstandards.subsidy.models import FiscalImport, FiscalRecord, UnitCost
from localstandards.subsidy.services import (
    analysis_tables,
    cost_table,
    fiscal_import_for,
    quintile_groups,
    quintile_table,
    shortfall_table,
)
from tests.factories import UserFactory
from tests.html import find, find_all, text
from tests.subsidy.example import build_example

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(framework):
    return build_example(framework)


def user_with(role: str, scope=None, name: str | None = None):
    user = UserFactory(username=name or f"{role.lower()}_{getattr(scope, 'code', 'nation')}")
    grant_role(user, role, scope)
    return user


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        (0, []),
        (1, [1]),
        (3, [1, 1, 1]),
        (5, [1] * 5),
        (7, [2, 2, 1, 1, 1]),
        (12, [3, 3, 2, 2, 2]),
        (14, [3, 3, 3, 3, 2]),
    ],
)
def test_quintiles_have_equal_counts_and_the_lowest_take_the_remainder(count, sizes):
    groups = list(quintile_groups(list(range(count))))
    assert [len(group) for _quintile, group in groups] == sizes
    assert [quintile for quintile, _group in groups] == list(range(1, len(sizes) + 1))
    assert [item for _quintile, group in groups for item in group] == list(range(count))


def test_only_final_returns_count(example):
    with translation.override("en"):
        before = quintile_table(example.assessment_round, "revenue").rows
        # 5000104 (compliance 0, short of 10 road routes) is returned for correction: no longer final.
        Assessment.objects.unscoped().filter(local_government=example.local_governments["5000104"]).update(
            status=Status.RETURNED
        )
        after = quintile_table(example.assessment_round, "revenue").rows
        shortfall = shortfall_table(example.assessment_round).rows
    assert sum(row[2] for row in before) == 10
    assert sum(row[2] for row in after) == 9
    # Six อบต. left: 2, 1, 1, 1, 1.
    assert [row[2] for row in after if row[0] == "Subdistrict Administrative Organization"] == [2, 1, 1, 1, 1]
    roads_chiang_mai_sao = [row for row in shortfall if row[0] == "1.1.1" and row[2] == "เชียงใหม่" and row[4] == 2]
    assert roads_chiang_mai_sao == []
    assert [row[4:6] for row in shortfall if row[0] == "1.1.1" and row[2] == "เชียงใหม่"] == [
        [1, Decimal("10.00")],
        [1, Decimal("4.00")],
    ]


def test_a_local_government_without_fiscal_data_is_left_out_of_the_quintiles_only(example):
    FiscalRecord.objects.unscoped().filter(local_government=example.local_governments["5100103"]).delete()
    revenue = quintile_table(example.assessment_round, "revenue").rows
    assert sum(row[2] for row in revenue) == 9
    assert len(shortfall_table(example.assessment_round).rows) == 7


def test_without_fiscal_data_the_page_says_so_and_offers_the_import(example, client_for):
    FiscalImport.objects.all().delete()
    assert fiscal_import_for(example.assessment_round) is None
    admin = user_with(Role.NATIONAL_ADMIN)
    response = english(client_for(admin)).get(reverse("subsidy:analysis", args=[example.assessment_round.pk]))
    assert response.status_code == 200
    notice = find(response.content, id="no-fiscal-data")
    assert "No fiscal data have been imported for FY 2567" in text(notice)
    assert f'href="{reverse("subsidy:import")}?year=2567"' in response.content.decode()
    quintiles = text(find(response.content, id="table-quintile-revenue"))
    assert "Nothing to show." in quintiles
    assert "No fiscal data have been imported for FY 2567." in quintiles
    assert quintile_table(example.assessment_round, "revenue").rows == []
    assert len(shortfall_table(example.assessment_round).rows) == 7


def test_the_type_filter_keeps_one_type(example, client_for):
    with translation.override("en"):
        tables = analysis_tables(example.assessment_round, lg_type="SUBDISTRICT")
    assert {row[0] for row in tables[0].rows} == {"Subdistrict Municipality"}
    assert {row[3] for row in tables[2].rows} == {"Subdistrict Municipality"}
    assert tables[3].rows[-1] == ["Total", "", None, Decimal("2580000.00")]
    admin = user_with(Role.NATIONAL_ADMIN)
    response = english(client_for(admin)).get(
        reverse("subsidy:analysis", args=[example.assessment_round.pk]), {"type": "SUBDISTRICT"}
    )
    assert "3,740,000.00" not in text(find(response.content, id="table-cost"))
    assert "2,580,000.00" in text(find(response.content, id="table-cost"))


def test_the_cost_table_lists_the_indicators_without_a_unit_cost(example):
    with translation.override("en"):
        table = cost_table(example.assessment_round)
    assert table.rows[-1] == ["Total", "", None, Decimal("7220000.00")]
    assert any(note.endswith("so they are not counted: 1.1.3") for note in table.notes)
    UnitCost.objects.filter(indicator_code="1.1.2").delete()
    with translation.override("en"):
        table = cost_table(example.assessment_round)
    # Without 1.1.2: 10 × 250,000 | 14 × 250,000 | 3.6 × 250,000.
    assert [row[3] for row in table.rows] == [
        Decimal("2500000.00"),
        Decimal("3500000.00"),
        Decimal("900000.00"),
        Decimal("6900000.00"),
    ]
    assert any(note.endswith("so they are not counted: 1.1.2, 1.1.3") for note in table.notes)


def test_a_provincial_officer_sees_their_province_only(example, client_for):
    lamphun = Province.objects.get(code="51")
    officer = user_with(Role.PROVINCE_OFFICER, lamphun)
    with translation.override("en"):
        tables = analysis_tables(example.assessment_round, officer)
    assert sum(row[2] for row in tables[0].rows) == 5  # 5100101–5100103, 5100201, 5100202
    assert {row[2] for row in tables[2].rows} == {"ลำพูน"}
    assert [row[:2] for row in tables[3].rows] == [["ลำพูน", "Subdistrict Administrative Organization"], ["Total", ""]]
    response = client_for(officer).get(reverse("subsidy:analysis", args=[example.assessment_round.pk]))
    assert response.status_code == 200
    assert "เชียงใหม่" not in text(find(response.content, id="table-shortfall"))
    # Unscoped (the committee report) and a committee viewer: the whole country.
    assert sum(row[2] for row in quintile_table(example.assessment_round, "revenue").rows) == 10
    viewer = user_with(Role.COMMITTEE_VIEWER)
    assert sum(row[2] for row in quintile_table(example.assessment_round, "subsidy", viewer).rows) == 10
    assert client_for(viewer).get(reverse("subsidy:analysis", args=[example.assessment_round.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICER, Role.LG_STAFF, Role.LG_HEAD])
def test_other_roles_get_a_404(example, client_for, role):
    scopes = {
        Role.DISTRICT_OFFICER: example.local_governments["5000101"].district,
        Role.LG_STAFF: example.local_governments["5000101"],
        Role.LG_HEAD: example.local_governments["5000101"],
    }
    client = client_for(user_with(role, scopes[role], name=f"user_{role.lower()}"))
    round_id = example.assessment_round.pk
    assert client.get(reverse("subsidy:analysis", args=[round_id])).status_code == 404
    assert (
        client.get(reverse("subsidy:analysis", args=[round_id]), {"download": "cost", "format": "csv"}).status_code
        == 404
    )
    assert client.get(reverse("subsidy:start")).status_code == 404
    assert client.get(reverse("subsidy:unit-costs", args=[2567])).status_code == 404


def test_downloads_are_the_tables_as_shown(example, client_for):
    client = english(client_for(user_with(Role.COMMITTEE_VIEWER)))
    url = reverse("subsidy:analysis", args=[example.assessment_round.pk])
    response = client.get(url, {"download": "cost", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="subsidy-cost-2567.csv"'
    lines = response.content.decode("utf-8").splitlines()
    assert lines[0] == "\ufeffProvince,Type,Indicators costed,Baht needed"
    assert lines[1:] == [
        "เชียงใหม่,Subdistrict Municipality,2,2580000.00",
        "เชียงใหม่,Subdistrict Administrative Organization,2,3740000.00",
        "ลำพูน,Subdistrict Administrative Organization,1,900000.00",
        "Total,,,7220000.00",
    ]
    response = client.get(url, {"download": "all", "format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["quintile-revenue", "quintile-subsidy", "shortfall", "cost"]
    shortfall = [row for row in workbook["shortfall"].iter_rows(min_row=3, values_only=True) if row[0] == "1.1.1"]
    assert [(row[2], row[4], row[5]) for row in shortfall] == [
        ("เชียงใหม่", 1, 10),
        ("เชียงใหม่", 2, 14),
        ("ลำพูน", 1, 3.6),
    ]
    assert client.get(url, {"download": "nothing", "format": "csv"}).status_code == 404
    assert client.get(url, {"download": "all", "format": "csv"}).status_code == 404


def test_synthetic_data_carry_a_banner_and_a_note_on_every_table(example, client_for):
    admin = user_with(Role.NATIONAL_ADMIN)
    client = english(client_for(admin))
    url = reverse("subsidy:analysis", args=[example.assessment_round.pk])
    assert find_all(client.get(url).content, id="synthetic-banner") == []
    FiscalImport.objects.update(synthetic=True)
    response = client.get(url)
    assert "Synthetic sample" in text(find(response.content, id="synthetic-banner"))
    with translation.override("en"):
        for table in analysis_tables(example.assessment_round):
            assert "SYNTHETIC SAMPLE" in table.notes[0], table.key
    assert find_all(client.get(reverse("subsidy:import")).content, id="synthetic-banner") != []
    csv = client.get(url, {"download": "shortfall", "format": "csv"})
    assert csv.status_code == 200


def test_the_analysis_runs_a_fixed_number_of_queries(example):
    with CaptureQueriesContext(connection) as queries:
        analysis_tables(example.assessment_round)
    assert len(queries) <= 20


def test_reading_the_page_writes_nothing(example, client_for):
    client = client_for(user_with(Role.NATIONAL_ADMIN))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("subsidy:analysis", args=[example.assessment_round.pk]))
    assert response.status_code == 200
    assert [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ] == []


def test_start_opens_the_latest_round(example, client_for):
    response = client_for(user_with(Role.COMMITTEE_VIEWER)).get(reverse("subsidy:start"))
    assert response.status_code == 302
    assert response["Location"] == reverse("subsidy:analysis", args=[example.assessment_round.pk])


def test_the_province_filter_and_the_shortfall_pages(example, client_for, monkeypatch):
    from localstandards.subsidy import views

    client = english(client_for(user_with(Role.NATIONAL_ADMIN)))
    url = reverse("subsidy:analysis", args=[example.assessment_round.pk])
    response = client.get(url, {"province": "51"})
    assert "เชียงใหม่" not in text(find(response.content, id="table-shortfall"))
    # ลำพูน alone: two เทศบาลตำบล and three อบต., one to a quintile.
    assert [row[:3] for row in response.context["tables"][0]["table"].rows] == [
        ["Subdistrict Municipality", 1, 1],
        ["Subdistrict Municipality", 2, 1],
        ["Subdistrict Administrative Organization", 1, 1],
        ["Subdistrict Administrative Organization", 2, 1],
        ["Subdistrict Administrative Organization", 3, 1],
    ]
    csv = client.get(url, {"province": "51", "download": "shortfall", "format": "csv"})
    assert {line.split(",")[2] for line in csv.content.decode("utf-8").splitlines()[1:]} == {"ลำพูน"}
    # A provincial officer is not offered (nor given) another province.
    officer = client_for(user_with(Role.PROVINCE_OFFICER, Province.objects.get(code="51")))
    assert [p.code for p in officer.get(url).context["form"].fields["province"].queryset] == ["51"]
    assert "เชียงใหม่" not in text(find(officer.get(url, {"province": "50"}).content, id="table-shortfall"))
    # Seven shortfall rows, three to a page.
    monkeypatch.setattr(views, "SHORTFALL_ROWS_PER_PAGE", 3)
    pages = [client.get(url, {"page": number}).context["tables"][2]["cells"] for number in (1, 2, 3)]
    assert [len(cells) for cells in pages] == [3, 3, 1]
    assert [cells[0][0][0] for cells in pages] == ["1.1.1", "1.1.2", "1.1.3"]
