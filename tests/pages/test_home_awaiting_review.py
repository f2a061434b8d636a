"""One definition of "awaiting review" on an officer's home page (issue 16): the progress card's number is the
returns with the district or the province, and it shows how it splits, so it adds up with the review queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.assessments import services
from localstandards.assessments.models import Status
from tests.html import find, text

pytestmark = pytest.mark.django_db


def test_the_progress_card_splits_awaiting_review_by_level(submitted, users, client_for):
    services.accept(submitted, users.district_officer, "district")  # now with the province
    body = client_for(users.district_officer).get(reverse("home")).content
    split = text(find(body, css_class="awaiting-split"))
    assert f"{Status.AWAITING_DISTRICT.label} 0" in split
    assert f"{Status.AWAITING_PROVINCE.label} 1" in split


def test_the_queue_and_the_split_agree_for_the_district(submitted, users, client_for):
    body = client_for(users.district_officer).get(reverse("home")).content
    split = text(find(body, css_class="awaiting-split"))
    assert f"{Status.AWAITING_DISTRICT.label} 1" in split
    assert f"{Status.AWAITING_PROVINCE.label} 0" in split
    assert f"1 {Status.AWAITING_DISTRICT.label}" in text(find(body, id="review-queue"))
