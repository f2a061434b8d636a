"""The public side in Chromium: axe-core (WCAG 2.1 AA) on every new public page and the officers' survey view, and
the citizen survey answered in a real browser on a phone-sized screen (the proof of work done by static JS under
the site's CSP)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.public.models import SurveyResponse
from tests.e2e.test_accessibility import violations
from tests.e2e.test_registry_browser import log_in
from tests.reports.conftest import make_final

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_public_pages_pass_axe(live_server, world, users, assessment, closed_assessment, axe_page):
    make_final(closed_assessment)
    base = live_server.url
    lg = world.local_government
    pages = [
        reverse("public:home"),
        reverse("public:search") + "?q=ทต.หนองป่าครั่ง",
        reverse("public:provinces"),
        reverse("public:province", args=[world.province.code]),
        reverse("public:local-government", args=[lg.pk]),
        reverse("public:open-data"),
        reverse("public:data-dictionary"),
        reverse("public:survey", args=[assessment.round_id, lg.pk]),
    ]
    problems = [problem for url in pages for problem in violations(axe_page, base + url)]
    log_in(axe_page, base, users.district_officer.username)
    problems += violations(axe_page, base + reverse("public:survey-responses", args=[assessment.pk]))
    assert problems == []


def test_a_citizen_answers_the_survey_on_a_phone(live_server, world, assessment, browser, screenshot_dir):
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="th-TH", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(live_server.url + reverse("public:survey", args=[assessment.round_id, world.local_government.pk]))
        send = page.get_by_role("button", name="ส่งคำตอบ")
        page.wait_for_function("() => !document.querySelector('#survey-form button[type=submit]').disabled")
        page.get_by_label("พอใจ", exact=True).check()
        page.get_by_label("ความคิดเห็น (ไม่บังคับ)").fill("ไฟถนนดีขึ้นมาก")
        page.screenshot(path=screenshot_dir / "public-survey-phone.png", full_page=True)
        send.click()
        page.wait_for_url("**?thanks=1")
        assert "บันทึกคำตอบของท่านแล้ว" in page.content()
        assert errors == []  # no CSP refusal, no script error
    finally:
        context.close()
    response = SurveyResponse.objects.unscoped().get()
    assert (response.comment, [a.satisfied for a in response.answers.all()]) == ("ไฟถนนดีขึ้นมาก", [True])
