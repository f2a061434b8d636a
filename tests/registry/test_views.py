"""Registry pages: search and filters, counts, and the scoping matrix (each role × in / out of scope)."""

import pytest
from django.urls import reverse

# Route builders over the `world` fixture: (name, function world → url).
ROUTES = {
    "lg_own": lambda w: reverse("registry:local-government", args=[w.local_government.pk]),
    "lg_same_district": lambda w: reverse("registry:local-government", args=[w.neighbour_same_district.pk]),
    "lg_same_province": lambda w: reverse("registry:local-government", args=[w.local_government_other_district.pk]),
    "lg_outside": lambda w: reverse("registry:local-government", args=[w.outside_local_government.pk]),
    "district_own": lambda w: reverse("registry:district", args=[w.district.code]),
    "district_same_province": lambda w: reverse("registry:district", args=[w.other_district_same_province.code]),
    "district_outside": lambda w: reverse("registry:district", args=[w.other_district.code]),
    "province_own": lambda w: reverse("registry:province", args=[w.province.code]),
    "province_outside": lambda w: reverse("registry:province", args=[w.other_province.code]),
}
OK, HIDDEN = 200, 404
EXPECTED = {
    "staff": {"lg_own": OK},
    "head": {"lg_own": OK},
    "district_officer": {"lg_own": OK, "lg_same_district": OK, "district_own": OK},
    "province_officer": {
        "lg_own": OK,
        "lg_same_district": OK,
        "lg_same_province": OK,
        "district_own": OK,
        "district_same_province": OK,
        "province_own": OK,
    },
    "national_admin": dict.fromkeys(ROUTES, OK),
    "committee_viewer": dict.fromkeys(ROUTES, OK),
    "outsider_staff": {"lg_outside": OK},
    "outsider_province_officer": {"lg_outside": OK, "district_outside": OK, "province_outside": OK},
    "no_role": {},
}
MATRIX = [(role, route, EXPECTED[role].get(route, HIDDEN)) for role in EXPECTED for route in ROUTES]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "route", "status"), MATRIX)
def test_scoping_matrix(world, users, client_for, role, route, status):
    response = client_for(users.by_name(role)).get(ROUTES[route](world))
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("route", [*ROUTES, "list", "provinces"])
def test_anonymous_visitors_are_sent_to_login(world, client, route):
    url = {"list": reverse("registry:list"), "provinces": reverse("registry:provinces")}.get(route) or ROUTES[route](
        world
    )
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_list_shows_only_what_the_user_may_see(world, users, client_for):
    body = client_for(users.district_officer).get(reverse("registry:list")).content.decode()
    assert "หนองป่าครั่ง" in body and "สันผีเสื้อ" in body
    assert "ดอยแก้ว" not in body and "เกาะแต้ว" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "หนองป่า"}, {"หนองป่าครั่ง"}),
        ({"q": "6500201"}, {"ดอยแก้ว"}),
        ({"q": "  สันผีเสื้อ  "}, {"สันผีเสื้อ"}),
        ({"province": "90"}, {"เกาะแต้ว"}),
        ({"district": "5002"}, {"ดอยแก้ว"}),
        ({"type": "SUBDISTRICT"}, {"หนองป่าครั่ง"}),
        ({"province": "50", "type": "SAO"}, {"สันผีเสื้อ", "ดอยแก้ว"}),
        ({"q": "ไม่มีชื่อนี้"}, set()),
    ],
)
def test_search_by_name_or_code_and_filter(world, users, client_for, params, expected):
    response = client_for(users.national_admin).get(reverse("registry:list"), params)
    shown = {lg.name_th for lg in response.context["page"].object_list}
    assert shown == expected


@pytest.mark.django_db
def test_a_filter_outside_the_scope_is_ignored_not_obeyed(world, users, client_for):
    response = client_for(users.province_officer).get(reverse("registry:list"), {"province": "90"})
    names = {lg.name_th for lg in response.context["page"].object_list}
    assert "เกาะแต้ว" not in names
    assert response.context["form"].errors


@pytest.mark.django_db
def test_inactive_local_governments_are_hidden_unless_asked_for(world, users, client_for):
    world.neighbour_same_district.is_active = False
    world.neighbour_same_district.save()
    client = client_for(users.national_admin)
    names = {lg.name_th for lg in client.get(reverse("registry:list")).context["page"].object_list}
    assert "สันผีเสื้อ" not in names
    names = {lg.name_th for lg in client.get(reverse("registry:list"), {"inactive": "on"}).context["page"].object_list}
    assert "สันผีเสื้อ" in names


@pytest.mark.django_db
def test_htmx_search_returns_only_the_results_fragment(world, users, client_for):
    response = client_for(users.national_admin).get(
        reverse("registry:list"), {"q": "หนองป่า"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    body = response.content.decode()
    assert "หนองป่าครั่ง" in body
    assert "<html" not in body and "<nav" not in body.split("pagination")[0]


@pytest.mark.django_db
def test_the_list_query_count_does_not_grow_with_rows(world, users, client_for, django_assert_max_num_queries):
    client = client_for(users.national_admin)
    with django_assert_max_num_queries(12):
        client.get(reverse("registry:list"))


@pytest.mark.django_db
def test_province_page_counts_by_type_and_district(world, users, client_for):
    response = client_for(users.province_officer).get(reverse("registry:province", args=["50"]))
    assert response.context["total"] == 3
    by_type = {entry["type"]: entry["count"] for entry in response.context["by_type"]}
    assert (by_type["SAO"], by_type["SUBDISTRICT"], by_type["PAO"]) == (2, 1, 0)
    rows = {row["unit"].code: row["total"] for row in response.context["district_rows"]}
    assert rows == {"5001": 2, "5002": 1}


@pytest.mark.django_db
def test_district_page_lists_its_local_governments(world, users, client_for):
    response = client_for(users.district_officer).get(reverse("registry:district", args=["5001"]))
    assert [lg.name_th for lg in response.context["local_governments"]] == ["หนองป่าครั่ง", "สันผีเสื้อ"] or set(
        lg.name_th for lg in response.context["local_governments"]
    ) == {"หนองป่าครั่ง", "สันผีเสื้อ"}


@pytest.mark.django_db
def test_province_list_groups_by_region_for_the_nation(world, users, client_for):
    response = client_for(users.national_admin).get(reverse("registry:provinces"))
    regions = [group["region"] for group in response.context["regions"]]
    assert regions == ["NORTH", "SOUTH"]


@pytest.mark.django_db
def test_the_local_government_page_shows_its_registry_details(world, users, client_for):
    lg = world.local_government
    lg.area_km2, lg.website, lg.latitude, lg.longitude = 12.5, "www.example.go.th", 18.7, 99.0
    lg.save()
    body = client_for(users.staff).get(reverse("registry:local-government", args=[lg.pk])).content.decode()
    assert "เทศบาลตำบลหนองป่าครั่ง" in body
    assert "5500101" in body
    assert 'href="http://www.example.go.th"' in body
    assert "12.50" in body


@pytest.mark.django_db
def test_the_local_government_page_lists_its_returns(world, users, client_for):
    from tests.assessments import factories

    page = client_for(users.staff).get(reverse("registry:local-government", args=[world.local_government.pk]))
    assert list(page.context["returns"]) == []
    assert "ยังไม่มีรอบการประเมิน" in page.content.decode()

    factories.open_test_round(factories.make_published_framework(), name="รอบทดสอบ 2567")
    page = client_for(users.staff).get(reverse("registry:local-government", args=[world.local_government.pk]))
    (only,) = page.context["returns"]
    assert only.local_government == world.local_government
    assert "รอบทดสอบ 2567" in page.content.decode()
