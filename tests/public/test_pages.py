"""The public pages over a generated round: what they show (final results only), that they show no personal data,
their cache headers and their query counts."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from localstandards.accounts.models import User
from localstandards.assessments.models import Assessment, Status
from localstandards.public import services
from localstandards.scoring.models import ReturnScore
from tests.factories import LocalGovernmentFactory

pytestmark = pytest.mark.django_db

SQUARE = [[[98.7, 18.4], [99.1, 18.4], [99.1, 18.8], [98.7, 18.8], [98.7, 18.4]]]
SHAPES = {
    "type": "FeatureCollection",
    "features": [
        {
            "properties": {"ADM1_PCODE": "TH50", "ADM1_TH": "เชียงใหม่"},
            "geometry": {"type": "Polygon", "coordinates": SQUARE},
        }
    ],
}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def crawl(client, start: list[str]) -> dict[str, str]:
    """Every page reachable from `start` through links inside the public side (open-data files included) and the
    public permalinks (PDFs left out: their text is the permalink page's), as {url: text}."""
    seen: dict[str, str] = {}
    queue = list(start)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            seen[url] = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        assert response.status_code == 200, url
        writes = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        assert writes == [], url  # a GET never writes
        parser = Links()
        parser.feed(seen[url])
        for href in parser.hrefs:
            href = href.split("#")[0]
            if href.startswith(("/public/", "/results/p/")) and "/pdf/" not in href and "page=" not in href:
                queue.append(href.replace("&amp;", "&"))
    return seen


def test_no_page_of_the_public_side_shows_a_name_a_phone_or_an_email(client, generated):
    personal: set[str] = set()
    for first, last, phone, email, username in User.objects.values_list(
        "first_name", "last_name", "phone", "email", "username"
    ):
        personal.update(value for value in (f"{first} {last}".strip(), phone, email, username) if value)
    personal.update(Assessment.objects.unscoped().exclude(certifier_name="").values_list("certifier_name", flat=True))
    assert len(personal) > 100  # the generator made officers with names, phones and e-mails

    rounds = [f"?round={r.pk}" for r in (generated.current, generated.previous)]
    pages = crawl(
        client,
        ["/", reverse("public:home"), *(reverse("public:province", args=["50"]) + r for r in rounds)]
        + [reverse("public:search") + f"?q={q}" for q in ("อบต.", "ทต.", "75000")],
    )

    lgs = {lg.pk for lg in generated.world.province.local_governments.all()}
    local_pages = {url for url in pages if url.startswith("/public/lg/")}
    assert local_pages >= {reverse("public:local-government", args=[pk]) for pk in lgs}  # and the search finds more
    assert any(url.startswith("/results/p/") for url in pages)  # the permalinks were followed too
    assert any(url.endswith("/indicators.csv") for url in pages)  # and the open data
    for url, html in pages.items():
        text = re.sub(r"\s+", " ", html)
        leaked = sorted(value for value in personal if value in text)
        assert not leaked, (url, leaked)


def test_a_local_government_shows_the_rounds_with_a_final_return_only(client, generated):
    final_both = (
        Assessment.objects.unscoped()
        .filter(round=generated.current, status=Status.ACCEPTED)
        .filter(local_government__assessments__round=generated.previous)
        .filter(local_government__assessments__status=Status.ACCEPTED)
        .select_related("local_government")
        .first()
    )
    not_final = Assessment.objects.unscoped().filter(round=generated.current).exclude(status=Status.ACCEPTED).first()
    assert final_both is not None and not_final is not None

    history = services.history(final_both.local_government)
    assert [item.assessment_round for item in history] == [generated.current, generated.previous]
    page = client.get(reverse("public:local-government", args=[final_both.local_government_id])).content.decode()
    assert generated.current.name in page and generated.previous.name in page
    assert final_both.public_link.slug in page

    page = client.get(reverse("public:local-government", args=[not_final.local_government_id])).content.decode()
    assert generated.current.name not in page  # a provisional return publishes nothing


def test_the_province_table_counts_final_returns_only(client, generated, settings, tmp_path):
    (tmp_path / "provinces.geojson").write_text(json.dumps(SHAPES), encoding="utf-8")
    settings.PROVINCES_GEOJSON = str(tmp_path / "provinces.geojson")
    response = client.get(reverse("public:province", args=["50"]), {"round": generated.current.pk})
    final = ReturnScore.objects.unscoped().filter(
        assessment__round=generated.current, assessment__status=Status.ACCEPTED, assessment_status=Status.ACCEPTED
    )
    summary = response.context["summary"]
    assert summary.units == 23 and summary.final == final.count() > 0
    assert summary.passed == final.filter(passed=True).count()
    scored = {row.local_government.pk: row.score.score for row in response.context["rows"] if row.score}
    assert scored == dict(final.values_list("assessment__local_government_id", "score"))
    dots = response.context["dots"]
    assert len(dots) == 20  # the 20 with a location, placed in the 200-unit box: west and north at 0
    assert (dots[0].x, dots[0].y) in {
        (round((lon - 98.7) * 500, 1), round((18.8 - lat) * 500, 1))
        for lon, lat in ((98.8 + n / 100, 18.5 + n / 100) for n in range(20))
    }
    assert '<path class="public-map-province"' in response.content.decode()
    settings.PROVINCES_GEOJSON = ""
    response = client.get(reverse("public:province", args=["50"]))
    assert response.context["outline"] is None and "public-map-province" not in response.content.decode()


def test_a_district_filter_and_bad_input(client, generated):
    url = reverse("public:province", args=["50"])
    response = client.get(url, {"district": generated.world.other_district_same_province.code})
    assert {row.local_government.district_id for row in response.context["rows"]} == {
        generated.world.other_district_same_province.pk
    }
    response = client.get(url, {"district": "9999", "round": "abc"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 23 and response.context["round"] == generated.current
    assert len(response.context["errors"]) == 2
    assert client.get(reverse("public:province", args=["99"])).status_code == 404
    assert client.get(reverse("public:local-government", args=[999999])).status_code == 404
    assert client.post(reverse("public:home")).status_code == 405


@pytest.mark.parametrize("name", ["public:home", "public:provinces", "public:search"])
def test_public_pages_are_cacheable_for_visitors_and_private_for_the_logged_in(client, generated, name):
    response = client.get(reverse(name))
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in response["Vary"]
    client.force_login(User.objects.get(username="national-admin"))
    assert client.get(reverse(name))["Cache-Control"] == "private, max-age=0"


def queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_more_local_governments_cost_no_more_queries(client, generated):
    province_url = reverse("public:province", args=["50"])
    lg = Assessment.objects.unscoped().filter(round=generated.previous, status=Status.ACCEPTED).first().local_government
    lg_url = reverse("public:local-government", args=[lg.pk])
    before = [queries(client, province_url), queries(client, lg_url), queries(client, reverse("public:home"))]
    for number in range(15):
        LocalGovernmentFactory(district=generated.world.district, dla_code=f"76{number:05d}")
    after = [queries(client, province_url), queries(client, lg_url), queries(client, reverse("public:home"))]
    assert before == after
    # province: the province, the rounds, its districts, its units, their final scores; a local government: itself,
    # its final scores, their areas, the permalinks; home: the latest round, the rates
    assert after == [5, 4, 2]


def test_the_pages_read_in_english_too(client, generated, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    lg = generated.world.local_government
    expected = {
        reverse("public:home"): "Results of local governments",
        reverse("public:provinces"): "Provinces and districts",
        reverse("public:province", args=["50"]): "Local governments of the province and their final results",
        reverse("public:local-government", args=[lg.pk]): "Final results, round by round",
        reverse("public:open-data"): "Open data",
        reverse("public:data-dictionary"): "Data dictionary",
    }
    for url, text in expected.items():
        response = client.get(url)
        assert response.status_code == 200 and text in response.content.decode(), url
