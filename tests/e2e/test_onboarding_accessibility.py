"""The onboarding pages pass axe-core (WCAG 2.1 A/AA): activation, access requests, the account list, the circular,
two-factor set-up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from localstandards.accounts import access_requests, invitations
from localstandards.accounts.models import Invitation, Role
from tests.e2e.test_accessibility import violations
from tests.e2e.test_registry_browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_onboarding_pages_pass_axe(live_server, world, users, open_round, axe_page):
    base = live_server.url
    invitations.provision([world.neighbour_same_district.pk], open_round.pk, None)
    seat = Invitation.objects.get(local_government=world.neighbour_same_district, role=Role.LG_HEAD)
    _seat, code = invitations.issue_code(seat, None)
    person = invitations.Person("นิด", "ดีงาม", "ปลัด", "nid@example.go.th", "081", "Lampang-2567-horse")
    access_requests.submit(world.local_government, Role.LG_STAFF, person)
    problems: list[str] = []
    problems += violations(axe_page, f"{base}{reverse('activate')}?code={code}")
    problems += violations(axe_page, f"{base}{reverse('request-access')}?q=สันผีเสื้อ")
    log_in(axe_page, base, users.province_officer.username)
    for url in (
        reverse("notices:onboarding", args=[open_round.pk]),
        reverse("notices:onboarding-unit", args=[open_round.pk, "province", "50"]),
        reverse("notices:circular", args=[open_round.pk, "district", "50"]),
        reverse("access-requests"),
        reverse("two-factor"),
        reverse("registry:province", args=["50"]),
    ):
        problems += violations(axe_page, base + url)
    axe_page.context.clear_cookies()
    log_in(axe_page, base, users.national_admin.username)
    problems += violations(axe_page, base + reverse("notices:circular-template", args=[open_round.pk, "lao"]))
    assert problems == []
