"""Browser tests: Debian's Chromium driven by Playwright against Django's live test server.

Screenshots go to $PLAYWRIGHT_ARTIFACTS/screenshots (default: artifacts/screenshots), kept by CI as artifacts.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    base = Path(os.environ.get("PLAYWRIGHT_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts"))
    path = base / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests of this package, stopped when they are done.

    While Playwright runs, its sync API keeps an event loop running in this thread, so Django's async-safety
    guard would refuse the ORM calls that the fixtures and the tests make (they are plain synchronous calls).
    DJANGO_ALLOW_ASYNC_UNSAFE relaxes the guard for exactly that time, never for the other tests
    (tests/test_fixtures.py checks this).
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """On pytest-xdist workers the tests marked `slow` come first: the whole path of a return in the browser takes
    most of the suite's time on its own, so one worker starts it at once while the other works through the rest
    (pytest-django had put it with the transactional tests at the end; it flushes the database after itself, and
    no other test needs the rows it removes)."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def axe_page(browser):
    # The site's CSP rightly refuses inline scripts; the test's own script is let in by the browser context only.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
