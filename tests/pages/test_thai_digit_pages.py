"""Thai-digit mode: every number on the results, overview, entry and progress pages follows the visitor's choice
(issue 16: "mixed Thai and Arabic digits on one line").

Identifiers stay as they are written, in Arabic digits, as the documents they are copied from print them:
indicator and question codes, the framework's code, DLA codes, web addresses and e-mail addresses; so does text
people wrote (indicator wording, names). Everything else — counts, percentages, scores, the (1) / (2) markers,
dates — is in Thai digits (docs/deployment.md, THAI_DIGITS_DEFAULT).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test.html import Element, parse_html
from django.urls import reverse

from localstandards.core import thaidate
from localstandards.frameworks.models import Indicator, SatisfactionQuestion
from localstandards.registry.models import LocalGovernment
from localstandards.reports import services
from tests.assessments import factories
from tests.reports.conftest import add_peers, make_final
from tests.reports.pdf_pages import page_texts

pytestmark = pytest.mark.django_db

ARABIC = re.compile(r"[0-9]")
ADDRESSES = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+")


def _visible(node, parts: list[str]) -> None:
    if isinstance(node, Element):
        if node.name in ("script", "style", "template", "textarea", "code", "pre"):  # code to copy is code
            return
        for child in node.children:
            _visible(child, parts)
    else:
        parts.append(str(node))


def main_text(content: bytes) -> str:
    """The text of <main>, tags removed (what a reader sees, screen-reader-only text included)."""
    html = content.decode()
    parts: list[str] = []
    _visible(parse_html(html[html.index("<main") : html.index("</main>") + len("</main>")]), parts)
    return " ".join(" ".join(parts).split())


def identifiers(framework) -> list[str]:
    """What may keep Arabic digits: codes, and names people gave (longest first, so 1.1.10 goes before 1.1.1)."""
    codes = list(Indicator.objects.filter(framework=framework).values_list("code", flat=True))
    codes += SatisfactionQuestion.objects.filter(framework=framework).values_list("code", flat=True)
    codes += [framework.code]
    for lg in LocalGovernment.objects.all():
        codes += [lg.dla_code or "", lg.name_th, lg.full_name_th]
    codes += [f"{user.first_name} {user.last_name}" for user in get_user_model().objects.all()]
    return sorted({code for code in codes if code}, key=len, reverse=True)


def arabic_digits_left(text: str, allowed: list[str]) -> list[str]:
    text = ADDRESSES.sub(" ", text)
    for item in allowed:
        text = text.replace(item, " ")
    return [text[max(0, m.start() - 30) : m.end() + 10] for m in ARABIC.finditer(text)]


@pytest.fixture
def rich_return(world, framework):
    """A final return with five final peers (percentiles shown) and a final return in an earlier round."""
    earlier = factories.open_test_round(framework, opens_in=-400, closes_in=-380, review_in=-370, name="รอบก่อน")
    make_final(earlier.assessments.get(local_government=world.local_government), delivered=5, count=5, yesno=False)
    peers = add_peers(world.district, 5)
    current = factories.open_test_round(framework, name="รอบปีนี้")
    returns = {a.local_government_id: a for a in current.assessments.select_related("framework")}
    for number, peer in enumerate(peers):
        make_final(returns[peer.pk], base=1200 + number, delivered=900 + 50 * number, count=number)
    return make_final(returns[world.local_government.pk], base=13502, delivered=10360, count=1, yesno=True)


def thai_client(client_for, user):
    client = client_for(user)
    client.cookies["thai_digits"] = "1"
    return client


PAGES = [
    ("staff", "reports:results", lambda a: [a.pk]),
    ("staff", "assessments:overview", lambda a: [a.pk]),
    ("staff", "assessments:area", lambda a: [a.pk, "1"]),
    ("staff", "assessments:list", lambda a: []),
    ("province_officer", "progress:level", lambda a: [a.round_id, "province", "50"]),
    ("district_officer", "progress:level", lambda a: [a.round_id, "district", "5001"]),
    ("national_admin", "progress:level", lambda a: [a.round_id, "nation", "all"]),
    ("province_officer", "progress:laggards", lambda a: [a.round_id, "province", "50"]),
    ("staff", "progress:public", lambda a: [a.round_id]),
    ("staff", "home", lambda a: []),
    ("province_officer", "home", lambda a: []),
]


@pytest.mark.parametrize(("who", "route", "args"), PAGES, ids=[f"{r}-{w}" for w, r, _a in PAGES])
def test_no_arabic_digit_in_the_main_content_in_thai_digit_mode(rich_return, users, client_for, who, route, args):
    response = thai_client(client_for, users.by_name(who)).get(reverse(route, args=args(rich_return)))
    assert response.status_code == 200
    text = main_text(response.content)
    assert re.search("[๐-๙]", text)  # the page does show numbers
    assert arabic_digits_left(text, identifiers(rich_return.framework)) == []


def test_the_same_pages_keep_arabic_digits_by_default(rich_return, users, client_for):
    text = main_text(client_for(users.staff).get(reverse("reports:results", args=[rich_return.pk])).content)
    assert "13,502" in text and not re.search("[๐-๙]", text)


def test_the_results_pdf_follows_the_setting(rich_return, users):
    token = thaidate.set_thai_digits_preference(True)
    try:
        results = services.build_results(rich_return, standing=False, previous=False)
        text = " ".join(page_texts(services.results_pdf_document(results)))
    finally:
        thaidate.reset_thai_digits_preference(token)
    assert "๑๓,๕๐๒" in text
    assert arabic_digits_left(text, identifiers(rich_return.framework)) == []
