"""The results PDF is rendered once per content and then served from the cache; anything it shows changes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from localstandards.assessments.models import Answer, Assessment, Status
from localstandards.reports import services
from localstandards.reports.models import PublicLink
from localstandards.scoring.services import rescore_assessment
from tests.assessments.factories import RATIO
from tests.reports.conftest import make_final, store_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """Counts the PDF renderings (WeasyPrint runs) behind the views."""
    calls: list[int] = []
    render = services.results_pdf

    def counting(results):
        calls.append(results.assessment.pk)
        return render(results)

    monkeypatch.setattr(services, "results_pdf", counting)
    return calls


def pdf_url(assessment) -> str:
    return reverse("reports:pdf", args=[assessment.pk])


def test_the_second_request_renders_nothing_and_the_public_link_shares_the_pdf(assessment, users, client_for, renders):
    make_final(assessment)
    client = client_for(users.staff)
    first = client.get(pdf_url(assessment))
    second = client_for(users.province_officer).get(pdf_url(assessment))
    public = Client().get(
        reverse("reports:public-pdf", args=[PublicLink.objects.unscoped().get(assessment=assessment).slug])
    )
    assert first.content.startswith(b"%PDF")
    assert first.content == second.content == public.content
    assert renders == [assessment.pk]


def test_a_changed_answer_or_rescore_gives_a_new_pdf(assessment, users, client_for, renders):
    store_answers(assessment)
    client = client_for(users.staff)
    before = client.get(pdf_url(assessment)).content
    # A provisional return's answer is saved again (as the data-entry page does): its results change.
    Answer.objects.unscoped().filter(assessment=assessment, indicator__code=RATIO).update(
        delivered=Decimal(2), updated_at=timezone.now() + dt.timedelta(seconds=1)
    )
    after = client.get(pdf_url(assessment)).content
    assert after != before and len(renders) == 2
    rescore_assessment(assessment)  # the stored results are rebuilt: the PDF is rendered from them
    client.get(pdf_url(assessment))
    assert len(renders) == 3
    client.get(pdf_url(assessment))
    assert len(renders) == 3


def test_thai_digits_are_a_pdf_of_their_own_and_the_english_ui_gets_the_thai_pdf(
    assessment, users, client_for, renders
):
    make_final(assessment)
    client = client_for(users.staff)
    arabic = client.get(pdf_url(assessment)).content
    client.cookies["thai_digits"] = "1"
    thai = client.get(pdf_url(assessment)).content
    assert thai != arabic and len(renders) == 2
    client.cookies["thai_digits"] = "0"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(pdf_url(assessment)).content == arabic  # the PDF is always in Thai
    assert len(renders) == 2


def test_the_day_printed_on_is_part_of_the_pdf(assessment, users, client_for, renders, monkeypatch):
    make_final(assessment)
    client = client_for(users.staff)
    client.get(pdf_url(assessment))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(services.timezone, "localdate", lambda *args: tomorrow)
    client.get(pdf_url(assessment))
    assert len(renders) == 2


def test_a_status_change_gives_a_new_pdf(assessment, users, client_for, renders):
    store_answers(assessment)
    client = client_for(users.staff)
    provisional = client.get(pdf_url(assessment)).content
    # Accepted as the review does it (status and version move): "final results" instead of "provisional".
    Assessment.objects.unscoped().filter(pk=assessment.pk).update(status=Status.ACCEPTED, version=F("version") + 1)
    assert client.get(pdf_url(assessment)).content != provisional
    assert len(renders) == 2


def test_the_pdf_is_served_when_the_cache_is_down(assessment, users, client_for, renders, monkeypatch):
    store_answers(assessment)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(services.cache, "get", down)
    monkeypatch.setattr(services.cache, "set", down)
    response = client_for(users.staff).get(pdf_url(assessment))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
