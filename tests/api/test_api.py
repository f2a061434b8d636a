"""The JSON API: every operation scoped like the pages, tokens refused when expired, revoked or too wide, writes
under the pages' rules (the deadline message is the page's), problem details, the audit trail and the rate limit."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openapi_spec_validator import validate

from localstandards.accounts.models import Role, RoleMembership
from localstandards.api.models import ApiToken, ApiTokenUse, TokenScope
from localstandards.api.services import TokenError, revoke_token
from localstandards.assessments.models import Answer, Assessment, SatisfactionAnswer
from localstandards.core.thaidate import format_date
from tests.api.conftest import bearer, make_token
from tests.assessments.factories import COUNT, RATIO, indicator, question
from tests.reports.conftest import make_final

pytestmark = pytest.mark.django_db


def returns_of(open_round, world):
    mine = Assessment.objects.unscoped().get(round=open_round, local_government=world.local_government)
    outside = Assessment.objects.unscoped().get(round=open_round, local_government=world.outside_local_government)
    return mine, outside


# ---------------------------------------------------------------- every operation is scoped


def test_a_province_token_lists_only_its_province(province_key, open_round, world):
    client = bearer(province_key)
    assert [p["code"] for p in client.get("/api/provinces").json()["items"]] == ["50"]
    assert [d["code"] for d in client.get("/api/districts").json()["items"]] == ["5001", "5002"]
    lgs = client.get("/api/local-governments").json()
    assert lgs["count"] == 3 and world.outside_local_government.dla_code not in {lg["dla_code"] for lg in lgs["items"]}
    returns = client.get("/api/returns").json()
    assert returns["count"] == 3
    assert {r["province_code"] for r in returns["items"]} == {"50"}


def test_an_out_of_scope_id_is_a_404_on_every_detail(province_key, open_round, world):
    mine, outside = returns_of(open_round, world)
    client = bearer(province_key)
    for url in (
        f"/api/returns/{mine.pk}",
        f"/api/returns/{mine.pk}/results",
        f"/api/local-governments/{world.local_government.pk}",
        "/api/provinces/50",
        f"/api/rounds/{open_round.pk}/progress?level=province&code=50",
        f"/api/rounds/{open_round.pk}/progress?level=district&code=5001",
    ):
        assert client.get(url).status_code == 200, url
    for url in (
        f"/api/returns/{outside.pk}",
        f"/api/returns/{outside.pk}/results",
        f"/api/local-governments/{world.outside_local_government.pk}",
        "/api/provinces/90",
        f"/api/rounds/{open_round.pk}/progress?level=province&code=90",
        f"/api/rounds/{open_round.pk}/progress?level=district&code=9001",
        f"/api/rounds/{open_round.pk}/progress?level=nation",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404


def test_filters_narrow_within_the_scope_and_never_widen_it(national_key, province_key, open_round, world):
    national = bearer(national_key)
    assert national.get("/api/returns?province=90").json()["count"] == 1
    assert national.get("/api/returns?district=5002").json()["count"] == 1
    assert national.get("/api/returns?status=accepted").json()["count"] == 0
    assert national.get("/api/returns?type=SUBDISTRICT&province=50").json()["count"] == 1
    assert national.get(f"/api/returns?round={open_round.pk + 1000}").json()["count"] == 0
    assert bearer(province_key).get("/api/returns?province=90").json() == {"items": [], "count": 0}
    assert bearer(province_key).get("/api/local-governments?province=90").json()["count"] == 0


def test_a_local_government_token_sees_its_return_only_and_no_progress(staff_write_key, open_round, world):
    client = bearer(staff_write_key)
    mine, _outside = returns_of(open_round, world)
    assert [r["id"] for r in client.get("/api/returns").json()["items"]] == [mine.pk]
    assert client.get("/api/provinces").json()["count"] == 0
    assert client.get(f"/api/rounds/{open_round.pk}/progress?level=province&code=50").status_code == 404
    assert client.get(f"/api/rounds/{open_round.pk}/awards").status_code == 404


def test_award_scores_follow_the_scope(national_key, province_key, users, open_round, world):
    mine, outside = returns_of(open_round, world)
    make_final(mine)
    make_final(outside)
    national = bearer(national_key).get(f"/api/rounds/{open_round.pk}/awards").json()
    assert {row["return_id"] for row in national["items"]} == {mine.pk, outside.pk}
    provincial = bearer(province_key).get(f"/api/rounds/{open_round.pk}/awards").json()
    assert [row["return_id"] for row in provincial["items"]] == [mine.pk]
    assert provincial["items"][0]["rank_in_type"] == 1
    filtered = bearer(national_key).get(f"/api/rounds/{open_round.pk}/awards?province=90").json()
    assert [row["return_id"] for row in filtered["items"]] == [outside.pk]


def test_results_of_a_final_return(province_key, open_round, world):
    mine, _outside = returns_of(open_round, world)
    make_final(mine)
    body = bearer(province_key).get(f"/api/returns/{mine.pk}/results").json()
    assert (body["final"], body["stored"], body["status"]) == (True, True, "accepted")
    labels = {row["indicator_code"]: row["label"] for row in body["indicators"]}
    assert set(labels) == {"1.1.1", "1.1.2", "1.1.3"} and all(labels.values())
    assert [area["area_code"] for area in body["areas"]] == ["1"]
    assert body["satisfied"] == 40 and body["needs_improvement"] == 10


def test_the_framework_comes_in_the_workbook_structure(national_key, framework):
    body = bearer(national_key).get(f"/api/frameworks/{framework.pk}").json()
    assert set(body["structure"]) == {
        "framework",
        "areas",
        "missions",
        "indicators",
        "validations",
        "satisfaction",
        "scoring",
        "labels",
    }
    assert [i["code"] for i in body["structure"]["indicators"]] == ["1.1.1", "1.1.2", "1.1.3"]


def test_lists_are_paginated(national_key, open_round):
    client = bearer(national_key)
    first = client.get("/api/local-governments?page=1").json()
    assert first["count"] == 4 and len(first["items"]) == 4
    assert client.get("/api/local-governments?page=2").json()["items"] == []
    assert client.get("/api/local-governments?page=0").status_code == 422


def test_a_session_reads_as_the_person_and_a_get_writes_nothing(client_for, users, open_round, world):
    client = client_for(users.district_officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/returns")
    assert response.status_code == 200
    assert response.json()["count"] == 2  # district 5001: LG1 and its neighbour
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_every_operation_refuses_an_anonymous_caller_with_401(open_round):
    schema = Client().get("/api/openapi.json").json()
    client = Client()
    checked = 0
    for path, operations in schema["paths"].items():
        url = path.replace("{round_id}", str(open_round.pk)).replace("{code}", "50")
        for name in ("{return_id}", "{indicator_id}", "{question_id}", "{lg_id}", "{framework_id}"):
            url = url.replace(name, "1")
        for method in operations:
            response = client.get(url) if method == "get" else client.put(url, "{}", "application/json")
            assert response.status_code == 401, (method, url)
            assert response["Content-Type"] == "application/problem+json"
            checked += 1
    assert checked == 17


# ---------------------------------------------------------------- tokens refused


def test_an_expired_token_is_refused(users):
    issued = make_token(users.national_admin, days=1)
    client = bearer(issued.key)
    assert client.get("/api/provinces").status_code == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/provinces")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused(users):
    issued = make_token(users.national_admin)
    revoke_token(users.national_admin, issued.token)
    assert bearer(issued.key).get("/api/provinces").status_code == 401


def test_an_unknown_or_tampered_token_is_refused(national_key):
    assert bearer(national_key[:-1] + ("A" if national_key[-1] != "A" else "B")).get("/api/me").status_code == 401
    assert bearer("not-a-token").get("/api/me").status_code == 401


def test_a_token_stops_when_its_creator_loses_the_scope(users, world):
    issued = make_token(users.province_officer, TokenScope.PROVINCE, province=world.province)
    assert bearer(issued.key).get("/api/provinces").status_code == 200
    RoleMembership.objects.filter(user=users.province_officer, role=Role.PROVINCE_OFFICER).delete()
    assert bearer(issued.key).get("/api/provinces").status_code == 401


def test_a_token_cannot_be_wider_than_its_creator(users, world):
    with pytest.raises(TokenError):
        make_token(users.province_officer, TokenScope.NATION)
    with pytest.raises(TokenError):
        make_token(users.province_officer, TokenScope.PROVINCE, province=world.other_province)
    with pytest.raises(TokenError):
        make_token(users.staff, TokenScope.LOCAL_GOVERNMENT, local_government=world.neighbour_same_district)
    with pytest.raises(TokenError):
        make_token(users.committee_viewer, TokenScope.NATION)
    assert not ApiToken.objects.exists()


def test_a_superuser_token_for_a_province_reads_only_that_province(users, world, open_round):
    users.national_admin.is_superuser = True
    users.national_admin.save()
    issued = make_token(users.national_admin, TokenScope.PROVINCE, province=world.other_province)
    assert [p["code"] for p in bearer(issued.key).get("/api/provinces").json()["items"]] == ["90"]
    assert bearer(issued.key).get("/api/returns").json()["count"] == 1


def test_the_token_is_stored_hashed_and_every_use_is_audited(national_key):
    token = ApiToken.objects.get()
    assert national_key not in {token.key_hash, token.prefix} and len(token.key_hash) == 64
    assert token.last_used_at is None
    client = bearer(national_key)
    client.get("/api/provinces")
    client.get("/api/rounds?fiscal_year=2567")
    uses = list(ApiTokenUse.objects.order_by("used_at", "pk").values_list("method", "path"))
    assert uses == [("GET", "/api/provinces"), ("GET", "/api/rounds?fiscal_year=2567")]
    token.refresh_from_db()
    assert token.last_used_at is not None


# ---------------------------------------------------------------- writes under the pages' rules


def answer_url(assessment, code):
    return f"/api/returns/{assessment.pk}/answers/{indicator(assessment.framework, code).pk}"


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def test_a_read_write_token_of_the_local_government_saves_an_answer(staff_write_key, assessment):
    client = bearer(staff_write_key)
    response = put(client, answer_url(assessment, RATIO), {"version": 0, "base": "๑,๐๐๐", "delivered": 800})
    assert response.status_code == 200, response.content
    assert (response.json()["base"], response.json()["delivered"], response.json()["version"]) == ("1000", "800", 1)
    saved = Answer.objects.unscoped().get(assessment=assessment, indicator__code=RATIO)
    assert (saved.base, saved.delivered, saved.updated_by.username) == (1000, 800, "staff")
    stale = put(client, answer_url(assessment, RATIO), {"version": 0, "base": "5", "delivered": "1"})
    assert stale.status_code == 409
    assert stale.json()["errors"] == {"current_version": 1}
    assert Answer.objects.unscoped().get(assessment=assessment, indicator__code=RATIO).base == 1000


def test_an_invalid_answer_gets_the_pages_message_and_changes_nothing(staff_write_key, assessment):
    response = put(
        bearer(staff_write_key, "en"), answer_url(assessment, RATIO), {"version": 0, "base": "5", "delivered": "9"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"delivered": "What was delivered (2) cannot be more than the base (1)."}
    assert not Answer.objects.unscoped().filter(assessment=assessment).exists()


def test_satisfaction_counts_are_saved(staff_write_key, assessment):
    url = f"/api/returns/{assessment.pk}/satisfaction/{question(assessment.framework).pk}"
    response = put(bearer(staff_write_key), url, {"version": 0, "satisfied": 40, "needs_improvement": "10"})
    assert response.status_code == 200, response.content
    saved = SatisfactionAnswer.objects.unscoped().get(assessment=assessment)
    assert (saved.satisfied, saved.needs_improvement) == (40, 10)


def test_a_read_only_token_cannot_write(users, world, assessment):
    issued = make_token(users.staff, TokenScope.LOCAL_GOVERNMENT, local_government=world.local_government)
    response = put(bearer(issued.key, "en"), answer_url(assessment, COUNT), {"version": 0, "count": 3})
    assert response.status_code == 403
    assert response.json()["detail"] == "This token is read-only."
    assert not Answer.objects.unscoped().exists()


def test_a_provincial_token_cannot_enter_data(users, world, assessment):
    issued = make_token(users.province_officer, TokenScope.PROVINCE, province=world.province, can_write=True)
    response = put(bearer(issued.key, "en"), answer_url(assessment, COUNT), {"version": 0, "count": 3})
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the staff of this local government can enter its data."


def test_a_write_after_the_deadline_is_refused_with_the_pages_message(users, world, closed_assessment, client_for):
    issued = make_token(
        users.staff, TokenScope.LOCAL_GOVERNMENT, local_government=world.local_government, can_write=True
    )
    target = indicator(closed_assessment.framework, COUNT)
    page = client_for(users.staff).post(
        reverse("assessments:save-indicator", args=[closed_assessment.pk, target.pk]),
        {f"i{target.pk}-count": "3", f"i{target.pk}-version": "0"},
    )
    response = put(bearer(issued.key), answer_url(closed_assessment, COUNT), {"version": 0, "count": 3})
    assert response.status_code == 409
    message = response.json()["detail"]
    with translation.override("th"):  # Thai by default, as on the page
        expected = gettext("The round closed on %(day)s; data can no longer be changed.") % {
            "day": format_date(closed_assessment.round.closes_on)
        }
    assert message == expected and expected != "The round closed on %(day)s; data can no longer be changed."
    assert page.status_code == 422 and html.escape(message) in page.content.decode()
    assert not Answer.objects.unscoped().filter(assessment=closed_assessment).exists()


def test_messages_follow_accept_language(national_key):
    thai = bearer(national_key).get("/api/returns/999999").json()
    english = bearer(national_key, "en").get("/api/returns/999999").json()
    assert english["title"] == "Not found" and english["detail"] == "There is no such item in your scope."
    assert thai["title"] != english["title"]


def test_no_submission_through_the_api():
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert not [path for path in paths if "submit" in path or "certif" in path]


# ---------------------------------------------------------------- rate limit


def test_requests_over_the_limit_get_429_per_token(settings, users, world):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    first = make_token(users.national_admin).key
    second = make_token(users.national_admin).key
    statuses = [bearer(first).get("/api/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = bearer(first).get("/api/me")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert bearer(second).get("/api/me").status_code == 200  # each token counts on its own


def test_a_session_user_is_limited_too(settings, users, client_for):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    client = client_for(users.province_officer)
    assert [client.get("/api/me").status_code for _ in range(3)] == [200, 200, 429]


# ---------------------------------------------------------------- schema and docs


def test_the_schema_validates():
    schema = Client().get("/api/openapi.json").json()
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_docs_page_loads_nothing_from_a_cdn():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "http://" not in page and "https://" not in page


def test_writes_outside_the_scope_are_404_and_change_nothing(staff_write_key, open_round, world):
    client = bearer(staff_write_key)
    for lg in (world.neighbour_same_district, world.outside_local_government):
        other = Assessment.objects.unscoped().get(round=open_round, local_government=lg)
        assert put(client, answer_url(other, COUNT), {"version": 0, "count": 3}).status_code == 404
        url = f"/api/returns/{other.pk}/satisfaction/{question(other.framework).pk}"
        assert put(client, url, {"version": 0, "satisfied": 1}).status_code == 404
    assert not Answer.objects.unscoped().exists() and not SatisfactionAnswer.objects.unscoped().exists()


def test_an_indicator_of_another_framework_version_is_404(staff_write_key, assessment):
    response = put(bearer(staff_write_key), f"/api/returns/{assessment.pk}/answers/999999", {"version": 0})
    assert response.status_code == 404


def test_a_session_write_needs_the_csrf_token(users, assessment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.staff)
    url = answer_url(assessment, COUNT)
    assert put(client, url, {"version": 0, "count": 3}).status_code == 403
    assert not Answer.objects.unscoped().exists()
    client.get("/accounts/profile/")  # sets the CSRF cookie, as a page would
    token = client.cookies["csrftoken"].value
    response = client.put(
        url,
        data=json.dumps({"version": 0, "count": 3}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.content
    assert Answer.objects.unscoped().get().count == 3


def test_answers_are_private_and_vary_by_language_and_caller(national_key):
    response = bearer(national_key).get("/api/provinces")
    assert "private" in response["Cache-Control"]
    assert {"Accept-Language", "Authorization"} <= {v.strip() for v in response["Vary"].split(",")}


def test_every_read_operation_keeps_an_outsider_out(users, world, open_round):
    """The matrix from the schema: another province's token reads every GET operation, with the ids of this
    province's rows where the path takes one; nothing of this province comes back (a 404, or lists without it)."""
    mine, outside = returns_of(open_round, world)
    make_final(mine)
    make_final(outside)
    key = make_token(users.outsider_province_officer, TokenScope.PROVINCE, province=world.other_province).key
    client = bearer(key)
    ids = {
        "{return_id}": mine.pk,
        "{lg_id}": world.local_government.pk,
        "{code}": world.province.code,
        "{round_id}": open_round.pk,
        "{framework_id}": mine.framework_id,
    }
    schema = Client().get("/api/openapi.json").json()
    reads = [path for path, operations in schema["paths"].items() if "get" in operations]
    assert len(reads) == 15
    for path in reads:
        url = path
        for name, value in ids.items():
            url = url.replace(name, str(value))
        if path.endswith("/progress"):
            url += f"?level=province&code={world.province.code}"
        response = client.get(url)
        body = response.content.decode()
        personal = "{return_id}" in path or "{lg_id}" in path or "{code}" in path or path.endswith("/progress")
        assert response.status_code == (404 if personal else 200), url
        assert world.local_government.dla_code not in body and '"50"' not in body and "5001" not in body, url
    awards = client.get(f"/api/rounds/{open_round.pk}/awards").json()
    assert [row["return_id"] for row in awards["items"]] == [outside.pk]


def test_me_tells_the_caller_its_scope(province_key, staff_write_key, users, client_for):
    assert bearer(province_key).get("/api/me").json() | {"expires_at": None} == {
        "kind": "token",
        "username": "province_officer",
        "token_name": "integration",
        "scope": "province",
        "can_write": False,
        "expires_at": None,
    }
    assert bearer(staff_write_key).get("/api/me").json()["scope"] == "local_government"
    session = client_for(users.no_role).get("/api/me").json()
    assert (session["kind"], session["scope"]) == ("session", "none")
