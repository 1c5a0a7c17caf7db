"""Playwright driving Debian's chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest

from tests.demo_database import DemoCopy

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are ordinary synchronous calls, so Django's async guard is relaxed for them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./dev.sh test, which installs Debian's chromium")
    # Once Playwright's sync API starts, the rest of the session runs inside its greenlet, whose
    # context gives Django a fresh connection object. Hand that object the migrated-database
    # snapshot, so serialized rollback keeps restoring the home page, site and content types.
    snapshot = getattr(connections["default"], "_test_serialized_contents", None)
    with sync_playwright() as playwright:
        if snapshot is not None:
            connections["default"]._test_serialized_contents = snapshot
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    """A fresh browser tab that records every request leaving for another host."""
    settings.PUBLIC_BASE_URL = live_server.url  # e-mailed links lead back to the live server
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.foreign_requests = []
    tab.console_errors = []
    tab.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else tab.foreign_requests.append(request.url)
        ),
    )
    tab.on(
        "console",
        lambda message: (
            tab.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    yield tab
    context.close()


@pytest.fixture
def screenshot(page, request):
    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def _demo_copy(session_media_folder):
    return DemoCopy(session_media_folder.parent / "live-demo")


@pytest.fixture
def live_demo(live_server, _demo_copy):
    """The demo site behind the live server: built by the process's first such test, copied
    into the next ones (tests/demo_database.py)."""
    _demo_copy.put_in_place()
    return live_server
