"""The staff home's receipts figures: last year's donors without an annual certificate."""

import pytest
from django.utils import timezone

from donations.models import Donation
from donations.receipts import selectors
from donations.receipts.models import Receipt, ReceiptBatch
from donations.receipts.services import receipt_issue_annual, receipt_void
from members.groups import FINANCE, MEMBER_STAFF
from tests.donations.receipts.factories import at, donor, gift
from tests.staff_home_helpers import home_items, staff_user

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1


def test_donors_of_last_year_without_a_certificate(client, django_user_model):
    certified, voided, waiting, provisional = (donor(email=f"d{i}@example.jp") for i in range(4))
    for person in (certified, voided, waiting, provisional):
        gift(person, 3000, paid_at=at(LAST_YEAR, 6, 1))
    gift(waiting, 3000, paid_at=at(LAST_YEAR, 7, 1))  # counted once
    receipt_issue_annual(supporter=certified, year=LAST_YEAR)
    certificate, _ = receipt_issue_annual(supporter=voided, year=LAST_YEAR)
    receipt_void(receipt=certificate, reason="宛名の誤り")
    # Issued before the year ended: provisional, the final one is still due.
    early, _ = receipt_issue_annual(supporter=provisional, year=LAST_YEAR)
    Receipt.objects.filter(pk=early.pk).update(issued_at=at(LAST_YEAR, 12, 20))
    assert Receipt.objects.get(pk=early.pk).is_provisional
    fee_only = donor(email="fee@example.jp")  # membership fees get no certificate
    gift(fee_only, 3000, paid_at=at(LAST_YEAR, 6, 1), kind=Donation.Kind.MEMBERSHIP)
    refunded = donor(email="refund@example.jp")
    gift(refunded, 3000, paid_at=at(LAST_YEAR, 6, 1), refunded=3000)
    ReceiptBatch.objects.create(year=LAST_YEAR, status=ReceiptBatch.Status.RUNNING)
    ReceiptBatch.objects.create(year=LAST_YEAR - 1, status=ReceiptBatch.Status.DONE)

    assert selectors.certificates_due_count(year=LAST_YEAR) == 3  # voided, waiting, provisional
    assert selectors.receipt_batches_running_count() == 1

    client.force_login(staff_user(django_user_model, FINANCE))
    items = home_items(client)
    assert items["certificates_due"]["count"] == 3
    assert items["receipt_batches_running"]["count"] == 1
    assert client.get(items["certificates_due"]["url"]).status_code == 200


def test_member_staff_see_no_receipts(client, django_user_model):
    client.force_login(staff_user(django_user_model, MEMBER_STAFF))
    assert not {"certificates_due", "receipt_batches_running"} & set(home_items(client))
