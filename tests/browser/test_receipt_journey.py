"""A donor logs in to the member portal by e-mail link and downloads the annual certificate."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from donations.receipts.models import ReceiptLog
from donations.receipts.services import receipt_issue_annual
from members.models import MemberPortalPage
from ouendan.core.models import OutgoingEmail
from tests.donations.receipts.factories import at, donor, gift, issuer_details, monthly
from tests.outbox_helpers import sent_body

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_donor_downloads_the_certificate_from_the_portal(live_server, home_page, page, tmp_path):
    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    issuer_details(address="東京都千代田区千代田2-2")
    hanako = donor(email="hanako@example.jp")
    gift(hanako, 15000, paid_at=at(2026, 2, 1), refunded=5000)
    monthly(hanako, 2000, [at(2026, 5, 5), at(2026, 6, 5)], cancelled=True)
    certificate, _ = receipt_issue_annual(supporter=hanako, year=2026, confirm_unfinished_year=True)

    page.goto(live_server.url + "/portal/")
    page.locator("#id_email").fill("hanako@example.jp")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/portal/login/sent/")
    body = sent_body(OutgoingEmail.objects.filter(to="hanako@example.jp").latest("pk"))
    page.goto(re.search(r"https?://\S+/portal/login/[\w-]+/", body).group(0))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/portal/")

    link = page.locator(f"a[data-receipt='{certificate.number}']")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.number}.pdf"
    saved = Path(tmp_path) / download.suggested_filename
    download.save_as(saved)
    text = "\n".join(p.extract_text() for p in PdfReader(saved).pages)
    assert "山田 花子" in text
    assert "¥14,000" in text  # 15,000 − 5,000 refunded + 2 × 2,000 monthly
    assert certificate.number in text
    assert ReceiptLog.objects.filter(
        receipt=certificate, action="downloaded", by_donor=True
    ).exists()
    assert not page.foreign_requests
