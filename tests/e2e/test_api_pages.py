"""The API's pages in Chromium: the token pages pass axe (WCAG 2.1 AA), and the API docs page renders under the
site's CSP with every file from this server (no CDN)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.test_accessibility import violations
from tests.e2e.test_registry_browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_token_pages_pass_axe(live_server, world, users, axe_page):
    base = live_server.url
    log_in(axe_page, base, users.province_officer.username)
    problems = violations(axe_page, base + reverse("api:token-create"))
    axe_page.locator("#id_name").fill("ระบบของจังหวัด")
    axe_page.locator("#id_scope_level").select_option("PROVINCE")
    axe_page.locator("#id_province").select_option(str(world.province.pk))
    axe_page.get_by_role("button", name="สร้างโทเคน").click()
    key = axe_page.locator("#token-key").input_value()
    assert key.startswith("lsk_")
    problems += violations(axe_page, base + reverse("api:tokens"))
    assert problems == []


def test_the_docs_page_renders_under_the_csp_from_this_server_only(live_server, page):
    requested: list[str] = []
    console_errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    response = page.goto(f"{live_server.url}/api/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_text("/api/returns/{return_id}/results").first.wait_for()
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert [text for text in console_errors if "Content Security Policy" in text] == []
