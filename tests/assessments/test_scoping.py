"""Scoping, deny by default: every route of one return × who may see it (404 outside the scope).

Every test here works on the same submitted return, built once for the module (`module_submitted`); what a test
changes is rolled back after it. The for_user tests on the models are in test_for_user.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from localstandards.assessments.models import Answer, Comment, Evidence, SatisfactionAnswer
from tests.assessments import factories
from tests.assessments.factories import RATIO, fresh
from tests.dates import be_date_fields

pytestmark = pytest.mark.django_db


def _submitted_return(world, users, framework):
    """What the shared fixtures open_round → assessment → filled → submitted build, in one go."""
    assessment_round = factories.open_test_round(framework, name="รอบเปิด")
    assessment = assessment_round.assessments.select_related("round", "local_government", "framework").get(
        local_government=world.local_government
    )
    return factories.certify(factories.fill_return(assessment, users.staff), users.head)


@pytest.fixture(scope="module")
def module_submitted(module_rows, module_world, module_users, module_framework):
    return module_rows.build(_submitted_return, module_world, module_users, module_framework)


@pytest.fixture
def submitted(module_rows, module_submitted, world, users, framework):
    """This module's own `submitted`: the same return as tests/conftest.py's, built once for the module."""
    return module_rows.get(module_submitted, lambda: _submitted_return(world, users, framework))


def _ids(assessment):
    ratio = factories.indicator(assessment.framework, RATIO)
    return {
        "pk": assessment.pk,
        "indicator": ratio.pk,
        "question": factories.question(assessment.framework).pk,
        "evidence": assessment.evidence.get().pk,
        "version": type(assessment).objects.unscoped().get(pk=assessment.pk).version,
    }


# name → (method, url builder, POST data builder)
ROUTES = {
    "overview": ("get", lambda i: reverse("assessments:overview", args=[i["pk"]]), None),
    "area": ("get", lambda i: reverse("assessments:area", args=[i["pk"], "1"]), None),
    "area-post": (
        "post",
        lambda i: reverse("assessments:area", args=[i["pk"], "1"]),
        lambda i: {
            f"i{i['indicator']}-version": "1",
            f"i{i['indicator']}-base": "99",
            f"i{i['indicator']}-delivered": "1",
        },
    ),
    "save-indicator": (
        "post",
        lambda i: reverse("assessments:save-indicator", args=[i["pk"], i["indicator"]]),
        lambda i: {
            f"i{i['indicator']}-version": "1",
            f"i{i['indicator']}-base": "99",
            f"i{i['indicator']}-delivered": "1",
        },
    ),
    "preview-indicator": (
        "post",
        lambda i: reverse("assessments:preview-indicator", args=[i["pk"], i["indicator"]]),
        lambda i: {f"i{i['indicator']}-base": "10", f"i{i['indicator']}-delivered": "8"},
    ),
    "save-question": (
        "post",
        lambda i: reverse("assessments:save-question", args=[i["pk"], i["question"]]),
        lambda i: {f"q{i['question']}-version": "1", f"q{i['question']}-satisfied": "1"},
    ),
    "upload-evidence": (
        "post",
        lambda i: reverse("assessments:upload-evidence", args=[i["pk"], i["indicator"]]),
        lambda i: {"file": factories.pdf_upload("อื่น.pdf")},
    ),
    "history": ("get", lambda i: reverse("assessments:history", args=[i["pk"], i["indicator"]]), None),
    "download-evidence": (
        "get",
        lambda i: reverse("assessments:download-evidence", args=[i["pk"], i["evidence"]]),
        None,
    ),
    "remove-evidence": (
        "post",
        lambda i: reverse("assessments:remove-evidence", args=[i["pk"], i["evidence"]]),
        lambda i: {},
    ),
    "comment": (
        "post",
        lambda i: reverse("assessments:comment", args=[i["pk"]]),
        lambda i: {"indicator": str(i["indicator"]), "body": "ข้อความจากภายนอก"},
    ),
    "submit": ("get", lambda i: reverse("assessments:submit", args=[i["pk"]]), None),
    "submit-post": (
        "post",
        lambda i: reverse("assessments:submit", args=[i["pk"]]),
        lambda i: {"certifier_name": "x", "certifier_position": "y", "confirmed": "on"},
    ),
    "receipt": ("get", lambda i: reverse("assessments:receipt", args=[i["pk"]]), None),
    "review": ("get", lambda i: reverse("assessments:review", args=[i["pk"]]), None),
    "review-post": (
        "post",
        lambda i: reverse("assessments:review", args=[i["pk"]]),
        lambda i: {
            "action": "return",
            f"reason-{i['indicator']}": "จากภายนอก",
            "level": "district",
            "version": str(i["version"]),
        },
    ),
    "reopen": ("post", lambda i: reverse("assessments:reopen", args=[i["pk"]]), lambda i: {"reason": "จากภายนอก"}),
    "extend": (
        "post",
        lambda i: reverse("assessments:extend", args=[i["pk"]]),
        lambda i: {**be_date_fields("until", dt.date(2157, 1, 1)), "reason": "จากภายนอก"},
    ),
}

# What someone in scope gets on a return awaiting the district: the page (200), a refused HTMX save (422), or a
# redirect after a form post whose message says what happened (302).
EXPECTED_IN_SCOPE = {
    "overview": 200,
    "area": 200,
    "area-post": 200,
    "save-indicator": 422,
    "preview-indicator": 200,
    "save-question": 422,
    "upload-evidence": 302,
    "history": 200,
    "download-evidence": 200,
    "remove-evidence": 302,
    "comment": 302,
    "submit": 200,
    "submit-post": 200,
    "receipt": 200,
    "review": 200,
    "review-post": 302,
    "reopen": 302,
    "extend": 302,
}

IN_SCOPE = ["staff", "head", "district_officer", "province_officer", "national_admin", "committee_viewer"]
OUT_OF_SCOPE = [
    "neighbour_staff",  # another อปท. in the same district
    "neighbour_head",
    "other_district_officer",  # another district of the same province
    "outsider_province_officer",  # another province
    "outsider_staff",
    "no_role",
]


def _user(request, users, role):
    return getattr(users, role) if hasattr(users, role) else request.getfixturevalue(role)


def _call(client, route, ids):
    method, url, data = ROUTES[route]
    if method == "get":
        return client.get(url(ids))
    return client.post(url(ids), data(ids))


def _snapshot(assessment):
    stored = fresh(assessment)
    return (
        stored.status,
        stored.version,
        list(Answer.objects.unscoped().filter(assessment=assessment).order_by("pk").values_list("pk", "version")),
        list(SatisfactionAnswer.objects.unscoped().filter(assessment=assessment).values_list("pk", "version")),
        list(Evidence.objects.unscoped().filter(assessment=assessment).values_list("pk", flat=True)),
        Comment.objects.unscoped().filter(assessment=assessment).count(),
        stored.extensions.count(),
    )


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", OUT_OF_SCOPE)
def test_officers_outside_the_scope_get_404_and_change_nothing(request, submitted, users, client_for, role, route):
    ids = _ids(submitted)
    before = _snapshot(submitted)
    response = _call(client_for(_user(request, users, role)), route, ids)
    assert response.status_code == 404
    assert _snapshot(submitted) == before


# A POST to the review page by someone who may not review this return now is a 404 by design (views.review):
# the return is visible to them, the action is not.
REVIEWERS_NOW = {"district_officer", "national_admin"}
# The evidence files are not the committee viewer's (tests/accounts/test_committee_viewer.py): a 404 for them.
EVIDENCE_ROUTES = {"download-evidence", "remove-evidence"}
IN_SCOPE_CASES = [
    (role, route)
    for role in IN_SCOPE
    for route in ROUTES
    if (route != "review-post" or role in REVIEWERS_NOW)
    and not (role == "committee_viewer" and route in EVIDENCE_ROUTES)
]


@pytest.mark.parametrize("route", sorted(EVIDENCE_ROUTES))
def test_the_committee_viewer_does_not_reach_the_evidence(submitted, users, client_for, route):
    before = _snapshot(submitted)
    assert _call(client_for(users.committee_viewer), route, _ids(submitted)).status_code == 404
    assert _snapshot(submitted) == before


@pytest.mark.parametrize(("role", "route"), IN_SCOPE_CASES)
def test_users_in_scope_reach_every_route(request, submitted, users, client_for, role, route):
    response = _call(client_for(_user(request, users, role)), route, _ids(submitted))
    assert response.status_code == EXPECTED_IN_SCOPE[route]


@pytest.mark.parametrize("role", sorted(set(IN_SCOPE) - REVIEWERS_NOW))
def test_a_review_post_by_someone_who_may_not_review_is_404_and_changes_nothing(
    request, submitted, users, client_for, role
):
    before = _snapshot(submitted)
    response = _call(client_for(_user(request, users, role)), "review-post", _ids(submitted))
    assert response.status_code == 404
    assert _snapshot(submitted) == before


@pytest.mark.parametrize("route", list(ROUTES))
def test_anonymous_visitors_are_sent_to_login(submitted, client, route):
    response = _call(client, route, _ids(submitted))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_return_that_does_not_exist_is_404_even_for_the_nation(submitted, users, client_for):
    client = client_for(users.national_admin)
    assert client.get(reverse("assessments:overview", args=[submitted.pk + 1000])).status_code == 404


def test_an_indicator_of_another_framework_is_404(submitted, users, client_for):
    other = factories.make_published_framework(code="B-2567")
    ratio = factories.indicator(other, RATIO)
    client = client_for(users.staff)
    assert client.get(reverse("assessments:history", args=[submitted.pk, ratio.pk])).status_code == 404
