"""The whole path of a return in Chromium, on the sample framework:
an officer fills every area (autosave and the plain form), attaches evidence, the head certifies and submits,
the district returns one indicator with a reason, the officer corrects it, the head resubmits, the district and
the province accept. Screenshots of the entry page, the overview and the receipt go to the artifacts folder.
"""

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from django.utils import timezone

from localstandards.assessments import services
from localstandards.assessments.models import Assessment, Status
from localstandards.frameworks.services import import_workbook
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[2] / "localstandards/frameworks/samples/framework-2567-sample.xlsx"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def log_in(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{base_url}/")


def wait_saved(page, status_id: str) -> None:
    """Until the block says it is saved and no save is still queued or in flight."""
    page.wait_for_timeout(150)
    page.wait_for_function(
        f"() => {{ const s = document.querySelector('#{status_id}');"
        " return s && s.classList.contains('is-saved') && !document.querySelector('.htmx-request'); }"
    )


def fill_area(page) -> None:
    """Type every answer; each block saves itself (HTMX) when the officer leaves it, posting only its own fields."""
    saves = []
    page.on("request", lambda r: saves.append(r.post_data) if r.method == "POST" and r.url.endswith("/save/") else None)
    cards = page.locator(".indicator-card")
    for index in range(cards.count()):
        card = cards.nth(index)
        prefix = card.get_attribute("id")
        if card.locator(f"#{prefix}-base").count():
            card.locator(f"#{prefix}-base").fill("10")
            card.locator(f"#{prefix}-delivered").fill("9")
            card.locator(f"#{prefix}-delivered").press("Tab")
        elif card.locator(f"#{prefix}-count").count():
            card.locator(f"#{prefix}-count").fill("3")
            card.locator(f"#{prefix}-count").press("Tab")
        else:
            card.locator(f"#{prefix}-yes").check()
        wait_saved(page, f"{prefix}-status")
        page.wait_for_function(f"() => document.querySelector('#{prefix}-version').value !== '0'")
    for qid in [row.get_attribute("id") for row in page.locator(".question-row").all()]:
        page.fill(f"#{qid}-satisfied", "40")
        page.fill(f"#{qid}-needs_improvement", "20")
        page.press(f"#{qid}-needs_improvement", "Tab")
        wait_saved(page, f"{qid}-status")
    assert saves
    for body in saves:
        names = {name for name, _value in parse_qsl(body, keep_blank_values=True)} - {"csrfmiddlewaretoken"}
        assert len({name.split("-")[0] for name in names}) == 1, names  # one indicator or question, not the area
    page.reload()
    # Evidence for every indicator that asks for it (one real PDF each, through the plain upload form).
    while True:
        missing = page.locator(".indicator-card:has(.badge.text-bg-warning) input[type=file]")
        if missing.count() == 0:
            break
        missing.first.set_input_files({"name": "หลักฐาน.pdf", "mimeType": "application/pdf", "buffer": PDF})
        missing.first.locator("xpath=following-sibling::button").click()
        page.wait_for_load_state()


def test_a_return_from_entry_to_acceptance(live_server, world, users, page, phone, screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    framework = import_workbook(SAMPLE.read_bytes(), publish=True).framework
    today = timezone.localdate()
    services.open_round(
        framework=framework,
        name="รอบทดสอบ 2567",
        fiscal_year=2567,
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        review_deadline=today + dt.timedelta(days=40),
    )
    assessment = Assessment.objects.unscoped().get(local_government=world.local_government)
    base = live_server.url

    log_in(page, base, "staff")
    page.goto(f"{base}/returns/{assessment.pk}/")
    areas = [a.get_attribute("href") for a in page.locator(".list-group a.list-group-item").all()]
    assert len(areas) == 6
    for number, href in enumerate(areas):
        page.goto(f"{base}{href}")
        fill_area(page)
        if number == 0:
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=screenshot_dir / "return-entry.png", full_page=False)
    page.goto(f"{base}/returns/{assessment.pk}/")
    blockers = page.locator(".blockers").inner_text() if page.locator(".blockers").count() else ""
    assert "กรอกข้อมูลและแนบหลักฐานครบแล้ว" in page.content(), blockers
    page.screenshot(path=screenshot_dir / "return-overview.png", full_page=True)

    # Staff cannot certify; the head can.
    page.goto(f"{base}/returns/{assessment.pk}/submit/")
    assert page.locator("#id_confirmed").count() == 0
    log_in(page, base, "head")
    page.goto(f"{base}/returns/{assessment.pk}/submit/")
    page.fill("#id_certifier_name", "นายทดสอบ ใจดี")
    page.fill("#id_certifier_position", "ปลัดเทศบาล")
    page.check("#id_confirmed")
    page.get_by_role("button", name="รับรองและส่งแบบประเมิน").click()
    page.wait_for_url(f"{base}/returns/{assessment.pk}/receipt/")
    assessment.refresh_from_db()
    assert assessment.receipt_checksum in page.content()
    page.screenshot(path=screenshot_dir / "return-receipt.png", full_page=True)

    # On a 360 px phone the entry and review pages fit the screen.
    log_in(phone, base, "district_officer")
    phone.goto(f"{base}/returns/{assessment.pk}/review/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=screenshot_dir / "return-review-phone.png", full_page=False)
    phone.goto(f"{base}{areas[0]}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The district returns one indicator with a reason.
    log_in(page, base, "district_officer")
    page.goto(f"{base}/returns/{assessment.pk}/review/")
    first_reason = page.locator("textarea[name^=reason-]").first
    returned_indicator = first_reason.get_attribute("name").split("-")[1]
    first_reason.fill("ตัวเลขกรอบการประเมินไม่ตรงกับทะเบียนทางหลวงท้องถิ่น")
    page.get_by_role("button", name="ส่งกลับแก้ไข").click()
    page.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.status == Status.RETURNED

    # The officer sees the reason, can change only that indicator, and corrects it.
    log_in(page, base, "staff")
    assert "ถูกส่งกลับแก้ไข" in page.content()
    page.goto(f"{base}/returns/{assessment.pk}/")
    page.locator(".list-group a.list-group-item").first.click()
    card = page.locator(f"#i{returned_indicator}")
    assert "ทะเบียนทางหลวงท้องถิ่น" in card.inner_text()
    assert page.locator(".indicator-card fieldset[disabled]").count() > 0
    version_before = page.get_attribute(f"#i{returned_indicator}-version", "value")
    card.locator(f"#i{returned_indicator}-base").fill("12")
    card.locator(f"#i{returned_indicator}-base").press("Tab")
    page.wait_for_function(
        f"() => document.querySelector('#i{returned_indicator}-version').value !== '{version_before}'"
    )
    wait_saved(page, f"i{returned_indicator}-status")

    log_in(page, base, "head")
    page.goto(f"{base}/returns/{assessment.pk}/submit/")
    page.check("#id_confirmed")
    page.get_by_role("button", name="รับรองและส่งแบบประเมิน").click()
    page.wait_for_url(f"{base}/returns/{assessment.pk}/receipt/")

    for reviewer in ("district_officer", "province_officer"):
        log_in(page, base, reviewer)
        page.goto(f"{base}/returns/{assessment.pk}/review/")
        page.get_by_role("button", name="ผ่านการตรวจสอบ").click()
        page.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.status == Status.ACCEPTED
