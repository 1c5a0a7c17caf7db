"""The receipts list: totals of the current filter (void receipts counted apart), yen
right-aligned, local time, no raw values."""

import re

import pytest
from django.contrib.auth.models import Group

from donations.receipts.services import receipt_issue_for_donation, receipt_void
from members.groups import FINANCE
from ouendan.core import display
from tests.display_checks import assert_no_raw_values, main_text
from tests.donations.receipts.factories import at, donor, gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(client, django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    client.force_login(user)
    return client


def test_receipt_list_totals_follow_the_filter_and_leave_void_ones_out(finance):
    hanako = donor()
    first = receipt_issue_for_donation(donation=gift(hanako, 3000, paid_at=at(2026, 5, 1)))[0]
    receipt_issue_for_donation(donation=gift(hanako, 50000, paid_at=at(2026, 6, 1)))
    voided = receipt_issue_for_donation(donation=gift(hanako, 7000, paid_at=at(2026, 7, 1)))[0]
    receipt_void(receipt=voided, reason="宛名の誤り")

    page = finance.get("/admin/receipts/").content.decode()
    text = assert_no_raw_values(page, "issued")
    assert "¥53,000" in text  # 3,000 + 50,000; the void 7,000 is not added
    assert re.search(r'<td class="ouendan-num">\s*¥50,000', page)
    assert re.search(r"<dd data-filter-total>1</dd>", page)  # one void receipt, counted apart

    issued_only = main_text(finance.get("/admin/receipts/", {"status": "void"}).content.decode())
    assert "¥0" in issued_only and "¥53,000" not in issued_only
    searched = main_text(finance.get("/admin/receipts/", {"q": first.number}).content.decode())
    assert "¥3,000" in searched and "¥53,000" not in searched


def test_receipt_detail_lists_gifts_with_labels_yen_and_local_times(finance):
    receipt = receipt_issue_for_donation(donation=gift(donor(), 3000, paid_at=at(2026, 5, 1)))[0]

    page = finance.get(f"/admin/receipts/inspect/{receipt.pk}/").content.decode()

    text = assert_no_raw_values(page, "bank_transfer", "one_off", "2026-05-01")
    assert "2026年5月1日" in text and "¥3,000" in text
    issued = receipt.log.get()
    assert display.local_datetime(issued.at) in text  # the log in local time, not UTC
