"""National administrators set the baht per unit of each indicator of a fiscal year's frameworks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from localstandards.subsidy.models import UnitCost
from tests.html import find
from tests.subsidy.example import body_rows

pytestmark = pytest.mark.django_db


def costs() -> dict[str, Decimal]:
    return dict(UnitCost.objects.filter(fiscal_year=2567).values_list("indicator_code", "baht_per_unit"))


def test_the_form_lists_the_indicators_of_the_year_with_their_units(open_round, users, client_for):
    response = client_for(users.national_admin).get(reverse("subsidy:unit-costs", args=[2567]))
    assert response.status_code == 200
    rows = body_rows(find(response.content, css_class="card"))
    assert [row[:2] for row in rows] == [
        ["1.1.1 ร้อยละของถนนของอปท.ที่ได้รับการบำรุงรักษา", "สายทาง"],
        ["1.1.2 ตัวชี้วัด 1.1.2 ของอปท.", "โครงการ"],
        ["1.1.3 อปท.มีแผนบำรุงรักษาถนน", "อปท. ที่ไม่มี"],
    ]


def test_saving_sets_changes_and_removes_unit_costs(open_round, users, client_for):
    client = client_for(users.national_admin)
    url = reverse("subsidy:unit-costs", args=[2567])
    response = client.post(url, {"cost_1.1.1": "250000", "cost_1.1.2": "80000.5", "cost_1.1.3": ""})
    assert response.status_code == 302
    assert costs() == {"1.1.1": Decimal("250000.00"), "1.1.2": Decimal("80000.50")}
    assert UnitCost.objects.get(indicator_code="1.1.1").set_by == users.national_admin
    client.post(url, {"cost_1.1.1": "", "cost_1.1.2": "90000", "cost_1.1.3": "1000"})
    assert costs() == {"1.1.2": Decimal("90000.00"), "1.1.3": Decimal("1000.00")}
    page = client.get(url)
    assert page.context["form"]["cost_1.1.2"].value() == Decimal("90000.00")


@pytest.mark.parametrize("bad", ["-1", "abc", "1.234"])
def test_a_bad_value_is_refused_and_changes_nothing(open_round, users, client_for, bad):
    client = client_for(users.national_admin)
    url = reverse("subsidy:unit-costs", args=[2567])
    client.post(url, {"cost_1.1.1": "5"})
    response = client.post(url, {"cost_1.1.1": "7", "cost_1.1.2": bad})
    assert response.status_code == 400
    assert response.context["form"].errors["cost_1.1.2"]
    assert costs() == {"1.1.1": Decimal("5.00")}


def test_a_year_without_a_round_is_a_404(open_round, users, client_for):
    client = client_for(users.national_admin)
    assert client.get(reverse("subsidy:unit-costs", args=[2560])).status_code == 404
    assert client.get(reverse("subsidy:unit-costs", args=[10**30])).status_code == 404


@pytest.mark.parametrize("name", ["committee_viewer", "province_officer", "district_officer", "staff"])
def test_only_national_admins_set_unit_costs(open_round, users, client_for, name):
    client = client_for(users.by_name(name))
    url = reverse("subsidy:unit-costs", args=[2567])
    assert client.get(url).status_code == 404
    assert client.post(url, {"cost_1.1.1": "5"}).status_code == 404
    assert costs() == {}
