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
