"""The survey poster: an A4 PDF in Thai whose QR code, read as a phone reads it, opens the survey."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_posters_qr_code_leads_to_the_survey(client_for, assessment, users, settings):
    settings.SITE_URL = "https://mps.example.go.th"
    response = client_for(users.staff).get(reverse("public:survey-poster", args=[assessment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    pdf = pypdfium2.PdfDocument(response.content)
    assert len(pdf) == 1
    page = pdf[0]
    width, height = page.get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4, in mm
    text = page.get_textpage().get_text_range()
    # The text layer splits some vowels and tone marks (an extraction artefact, see docs/results.md): the name is
    # checked by its consonants, the province as written.
    assert "หนองป" in text and "จังหวัด เชียงใหม่" in text
    image = page.render(scale=2).to_pil()
    codes = zxingcpp.read_barcodes(image)
    expected = "https://mps.example.go.th" + reverse(
        "public:survey", args=[assessment.round_id, assessment.local_government_id]
    )
    assert [code.text for code in codes] == [expected]
    assert client_for(users.staff).get(expected.removeprefix("https://mps.example.go.th")).status_code == 200


def test_the_poster_is_for_the_returns_officers_only(client, client_for, assessment, users):
    url = reverse("public:survey-poster", args=[assessment.pk])
    assert client_for(users.outsider_staff).get(url).status_code == 404
    assert client.get(url).status_code == 302  # to the login page
