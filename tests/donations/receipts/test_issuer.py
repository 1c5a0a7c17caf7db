"""The issuer on receipts: warnings for missing legal details, no certificate without a name and
address, the legal recipient and its representative printed once, the seal box or image, and
the PDF's language and metadata."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext, pgettext
from pypdf import PdfReader
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from donations.receipts.batches import receipt_batch_start
from donations.receipts.models import Receipt, ReceiptBatch
from donations.receipts.selectors import issuer_blocking_details, issuer_missing_details
from donations.receipts.services import (
    ReceiptError,
    receipt_issue_annual,
    receipt_issue_for_donation,
)
from members.groups import FINANCE
from tests.donations.receipts.factories import at, donor, gift, issuer_details, pdf_text

pytestmark = pytest.mark.django_db

YEAR = 2025  # a year that has ended


@pytest.fixture
def hanako(db):
    supporter = donor()
    gift(supporter, 5000, paid_at=at(YEAR, 5, 1))
    return supporter


@pytest.fixture
def finance(django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


@pytest.fixture
def npo(db):
    """The demo's set-up: a group run by a certified NPO, representative as title and name."""
    return issuer_details(
        name="さくら野 子どもの未来応援団",
        legal_name="さくら野子育てネットワーク",
        legal_form="認定特定非営利活動法人",
        postal_code="352-0000",
        address="さくら野市中央1-2-3",
        representative="代表 山田 花子",
        certification_number="埼玉県指令第45号",
        certification_date=datetime.date(2024, 4, 1),
    )


def labels(*fields):
    from ouendan.core.models import OrganisationSettings

    return [str(OrganisationSettings._meta.get_field(f).verbose_name) for f in fields]


def read(receipt) -> PdfReader:
    receipt.refresh_from_db()
    with receipt.pdf.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


# --- Missing details ---------------------------------------------------------------------------


def test_missing_details_are_listed_and_certified_npos_need_their_number_and_date(db):
    issuer_details(legal_form="", representative="")
    assert issuer_missing_details() == labels("legal_form", "representative")
    issuer_details(legal_form="認定NPO法人", representative="理事長 山田 花子")
    assert issuer_missing_details() == labels("certification_number", "certification_date")
    issuer_details(certification_number="第1号", certification_date=datetime.date(2024, 4, 1))
    assert issuer_missing_details() == []
    issuer_details(address="")
    assert issuer_missing_details() == labels("address")
    assert issuer_blocking_details() == labels("address")


def test_issue_screens_warn_with_a_link_to_the_settings(client, finance, hanako):
    issuer_details(legal_form="", representative="")
    client.force_login(finance)
    for url in (
        f"/admin/receipt-tools/issue/?supporter={hanako.pk}&year={YEAR}",
        "/admin/receipt-tools/batches/",
    ):
        html = client.get(url).content.decode()
        assert "data-issuer-missing" in html, url
        for label in labels("legal_form", "representative"):
            assert f"<li>{label}</li>" in html
        assert 'href="/admin/settings/core/organisationsettings/"' in html
    # Issuing stays possible with the warning.
    client.post("/admin/receipt-tools/issue/", {"supporter": hanako.pk, "year": YEAR})
    assert Receipt.objects.filter(kind="annual").count() == 1


def test_no_warning_when_the_details_are_complete(client, finance, hanako, npo):
    client.force_login(finance)
    html = client.get(f"/admin/receipt-tools/issue/?supporter={hanako.pk}&year={YEAR}")
    assert "data-issuer-missing" not in html.content.decode()
    assert "data-issuer-blocking" not in html.content.decode()


def test_without_an_address_no_certificate_is_issued(
    client, finance, hanako, django_capture_on_commit_callbacks
):
    issuer_details(address="")
    with pytest.raises(ReceiptError, match=labels("address")[0]):
        receipt_issue_annual(supporter=hanako, year=YEAR)
    with pytest.raises(ReceiptError):
        receipt_batch_start(year=YEAR)
    assert not ReceiptBatch.objects.exists()
    client.force_login(finance)
    html = client.get(f"/admin/receipt-tools/issue/?supporter={hanako.pk}&year={YEAR}")
    assert "data-issuer-blocking" in html.content.decode()
    client.post("/admin/receipt-tools/issue/", {"supporter": hanako.pk, "year": YEAR})
    assert not Receipt.objects.filter(kind="annual").exists()
    # A receipt for one gift is still possible (with the warning).
    receipt, created = receipt_issue_for_donation(donation=hanako.donations.get())
    assert created


# --- What the PDF says about the issuer -------------------------------------------------------


def test_the_legal_recipient_and_its_representative_are_printed_once(hanako, npo):
    certificate, _ = receipt_issue_annual(supporter=hanako, year=YEAR)
    text = pdf_text(certificate)
    assert "認定特定非営利活動法人" in text and "さくら野子育てネットワーク" in text
    assert "さくら野 子どもの未来応援団" in text  # the group it runs
    assert "代表 山田 花子" in text
    assert "代表者 代表" not in text and "代表者" not in text
    with translation.override("ja"):
        assert pgettext("receipt issuer", "Recipient of the donation") in text
    assert "埼玉県指令第45号" in text
    assert certificate.issuer["legal_name"] == "さくら野子育てネットワーク"


def test_without_a_seal_image_an_empty_box_marked_in(hanako, npo):
    certificate, _ = receipt_issue_annual(supporter=hanako, year=YEAR)
    assert "印" in pdf_text(certificate)
    page = read(certificate).pages[0]
    assert "/XObject" not in page["/Resources"]  # nothing but text and lines


def test_the_seal_image_is_drawn_when_set(hanako, npo):
    npo.seal = Image.objects.create(title="印影", file=get_test_image_file())
    npo.save()
    certificate, _ = receipt_issue_annual(supporter=hanako, year=YEAR)
    assert certificate.issuer["seal_image"] == npo.seal_id
    page = read(certificate).pages[0]
    images = page["/Resources"]["/XObject"]
    assert len(images) == 1
    assert "印" not in pdf_text(certificate)


def test_pdf_has_its_language_title_and_author(hanako, npo):
    certificate, _ = receipt_issue_annual(supporter=hanako, year=YEAR)
    reader = read(certificate)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "ja"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    with translation.override("ja"):
        title = gettext("Donation certificate")
    assert reader.metadata.title == f"{title} {certificate.number}"
    assert reader.metadata.author == "認定特定非営利活動法人 さくら野子育てネットワーク"
    assert "山田 花子" in reader.metadata.subject  # the donor
