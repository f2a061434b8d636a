"""Thai names are sorted as a Thai reader expects, in Python and in both databases (issue 16): by code point,
เชียงใหม่ came after อ่างทอง (its leading vowel เ sorts late) and ร้อยเอ็ด after ราชบุรี."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.core.collation import thai_sort_key
from localstandards.registry.models import District, LocalGovernment, Province
from tests.factories import DistrictFactory, LocalGovernmentFactory, ProvinceFactory

THAI_ORDER = ["กระบี่", "ขอนแก่น", "เชียงใหม่", "แพร่", "ร้อยเอ็ด", "ราชบุรี", "อ่างทอง"]


def test_python_sorts_thai_names_by_thai_rules():
    shuffled = ["อ่างทอง", "ราชบุรี", "เชียงใหม่", "ร้อยเอ็ด", "แพร่", "กระบี่", "ขอนแก่น"]
    assert sorted(shuffled, key=thai_sort_key) == THAI_ORDER
    assert sorted(shuffled) != THAI_ORDER  # code points would not do


@pytest.mark.django_db
def test_the_database_orders_provinces_districts_and_local_governments_by_thai_rules():
    for code, name in zip(["81", "40", "50", "54", "45", "70", "15"], THAI_ORDER, strict=True):
        province = ProvinceFactory(code=code, name_th=name)
        district = DistrictFactory(province=province, code=f"{code}01", name_th=f"เมือง{name}")
        LocalGovernmentFactory(district=district, dla_code=f"{code}00101", name_th=name)
    assert list(Province.objects.values_list("name_th", flat=True)) == THAI_ORDER
    assert list(District.objects.values_list("name_th", flat=True)) == [f"เมือง{n}" for n in THAI_ORDER]
    assert list(LocalGovernment.objects.values_list("name_th", flat=True)) == THAI_ORDER


@pytest.mark.django_db
def test_the_registry_page_lists_provinces_in_thai_order(users, client_for):
    """The provinces page groups by region; within a region (all five here are central) the order is Thai."""
    names = ["กระบี่", "ขอนแก่น", "แพร่", "ราชบุรี", "อ่างทอง"]  # by code point แพร่ would come last
    for code, name in zip(["81", "40", "54", "70", "15"], reversed(names), strict=True):
        ProvinceFactory(code=code, name_th=name)
    body = client_for(users.national_admin).get(reverse("registry:provinces")).content.decode()
    positions = [body.index(f">{name}<") for name in names]
    assert positions == sorted(positions)
