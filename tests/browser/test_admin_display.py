"""Staff lists at 1280 px: phone numbers stay on one line, money is right-aligned."""

import pytest
from django.contrib.auth import get_user_model

from tests.donations.receipts.factories import gift
from tests.members.factories import SupporterFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_member_list_keeps_phone_numbers_on_one_line_and_ledger_aligns_yen(
    live_server, page, screenshot
):
    get_user_model().objects.create_superuser("boss", "boss@example.jp", "pw-boss")
    for n in range(5):
        supporter = SupporterFactory(
            family_name="長谷川",
            given_name=f"真理子{n}",
            organisation_name="",
            email=f"mariko.hasegawa.long.address{n}@example-nonprofit.or.jp",
            phone=f"090-1234-{5670 + n}",
        )
        gift(supporter, 3000 * (n + 1))

    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("boss")
    page.locator("#id_password").fill("pw-boss")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(live_server.url + "/admin/supporter/")
    cell = page.locator("td.ouendan-nowrap", has_text="090-1234-5670").first
    lines = cell.evaluate(
        """td => {
            const range = document.createRange();
            range.selectNodeContents(td);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return tops.size;
        }"""
    )
    screenshot("supporter-list")
    assert lines == 1

    page.goto(live_server.url + "/admin/donation/")
    amount = page.locator("td.ouendan-num", has_text="¥15,000").first
    assert amount.evaluate("td => getComputedStyle(td).textAlign") == "right"
    assert "¥45,000" in page.locator("[data-filter-totals]").inner_text()
    screenshot("ledger")
    assert page.console_errors == []
