"""A GET never writes (DESIGN §3): the pages people read run no INSERT, UPDATE or DELETE.

The results pages used to rebuild stored results and create the public link while being read; now results are
computed in memory when the cache is stale, and the link is made on acceptance.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from localstandards.reports.models import PublicLink
from tests.reports.conftest import make_final, store_answers

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_during_get(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_reading_a_provisional_return_writes_nothing(assessment, users, client_for):
    store_answers(assessment)
    client = client_for(users.staff)
    for name in ("assessments:overview", "reports:results", "reports:pdf", "reports:plan"):
        assert writes_during_get(client, reverse(name, args=[assessment.pk])) == [], name
    assert writes_during_get(client, reverse("assessments:area", args=[assessment.pk, "1"])) == []
    assert writes_during_get(client, reverse("home")) == []


def test_reading_a_final_return_and_its_public_pages_writes_nothing(assessment, users, client_for):
    make_final(assessment)
    slug = PublicLink.objects.unscoped().get(assessment=assessment).slug
    assert writes_during_get(client_for(users.province_officer), reverse("reports:results", args=[assessment.pk])) == []
    for name in ("reports:public", "reports:embed", "reports:public-pdf"):
        assert writes_during_get(Client(), reverse(name, args=[slug])) == [], name


def test_the_progress_pages_write_nothing(open_round, world, users, client_for):
    client = client_for(users.province_officer)
    urls = [
        reverse("progress:level", args=[open_round.pk, "province", world.province.code]),
        reverse("progress:laggards", args=[open_round.pk, "province", world.province.code]),
        reverse("progress:flags", args=[open_round.pk, "province", world.province.code]),
        reverse("progress:public", args=[open_round.pk]),
    ]
    for url in urls:
        assert writes_during_get(client, url) == [], url
