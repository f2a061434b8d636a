"""Finding a local government by name or DLA code, with or without its type prefix, with Thai or Arabic digits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.public.services import normalize, parse_query, search

pytestmark = pytest.mark.django_db


def names(text: str) -> list[str]:
    return [lg.full_name_th for lg in search(text)]


@pytest.mark.parametrize(
    "text",
    [
        "หนองป่าครั่ง",
        "ทต.หนองป่าครั่ง",
        "ทต. หนองป่าครั่ง",
        "ทต หนองป่าครั่ง",
        "เทศบาลตำบลหนองป่าครั่ง",
        "เทศบาล หนองป่าครั่ง",
        "  หนองป่า\u200bครั่ง ",
        "5500101",
        "๕๕๐๐๑๐๑",
        "๕๕๐๐",
    ],
)
def test_the_municipality_is_found_with_or_without_its_prefix_and_in_thai_digits(world, text):
    assert names(text) == ["เทศบาลตำบลหนองป่าครั่ง"]


def test_a_prefix_of_another_type_finds_nothing(world):
    # หนองป่าครั่ง is a subdistrict municipality (ทต.), not a subdistrict administrative organisation (อบต.).
    assert names("อบต.หนองป่าครั่ง") == []
    assert names("อบต.สันผีเสื้อ") == ["องค์การบริหารส่วนตำบลสันผีเสื้อ"]


def test_a_code_prefix_finds_every_local_government_under_it(world):
    assert names("6500") == ["องค์การบริหารส่วนตำบลดอยแก้ว", "องค์การบริหารส่วนตำบลสันผีเสื้อ"]  # Thai order
    assert names("๖๙๐๐๑๐๑") == ["องค์การบริหารส่วนตำบลเกาะแต้ว"]


def test_inactive_local_governments_and_empty_queries_find_nothing(world):
    world.neighbour_same_district.is_active = False
    world.neighbour_same_district.save()
    assert names("สันผีเสื้อ") == []
    assert names("") == [] and names("   ") == [] and names("ทต.") != []  # a prefix alone lists the type


def test_normalize_joins_the_typed_sara_am_and_converts_digits():
    assert normalize("ก\u0e4d\u0e32แพง ๑๒") == "กำแพง 12"
    assert parse_query("ทม.เชียงใหม่").types == ("TOWN",)
    assert parse_query("เทศบาลนครเชียงใหม่").text == "เชียงใหม่"


def test_the_search_page_lists_matches_without_a_login(client, world):
    response = client.get(reverse("public:search"), {"q": "ทต.หนองป่าครั่ง"})
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("public:local-government", args=[world.local_government.pk]) in page
    assert "สันผีเสื้อ" not in page
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_long_or_odd_query_is_harmless(client, world):
    response = client.get(reverse("public:search"), {"q": "%' OR 1=1 --" * 40, "page": "x"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "ไม่พบ อปท. ลองพิมพ์บางส่วนของชื่อ" in response.content.decode()  # the Thai interface by default
