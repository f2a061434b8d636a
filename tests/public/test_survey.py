"""The online citizen survey: answering, its light challenge, rate limit, one response per browser, exclusion of a
batch by an officer (audited), and the counts added to the paper counts in the score."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from localstandards.assessments.models import Assessment, Status
from localstandards.public import survey
from localstandards.public.models import SurveyExclusion, SurveyResponse
from localstandards.scoring.models import ReturnScore
from localstandards.scoring.services import compute_results, rescore_assessment, rescore_round
from tests.assessments import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def easy_work(monkeypatch):
    """A 4-bit challenge in tests (the browser does 14): the rules are the same, the tests faster."""
    monkeypatch.setattr(survey, "POW_BITS", 4)
    cache.clear()


def url(assessment) -> str:
    return reverse("public:survey", args=[assessment.round_id, assessment.local_government_id])


def challenge_of(page: str) -> str | None:
    found = re.search(r'name="challenge" value="([^"]+)"', page)
    return found.group(1) if found else None


def answer(client, assessment, *, satisfied=True, comment="", address="203.0.113.7", counter=None, fresh=True):
    """What the browser does: open the page, do the work, send the form (`fresh`: with a challenge the page gave;
    else one made here, as a browser that kept an old page open would send)."""
    challenge = challenge_of(client.get(url(assessment)).content.decode()) if fresh else None
    challenge = challenge or survey.new_challenge(assessment.pk)
    question = factories.question(assessment.framework)
    data = {
        f"q{question.pk}": "1" if satisfied else "0",
        "comment": comment,
        "challenge": challenge,
        "counter": survey.solve(challenge, survey.POW_BITS) if counter is None else counter,
    }
    return client.post(url(assessment), data, REMOTE_ADDR=address)


def test_a_citizen_answers_once_and_is_thanked(client, assessment):
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url(assessment))
    assert not [q for q in captured if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    assert "ความพึงพอใจต่อถนนของเทศบาล" in page.content.decode()  # the question in the type's words

    response = answer(client, assessment, comment="ถนนดีขึ้น")
    assert response.status_code == 302 and response["Location"].endswith("?thanks=1")
    stored = SurveyResponse.objects.unscoped().get()
    assert (stored.assessment, stored.comment, [a.satisfied for a in stored.answers.all()]) == (
        assessment,
        "ถนนดีขึ้น",
        [True],
    )
    assert "203.0.113.7" not in str(SurveyResponse.objects.unscoped().values().get())  # no network address kept

    thanked = client.get(url(assessment) + "?thanks=1").content.decode()
    assert 'id="survey-form"' not in thanked and "บันทึกคำตอบของท่านแล้ว" in thanked
    again = answer(client, assessment, satisfied=False, fresh=False)  # the same browser (its cookie) again
    assert again.status_code == 400
    assert SurveyResponse.objects.unscoped().count() == 1
    assert "ท่านตอบแบบสำรวจนี้แล้ว" in again.content.decode()


def test_another_browser_may_answer(client, assessment):
    from django.test import Client

    answer(client, assessment)
    assert answer(Client(), assessment).status_code == 302
    assert SurveyResponse.objects.unscoped().count() == 2


def test_without_the_work_or_with_a_reused_challenge_nothing_is_recorded(client, assessment):
    question = factories.question(assessment.framework)
    challenge = challenge_of(client.get(url(assessment)).content.decode())
    wrong = next(str(n) for n in range(1000) if not survey.work_is_done(challenge, str(n), survey.POW_BITS))
    response = client.post(url(assessment), {f"q{question.pk}": "1", "challenge": challenge, "counter": wrong})
    assert response.status_code == 400 and SurveyResponse.objects.unscoped().count() == 0
    forged = client.post(url(assessment), {f"q{question.pk}": "1", "challenge": "x:y:z", "counter": "1"})
    assert forged.status_code == 400 and SurveyResponse.objects.unscoped().count() == 0

    counter = survey.solve(challenge, survey.POW_BITS)
    data = {f"q{question.pk}": "1", "challenge": challenge, "counter": counter}
    assert client.post(url(assessment), data).status_code == 302
    from django.test import Client

    replay = Client().post(url(assessment), data)  # another browser, the same solved challenge
    assert replay.status_code == 400 and SurveyResponse.objects.unscoped().count() == 1


def test_an_unanswered_question_is_refused(client, assessment):
    challenge = challenge_of(client.get(url(assessment)).content.decode())
    response = client.post(url(assessment), {"challenge": challenge, "counter": survey.solve(challenge, 4)})
    assert response.status_code == 400 and SurveyResponse.objects.unscoped().count() == 0


def test_one_network_address_is_limited_per_hour(assessment, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(survey, "RATE_LIMIT", 3)
    statuses = [answer(Client(), assessment).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert SurveyResponse.objects.unscoped().count() == 3
    assert answer(Client(), assessment, address="198.51.100.1").status_code == 302  # another network


def test_the_survey_closes_with_the_entry_window_and_on_submission(client, assessment, closed_assessment):
    assert survey.is_open(assessment)
    assert not survey.is_open(closed_assessment)
    assert "แบบสำรวจนี้ปิดแล้ว" in client.get(url(closed_assessment)).content.decode()
    question = factories.question(closed_assessment.framework)
    challenge = survey.new_challenge(closed_assessment.pk)
    data = {f"q{question.pk}": "1", "challenge": challenge, "counter": survey.solve(challenge)}
    assert client.post(url(closed_assessment), data).status_code == 400
    assert not SurveyResponse.objects.unscoped().exists()

    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.AWAITING_DISTRICT)
    assessment.refresh_from_db()
    assert not survey.is_open(assessment)
    assert survey.is_open(assessment, now=timezone.now()) is False


def online(assessment, satisfied: int, needs_improvement: int, when=None) -> None:
    """Responses written as the survey writes them, each from its own browser."""
    question = factories.question(assessment.framework)
    for n in range(satisfied + needs_improvement):
        response = SurveyResponse.objects.create(
            assessment=assessment, browser=f"b{n}", created_at=when or timezone.now()
        )
        response.answers.create(question=question, satisfied=n < satisfied)


def test_online_counts_are_added_to_the_paper_counts_in_the_score(assessment, users):
    factories.satisfy(assessment, users.staff, satisfied=40, needs_improvement=10)
    online(assessment, 3, 1)
    results = compute_results(assessment)
    assert (results.score.satisfied, results.score.needs_improvement) == (43, 11)
    assert (results.areas[0].satisfied, results.areas[0].needs_improvement) == (43, 11)

    stored = rescore_assessment(assessment)
    assert (stored.satisfied, stored.needs_improvement) == (43, 11)
    rescore_round(assessment.round)
    stored = ReturnScore.objects.unscoped().get(assessment=assessment)
    assert (stored.satisfied, stored.needs_improvement) == (43, 11)

    counts = survey.question_counts(assessment)
    assert [(c.paper_satisfied, c.online_satisfied, c.satisfied, c.needs_improvement) for c in counts] == [
        (40, 3, 43, 11)
    ]


def test_an_officer_excludes_a_batch_with_a_reason_and_the_score_follows(client_for, assessment, users):
    factories.satisfy(assessment, users.staff, satisfied=40, needs_improvement=10)
    earlier = timezone.now() - dt.timedelta(hours=3)
    online(assessment, 2, 0, when=earlier)
    question = factories.question(assessment.framework)
    for n in range(5):  # a burst of "needs improvement" in one hour
        r = SurveyResponse.objects.create(assessment=assessment, browser=f"burst{n}", created_at=timezone.now())
        r.answers.create(question=question, satisfied=False)
    assert (rescore_assessment(assessment).needs_improvement) == 15

    officer = client_for(users.district_officer)
    page = officer.get(reverse("public:survey-responses", args=[assessment.pk]))
    assert page.status_code == 200
    hours = page.context["hours"]
    assert [(h.responses, h.excluded) for h in hours] == [(5, 0), (2, 0)]
    burst = hours[0].starts_at.isoformat()

    refused = officer.post(
        reverse("public:survey-responses", args=[assessment.pk]), {"starts_at": burst, "ends_at": burst, "reason": ""}
    )
    assert refused.status_code == 200 and not SurveyExclusion.objects.unscoped().exists()

    done = officer.post(
        reverse("public:survey-responses", args=[assessment.pk]),
        {"starts_at": burst, "ends_at": burst, "reason": "ส่งซ้ำจำนวนมากในหนึ่งชั่วโมง"},
    )
    assert done.status_code == 302
    exclusion = SurveyExclusion.objects.unscoped().get()
    assert (exclusion.responses, exclusion.reason, exclusion.excluded_by) == (
        5,
        "ส่งซ้ำจำนวนมากในหนึ่งชั่วโมง",
        users.district_officer,
    )
    assert SurveyResponse.objects.unscoped().counted().count() == 2
    assert ReturnScore.objects.unscoped().get(assessment=assessment).needs_improvement == 10  # rescored
    page = officer.get(reverse("public:survey-responses", args=[assessment.pk]))
    assert [(h.responses, h.excluded) for h in page.context["hours"]] == [(5, 5), (2, 0)]
    assert "ส่งซ้ำจำนวนมากในหนึ่งชั่วโมง" in page.content.decode()


def test_who_may_see_and_exclude(client_for, assessment, users):
    online(assessment, 1, 0)
    view = reverse("public:survey-responses", args=[assessment.pk])
    assert client_for(users.outsider_staff).get(view).status_code == 404
    assert client_for(users.staff).get(view).status_code == 200
    assert not survey.may_exclude(users.staff, assessment)
    assert survey.may_exclude(users.head, assessment)
    assert not survey.may_exclude(users.outsider_province_officer, assessment)
    hour = timezone.localtime(timezone.now()).replace(minute=0, second=0, microsecond=0).isoformat()
    client_for(users.staff).post(view, {"starts_at": hour, "ends_at": hour, "reason": "x"})
    assert not SurveyExclusion.objects.unscoped().exists()
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.ACCEPTED)
    assessment.refresh_from_db()
    assert not survey.may_exclude(users.national_admin, assessment)  # final results never move


def test_the_officers_find_the_survey_from_the_public_page(client, client_for, assessment, users):
    page = reverse("public:local-government", args=[assessment.local_government_id])
    link = reverse("public:survey-responses", args=[assessment.pk])
    assert link in client_for(users.staff).get(page).content.decode()
    assert link not in client_for(users.outsider_staff).get(page).content.decode()
    assert link not in client.get(page).content.decode()


def test_the_results_page_sums_paper_and_online_counts_per_question(client_for, assessment, users):
    factories.satisfy(assessment, users.staff, satisfied=40, needs_improvement=10)
    online(assessment, 3, 1)
    page = client_for(users.staff).get(reverse("reports:results", args=[assessment.pk]))
    rows = page.context["results"].satisfaction
    assert [(row.satisfied, row.needs_improvement) for row in rows] == [(43, 11)]  # as the total row and the score
    assert (page.context["results"].score.satisfied, page.context["results"].score.needs_improvement) == (43, 11)


def test_the_results_pdf_changes_with_the_online_counts(assessment, users):
    from localstandards.reports.services import pdf_cache_key

    factories.satisfy(assessment, users.staff, satisfied=40, needs_improvement=10)
    before = pdf_cache_key(assessment)
    online(assessment, 1, 0)
    assert pdf_cache_key(assessment) != before


def test_the_registry_page_links_the_survey_of_each_return_in_scope(client_for, assessment, users):
    page = reverse("registry:local-government", args=[assessment.local_government_id])
    link = reverse("public:survey-responses", args=[assessment.pk])
    assert link in client_for(users.staff).get(page).content.decode()
    assert reverse("public:local-government", args=[assessment.local_government_id]) in (
        client_for(users.staff).get(page).content.decode()
    )
