"""The subsidy analysis pages pass axe-core (WCAG 2.1 A/AA), with the synthetic banner showing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.subsidy.models import FiscalImport
from tests.e2e.test_accessibility import violations
from tests.e2e.test_registry_browser import log_in
from tests.subsidy.example import build_example

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_subsidy_pages_pass_axe(live_server, world, users, framework, axe_page):
    example = build_example(framework)
    FiscalImport.objects.update(synthetic=True)
    base = live_server.url
    problems: list[str] = []
    log_in(axe_page, base, users.national_admin.username)
    problems += violations(axe_page, base + reverse("subsidy:analysis", args=[example.assessment_round.pk]))
    assert axe_page.locator("#synthetic-banner").count() == 1
    for url in (
        reverse("subsidy:import"),
        reverse("subsidy:unit-costs", args=[example.assessment_round.fiscal_year]),
    ):
        problems += violations(axe_page, base + url)
    axe_page.context.clear_cookies()
    log_in(axe_page, base, users.province_officer.username)
    problems += violations(axe_page, base + reverse("subsidy:analysis", args=[example.assessment_round.pk]))
    assert problems == []
