"""A provincial officer logs in, searches the registry and opens a local government, on a desktop and a phone."""

from urllib.parse import unquote

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(f"{base_url}/")


def test_search_and_open_a_local_government(live_server, world, users, page, screenshot_dir):
    page.goto(live_server.url)
    page.screenshot(path=screenshot_dir / "home-anonymous.png", full_page=True)
    assert page.locator("html").get_attribute("lang") == "th"
    # Sarabun is the font actually used for Thai text.
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Sarabun"') or family.startswith("Sarabun")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ทดสอบ')")

    log_in(page, live_server.url, "province_officer")
    assert page.get_by_role("heading", name="สวัสดี").is_visible() or "สวัสดี" in page.content()
    page.screenshot(path=screenshot_dir / "home-province-officer.png", full_page=True)

    page.get_by_role("link", name="ทะเบียน อปท.").click()
    page.get_by_label("ชื่อหรือรหัส อปท.").fill("ดอย")
    # HTMX replaces the results as the officer types.
    page.wait_for_function("() => !document.querySelector('#results').textContent.includes('หนองป่าครั่ง')")
    assert "ดอยแก้ว" in page.locator("#results").inner_text()
    assert "ดอย" in unquote(page.url)  # the search is in the address, so it can be shared or reloaded
    page.screenshot(path=screenshot_dir / "registry-search.png", full_page=True)

    page.get_by_role("link", name="องค์การบริหารส่วนตำบลดอยแก้ว").click()
    assert page.get_by_role("heading", level=1).inner_text() == "องค์การบริหารส่วนตำบลดอยแก้ว"
    assert "6500201" in page.content()
    page.screenshot(path=screenshot_dir / "local-government.png", full_page=True)

    # Outside the officer's province: not found.
    response = page.goto(f"{live_server.url}/registry/lg/{world.outside_local_government.pk}/")
    assert response.status == 404


def test_english_switch_and_thai_digits(live_server, world, users, page):
    log_in(page, live_server.url, "staff")
    page.get_by_role("button", name="๑๒๓").click()
    assert "๒๕๖" in page.locator("main").inner_text()
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Welcome" in page.locator("main").inner_text()
    assert "B.E." in page.locator("main").inner_text()


def test_the_registry_is_usable_on_a_phone(live_server, world, users, phone, screenshot_dir):
    log_in(phone, live_server.url, "district_officer")
    phone.goto(f"{live_server.url}/registry/")
    # Nothing is wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=screenshot_dir / "registry-phone.png", full_page=True)
    phone.goto(f"{live_server.url}/registry/lg/{world.local_government.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=screenshot_dir / "local-government-phone.png", full_page=True)
    # The menu opens from the toggler.
    phone.get_by_role("button", name="เปิดเมนู").click()
    assert phone.get_by_role("link", name="ทะเบียน อปท.").is_visible()
