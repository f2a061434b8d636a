"""What a committee viewer may open: the national results and the reports, not the evidence files (issue 14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.assessments.models import Evidence

pytestmark = pytest.mark.django_db


def test_a_committee_viewer_reads_results_but_not_evidence(submitted, users, client_for):
    client = client_for(users.committee_viewer)
    evidence = submitted.evidence.get()
    assert client.get(reverse("reports:results", args=[submitted.pk])).status_code == 200
    assert client.get(reverse("progress:level", args=[submitted.round_id, "nation", "all"])).status_code == 200
    assert client.get(reverse("analysis:level", args=[submitted.round_id, "nation", "all"])).status_code == 200
    assert client.get(reverse("committee:list", args=[submitted.round_id])).status_code == 200
    download = reverse("assessments:download-evidence", args=[submitted.pk, evidence.pk])
    assert client.get(download).status_code == 404
    assert not Evidence.objects.for_user(users.committee_viewer).exists()
    # The national admin, with the same national scope, still reaches it.
    assert client_for(users.national_admin).get(download).status_code == 200


def test_the_return_pages_show_a_committee_viewer_that_a_file_is_attached_not_its_name(submitted, users, client_for):
    evidence = submitted.evidence.get()
    area = evidence.indicator.mission.area.code
    pages = [
        reverse("assessments:area", args=[submitted.pk, area]),
        reverse("assessments:history", args=[submitted.pk, evidence.indicator_id]),
    ]
    for page in pages:
        viewer_page = client_for(users.committee_viewer).get(page)
        assert viewer_page.status_code == 200
        assert evidence.original_name not in viewer_page.content.decode()
        admin_page = client_for(users.national_admin).get(page).content.decode()
        assert evidence.original_name in admin_page
