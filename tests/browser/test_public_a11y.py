"""Every public page type on a 390 px phone and a 1280 px desktop: axe finds no violation, no page
is wider than the screen, the header's controls are at least 44 px high, a form sent back with
errors puts the focus on its error summary, and the phone menu works with the keyboard.

One test walks every page at both widths, so the demo site is built once (it takes seconds).
Problems are collected and reported together, each with its page and width."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import expect

from members.models import Supporter
from members.views.session import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (390, 1280)
PAGES = {  # name: path in the demo site
    "home": "/",
    "standard page": "/about/",
    "news index": "/news/",
    "news article": "/news/pantry-9th/",
    "campaign": "/campaigns/summer-meals/",
    "donate": "/donate/",
    "join": "/join/",
    "goods and wishlist": "/goods/",
    "goods and wishlist (English)": "/en/goods/",
    "impact": "/impact/",
    "support": "/support/",
    "portal login": "/portal/",
    "places map": "/places/",
    "a place": "/places/hiroba-01/",
    "not found": "/no-such-page/",
}
FORMS_WITH_ERRORS = {  # name: (path, the button that sends the form empty)
    "join, sent empty": ("/join/", "form.join-form button[type=submit]"),
    "goods pledge, sent empty": ("/goods/", "form.pledge-form button[name=send]"),
}
# Controls that must be easy to tap: the header's and every form's (checkboxes and radios count
# through their labels).
TAP_TARGETS = (
    "header a:visible, header button:visible, header summary:visible, "
    "main form button:visible, main form select:visible, main .button:visible, "
    "main form input:visible:not([type=checkbox]):not([type=radio]):not([type=hidden])"
)


def check_page(page, axe, where: str, problems: list[str]) -> None:
    results = axe.run(page)
    for violation in results.response["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{where}: axe {violation['id']} ({violation['impact']}) at {targets}")
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems.append(f"{where}: {scroll_width} px wide in a {inner_width} px window")
    small = page.evaluate(
        """selector => [...document.querySelectorAll(selector.replaceAll(':visible', ''))]
            .filter(el => el.offsetParent !== null && !el.closest('.hp'))
            .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
            .filter(([, height]) => height > 0 && height < 44)""",
        TAP_TARGETS,
    )
    for html, height in small:
        problems.append(f"{where}: tap target {height:.0f} px high: {html}")


def log_in_to_portal(context, base_url: str) -> None:
    """The portal's session, as the e-mailed login link would start it."""
    supporter = Supporter.objects.filter(status=Supporter.Status.ACTIVE, kind="person").first()
    session = SessionStore()
    session[SESSION_SUPPORTER] = supporter.pk
    session[SESSION_LOGGED_IN_AT] = time.time()
    session.create()
    context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": base_url}])


def phone_menu_works_with_the_keyboard(page, base_url: str) -> None:
    page.goto(base_url + "/")
    toggle = page.locator("[data-site-menu] > summary")
    panel = page.locator("#site-menu-panel")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "site-menu-panel")
    expect(panel).to_be_hidden()
    for _ in range(10):  # skip link, brand, donate button, then the menu
        page.keyboard.press("Tab")
        if toggle.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the menu toggle is not reached with Tab")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu = page.get_by_role("navigation", name="メインメニュー")
    expect(menu.get_by_role("link", name="活動報告")).to_be_visible()
    page.keyboard.press("Tab")  # into the open menu
    expect(menu.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")


def error_summary_takes_the_focus(page, where: str, problems: list[str]) -> None:
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    focused = summary.evaluate("el => el === document.activeElement")
    top = summary.evaluate("el => el.getBoundingClientRect().top")
    if not focused:
        problems.append(f"{where}: the error summary does not have the focus")
    if not 0 <= top < page.viewport_size["height"]:
        problems.append(f"{where}: the error summary is {top:.0f} px from the top, off screen")


def test_every_public_page_at_phone_and_desktop_width(live_demo, browser, settings):
    settings.PUBLIC_BASE_URL = live_demo.url
    cache.clear()  # rate limits count in this process's local-memory cache
    axe = Axe()
    problems: list[str] = []
    console_errors: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(locale="ja-JP", viewport={"width": width, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        for name, path in PAGES.items():
            page.goto(live_demo.url + path)
            check_page(page, axe, f"{name} @ {width}", problems)

        # The header: a donate button on every page, a login link to the portal.
        page.goto(live_demo.url + "/news/")
        expect(page.locator("[data-header-donate]")).to_have_attribute("href", "/donate/")
        expect(page.locator("[data-header-donate]")).to_be_visible()
        portal_link = page.locator("[data-header-portal]")
        expect(portal_link).to_have_attribute("href", "/portal/")
        with translation.override("ja"):
            expect(portal_link).to_have_text(translation.pgettext("site header", "Log in"))
        if width < 960:
            phone_menu_works_with_the_keyboard(page, live_demo.url)
        else:  # wide: the links are in the header without opening anything
            expect(page.locator("[data-site-menu] > summary")).to_be_hidden()
            expect(page.get_by_role("navigation", name="メインメニュー")).to_be_visible()

        for name, (path, button) in FORMS_WITH_ERRORS.items():
            page.goto(live_demo.url + path)
            page.locator(button).click()
            page.wait_for_load_state()
            where = f"{name} @ {width}"
            error_summary_takes_the_focus(page, where, problems)
            check_page(page, axe, where, problems)

        log_in_to_portal(context, live_demo.url)
        page.goto(live_demo.url + "/portal/")
        with translation.override("ja"):
            expect(page.locator("[data-header-portal]")).to_have_text(
                translation.pgettext("site header", "My page")
            )
        gifts = page.locator("table.gift-history[data-stack]")
        expect(gifts.locator("td[data-label]").first).to_be_attached()
        cell_display = gifts.locator("td").first.evaluate("td => getComputedStyle(td).display")
        if cell_display != ("block" if width < 600 else "table-cell"):
            problems.append(f"portal @ {width}: gift table cells are {cell_display}")
        check_page(page, axe, f"portal, logged in @ {width}", problems)
        context.close()

    assert problems == [], "\n".join(problems)
    # The only console errors: the 404 page's own status.
    assert [error for error in console_errors if "404" not in error] == []
