"""Pages go out gzipped to browsers that accept it (the entry page: 80 KB of HTML, 9 KB on the wire).

Why compressing pages that carry a CSRF token is acceptable (BREACH): docs/deployment.md, "Compression".
"""

import gzip

import pytest
from django.http import HttpResponse
from django.urls import reverse

from localstandards.core.middleware import TextGZipMiddleware


@pytest.mark.django_db
def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client):
    response = client.get(reverse("home"), headers={"accept-encoding": "gzip, deflate, br"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "</html>" in html and len(response.content) < len(html.encode()) / 2


@pytest.mark.django_db
def test_a_client_that_does_not_accept_gzip_gets_plain_html(client):
    response = client.get(reverse("home"))
    assert not response.has_header("Content-Encoding")
    assert "</html>" in response.content.decode()


def test_files_that_are_compressed_already_are_not_gzipped_again(rf):
    pdf = HttpResponse(b"%PDF-1.7 " + b"x" * 5000, content_type="application/pdf")
    request = rf.get("/", headers={"accept-encoding": "gzip"})
    response = TextGZipMiddleware(lambda request: pdf)(request)
    assert not response.has_header("Content-Encoding")
    assert len(response.content) > 5000
