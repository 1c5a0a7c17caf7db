"""Donors download their own receipts and certificates from the member portal, nobody else's."""

import io

import pytest
from pypdf import PdfReader

from donations.receipts.models import ReceiptLog
from donations.receipts.services import receipt_issue_annual, receipt_void
from members.models import MemberPortalPage
from members.views import SESSION_LOGGED_IN_AT, SESSION_SUPPORTER
from tests.donations.receipts.factories import at, donor, gift, monthly

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(home_page):
    return home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))


@pytest.fixture
def hanako(db):
    supporter = donor(email="hanako@example.jp")
    gift(supporter, 12000, paid_at=at(2026, 2, 1), refunded=2000)
    monthly(supporter, 1000, [at(2026, 3, 5), at(2026, 4, 5)], cancelled=True)
    return supporter


def log_in(client, supporter):
    import time

    session = client.session
    session[SESSION_SUPPORTER] = supporter.pk
    session[SESSION_LOGGED_IN_AT] = time.time()
    session.save()


def test_portal_lists_the_certificate_and_the_donor_downloads_it(client, portal, hanako):
    certificate, _ = receipt_issue_annual(supporter=hanako, year=2026, confirm_unfinished_year=True)
    log_in(client, hanako)
    page = client.get("/portal/").content.decode()
    url = f"/donations/receipts/{certificate.pk}/pdf/"
    assert certificate.number in page and url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert certificate.number in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text()
    assert "山田 花子" in text and "¥12,000" in text  # 10,000 net + two monthly payments
    log = ReceiptLog.objects.get(action="downloaded")
    assert log.by_donor and log.user is None


def test_another_donors_receipt_is_not_found(client, portal, hanako):
    certificate, _ = receipt_issue_annual(supporter=hanako, year=2026, confirm_unfinished_year=True)
    other = donor(given_name="次郎", email="jiro@example.jp")
    log_in(client, other)
    response = client.get(f"/donations/receipts/{certificate.pk}/pdf/")
    assert response.status_code == 404
    assert certificate.number not in client.get("/portal/").content.decode()
    assert not ReceiptLog.objects.filter(action="downloaded").exists()


def test_a_void_receipt_cannot_be_downloaded(client, portal, hanako):
    certificate, _ = receipt_issue_annual(supporter=hanako, year=2026, confirm_unfinished_year=True)
    receipt_void(receipt=certificate, reason="訂正")
    log_in(client, hanako)
    assert client.get(f"/donations/receipts/{certificate.pk}/pdf/").status_code == 404
    assert certificate.number not in client.get("/portal/").content.decode()


def test_without_login_the_download_sends_to_the_portal(client, portal, hanako):
    certificate, _ = receipt_issue_annual(supporter=hanako, year=2026, confirm_unfinished_year=True)
    response = client.get(f"/donations/receipts/{certificate.pk}/pdf/")
    assert response.status_code == 302 and response.url == "/portal/"
