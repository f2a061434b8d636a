"""WCAG 2.1 A/AA by axe-core (the npm package, injected by Playwright) on the pages people use most: no violation.

New pages should be added to the list here so they stay at zero too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.e2e.test_registry_browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page, url: str) -> list[str]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)",
        WCAG_21_AA,
    )
    return [f"{url} {item}" for item in found]


def test_the_main_pages_pass_axe(live_server, world, users, submitted, axe_page):
    base = live_server.url
    problems = violations(axe_page, f"{base}/") + violations(axe_page, f"{base}/accounts/login/")
    log_in(axe_page, base, users.staff.username)
    for url in (
        reverse("home"),
        reverse("assessments:list"),
        reverse("assessments:overview", args=[submitted.pk]),
        reverse("assessments:area", args=[submitted.pk, "1"]),
        reverse("reports:results", args=[submitted.pk]),
    ):
        problems += violations(axe_page, base + url)
    axe_page.context.clear_cookies()
    log_in(axe_page, base, users.province_officer.username)
    for url in (
        reverse("home"),
        reverse("progress:level", args=[submitted.round_id, "province", world.province.code]),
        reverse("progress:laggards", args=[submitted.round_id, "province", world.province.code]),
    ):
        problems += violations(axe_page, base + url)
    axe_page.context.clear_cookies()
    log_in(axe_page, base, users.national_admin.username)
    for url in (
        reverse("assessments:rounds"),
        reverse("assessments:round-new"),
        reverse("assessments:round-edit", args=[submitted.round_id]),
        reverse("operations:people") + f"?q={users.head.username}",
        reverse("operations:person", args=[users.head.pk]),
    ):
        problems += violations(axe_page, base + url)
    assert problems == []


def test_the_award_pages_pass_axe(live_server, world, users, submitted, axe_page):
    from decimal import Decimal

    from django.utils import timezone

    from localstandards.assessments.models import Assessment, Status
    from localstandards.awards import services as awards
    from localstandards.scoring.models import ReturnScore

    Assessment.objects.unscoped().filter(pk=submitted.pk).update(status=Status.ACCEPTED)
    ReturnScore.objects.unscoped().update_or_create(
        assessment=submitted,
        defaults={
            "framework": submitted.framework,
            "score": Decimal("71.5"),
            "assessment_status": Status.ACCEPTED,
            "computed_at": timezone.now(),
        },
    )
    base = live_server.url
    log_in(axe_page, base, users.national_admin.username)
    url = base + reverse("awards:round", args=[submitted.round_id])
    problems = violations(axe_page, url)
    axe_page.goto(url)
    axe_page.get_by_role("button", name="ตรึงรายชื่อเพื่อรางวัล…").click()  # the confirmation step
    axe_page.add_script_tag(path=str(AXE))
    problems += [
        f"confirm {item}"
        for item in axe_page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
            ".map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)",
            WCAG_21_AA,
        )
    ]
    awards.freeze(submitted.round, users.national_admin)
    Assessment.objects.unscoped().filter(pk=submitted.pk).update(status=Status.RETURNED)  # a difference to show
    problems += violations(axe_page, url)
    assert problems == []


def test_the_national_results_and_committee_pages_pass_axe(live_server, world, users, axe_page):
    from tests.analysis.conftest import build_round

    earlier, _old = build_round(world, code="A-2566", name="รอบก่อน", opens_in=-40)
    assessment_round, _returns = build_round(world)
    base = live_server.url
    log_in(axe_page, base, users.national_admin.username)
    national = base + reverse("analysis:level", args=[assessment_round.pk, "nation", "all"])
    problems = violations(axe_page, national)
    # The map is drawn in the browser from the province shapes: every province is a path of the chart's SVG.
    axe_page.wait_for_selector("#province-map svg path")
    assert axe_page.locator("#province-map svg path").count() >= 77
    assert axe_page.locator("#areas-chart svg").count() == 1
    for url in (
        reverse("analysis:level", args=[assessment_round.pk, "province", world.province.code]) + "?type=SAO",
        reverse("analysis:level", args=[assessment_round.pk, "district", world.district.code]),
        reverse("analysis:compare", args=[assessment_round.pk, earlier.pk, "nation", "all"]),
        reverse("committee:list", args=[assessment_round.pk]),
    ):
        problems += violations(axe_page, base + url)
    assert problems == []
