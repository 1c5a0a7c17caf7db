"""Receipts and annual donation certificates: amounts, numbering, reissue, void and correction,
PDF text, e-mail and the yearly batch."""

import csv
import datetime
import io
import threading
import zipfile

import pytest
from django.db import connection, connections
from django.utils import translation
from django.utils.translation import gettext

from donations.models import Donation
from donations.receipts.batches import (
    receipt_batch_progress,
    receipt_batch_run,
    receipt_batch_start,
    receipt_batch_stuck,
    receipt_postal_zip,
)
from donations.receipts.models import Receipt, ReceiptBatch, ReceiptCounter, ReceiptLog
from donations.receipts.services import (
    ReceiptError,
    receipt_correct,
    receipt_issue_annual,
    receipt_issue_for_donation,
    receipt_reissue,
    receipt_void,
)
from members.models import MemberPortalPage
from ouendan.core.models import OrganisationSettings, OutgoingEmail
from tests.donations.receipts.factories import at, donor, gift, monthly, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(home_page):
    from wagtail.models import Site

    org = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    org.name = "さくら野 子どもの未来応援団"
    org.legal_form = "認定特定非営利活動法人"
    org.address = "東京都千代田区千代田2-2"
    org.certification_number = "東京都指令第123号"
    org.certification_date = datetime.date(2024, 4, 1)
    org.save()
    return org


@pytest.fixture
def hanako(db):
    return donor()


def mixed_year(supporter):
    """2026: card gift, refunded gift, fully refunded gift, bank transfer, cash, three payments
    of a monthly gift later cancelled, a membership fee, and gifts just outside the year."""
    gift(supporter, 10000, paid_at=at(2026, 2, 1), method=Donation.Method.CARD)
    gift(supporter, 5000, paid_at=at(2026, 3, 1), refunded=2000, method=Donation.Method.CARD)
    gift(supporter, 7000, paid_at=at(2026, 4, 1), refunded=7000, method=Donation.Method.CARD)
    gift(supporter, 20000, paid_at=at(2026, 5, 1), method=Donation.Method.BANK_TRANSFER)
    gift(supporter, 1500, paid_at=at(2026, 6, 1), method=Donation.Method.CASH)
    monthly(supporter, 1000, [at(2026, 7, 5), at(2026, 8, 5), at(2026, 9, 5)], cancelled=True)
    gift(supporter, 3000, paid_at=at(2026, 10, 1), kind=Donation.Kind.MEMBERSHIP)
    # 31 Dec 23:30 UTC is already 1 January in Japan, and the reverse: both belong elsewhere.
    gift(supporter, 999, paid_at=datetime.datetime(2026, 12, 31, 15, 30, tzinfo=datetime.UTC))
    gift(supporter, 888, paid_at=datetime.datetime(2025, 12, 31, 14, 59, tzinfo=datetime.UTC))
    # 10000 + 3000 + 20000 + 1500 + 3 × 1000
    return 37500


def test_annual_certificate_counts_net_money_gifts_of_the_japanese_year(organisation, hanako):
    expected = mixed_year(hanako)
    certificate, created = receipt_issue_annual(
        supporter=hanako, year=2026, confirm_unfinished_year=True
    )
    assert created
    assert certificate.number == "C2026-000001"
    assert certificate.total_yen == expected
    assert [line["amount_yen"] for line in certificate.lines] == [
        10000,
        3000,
        20000,
        1500,
        1000,
        1000,
        1000,
    ]
    assert certificate.issuer["certification_number"] == "東京都指令第123号"
    assert ReceiptLog.objects.get(receipt=certificate).action == ReceiptLog.Action.ISSUED


def test_pdf_text_has_the_japanese_name_total_and_number(organisation, hanako):
    mixed_year(hanako)
    certificate, _ = receipt_issue_annual(supporter=hanako, year=2026, confirm_unfinished_year=True)
    text = pdf_text(certificate)
    assert "山田 花子" in text
    assert "¥37,500" in text
    assert "C2026-000001" in text
    assert "東京都千代田区千代田1-1" in text
    assert "東京都指令第123号" in text
    assert "¥7,000" not in text  # the fully refunded gift
    assert "¥999" not in text and "¥888" not in text


def test_gift_receipt_numbers_follow_each_other_per_kind_and_year(hanako):
    first = receipt_issue_for_donation(donation=gift(hanako, 1000, paid_at=at(2026, 1, 5)))[0]
    second = receipt_issue_for_donation(donation=gift(hanako, 2000, paid_at=at(2026, 2, 5)))[0]
    older = receipt_issue_for_donation(donation=gift(hanako, 3000, paid_at=at(2025, 2, 5)))[0]
    certificate = receipt_issue_annual(supporter=hanako, year=2026, confirm_unfinished_year=True)[0]
    assert [first.number, second.number, older.number, certificate.number] == [
        "R2026-000001",
        "R2026-000002",
        "R2025-000001",
        "C2026-000001",
    ]
    assert ReceiptCounter.objects.get(kind="gift", year=2026).last_number == 2


def test_issuing_twice_returns_the_same_receipt(hanako):
    donation = gift(hanako, 5000)
    first, created = receipt_issue_for_donation(donation=donation)
    again, created_again = receipt_issue_for_donation(donation=donation)
    assert created and not created_again and again.pk == first.pk
    assert Receipt.objects.count() == 1


def test_membership_fees_and_refunded_gifts_get_no_receipt(hanako):
    with pytest.raises(ReceiptError):
        receipt_issue_for_donation(donation=gift(hanako, 3000, kind=Donation.Kind.MEMBERSHIP))
    with pytest.raises(ReceiptError):
        receipt_issue_for_donation(donation=gift(hanako, 3000, refunded=3000))
    with pytest.raises(ReceiptError):
        receipt_issue_annual(supporter=hanako, year=2020)
    assert not Receipt.objects.exists()
    assert not ReceiptCounter.objects.filter(last_number__gt=0).exists()


def test_issued_receipt_keeps_its_snapshot_when_the_donor_changes(hanako):
    receipt, _ = receipt_issue_for_donation(donation=gift(hanako, 5000))
    hanako.family_name = "佐藤"
    hanako.city = "港区"
    hanako.save()
    receipt.refresh_from_db()
    assert receipt.donor_name == "山田 花子"
    assert "千代田区" in receipt.donor_address


def test_reissue_keeps_the_number_and_marks_the_pdf(hanako):
    receipt, _ = receipt_issue_for_donation(donation=gift(hanako, 5000))
    first_file = receipt.pdf.name
    hanako.family_name = "佐藤"
    hanako.save()
    reissued = receipt_reissue(receipt=receipt)
    assert reissued.pk == receipt.pk and reissued.number == receipt.number
    assert reissued.reissue_count == 1 and reissued.reissued_at
    assert reissued.pdf.name != first_file  # the original file is kept
    text = pdf_text(reissued)
    with translation.override("ja"):
        assert gettext("Reissue") in text
    assert "山田 花子" in text and receipt.number in text
    assert Receipt.objects.count() == 1
    assert list(receipt.log.values_list("action", flat=True)) == ["reissued", "issued"]


def test_void_needs_a_reason_and_frees_the_gift_for_a_new_number(hanako):
    donation = gift(hanako, 5000)
    receipt, _ = receipt_issue_for_donation(donation=donation)
    with pytest.raises(ReceiptError):
        receipt_void(receipt=receipt, reason="  ")
    receipt_void(receipt=receipt, reason="金額の誤り")
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.VOID and receipt.void_reason == "金額の誤り"
    with pytest.raises(ReceiptError):
        receipt_reissue(receipt=receipt)
    with pytest.raises(ReceiptError):
        receipt_void(receipt=receipt, reason="again")
    new, created = receipt_issue_for_donation(donation=donation)
    assert created and new.number == "R" + receipt.number[1:5] + "-000002"


def test_correction_voids_and_reissues_under_a_new_number_from_current_data(hanako):
    donation = gift(hanako, 5000, paid_at=at(2026, 5, 1))
    certificate, _ = receipt_issue_annual(supporter=hanako, year=2026, confirm_unfinished_year=True)
    gift(hanako, 2500, paid_at=at(2026, 6, 1), method=Donation.Method.CASH)  # recorded late
    Donation.objects.filter(pk=donation.pk).update(refunded_yen=1000)
    hanako.address_line = "千代田9-9"
    hanako.save()
    corrected = receipt_correct(receipt=certificate, reason="現金の寄付を追加")
    certificate.refresh_from_db()
    assert certificate.status == Receipt.Status.VOID
    assert corrected.number == "C2026-000002" and corrected.replaces == certificate
    assert corrected.total_yen == 4000 + 2500
    assert "千代田9-9" in corrected.donor_address
    assert "¥6,500" in pdf_text(corrected)
    assert ReceiptLog.objects.filter(receipt=certificate, action="voided").exists()


def test_failed_correction_leaves_the_old_receipt_valid(hanako):
    donation = gift(hanako, 5000)
    receipt, _ = receipt_issue_for_donation(donation=donation)
    Donation.objects.filter(pk=donation.pk).update(refunded_yen=5000)
    with pytest.raises(ReceiptError):
        receipt_correct(receipt=receipt, reason="refund")
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ISSUED
    assert ReceiptCounter.objects.get(kind="gift").last_number == 1


# --- The yearly batch ---------------------------------------------------------------------------


@pytest.fixture
def year_of_donors(home_page):
    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    donors = []
    for index in range(5):
        supporter = donor(
            given_name=f"花子{index}", email=f"d{index}@example.jp" if index % 2 else ""
        )
        gift(supporter, 1000 * (index + 1), paid_at=at(2026, 3, index + 1))
        donors.append(supporter)
    gift(donors[0], 500, paid_at=at(2026, 9, 1), method=Donation.Method.CASH)
    gift(donor(given_name="会費のみ"), 3000, paid_at=at(2026, 4, 1), kind=Donation.Kind.MEMBERSHIP)
    gift(donor(given_name="去年"), 3000, paid_at=at(2025, 4, 1))
    return donors


def test_batch_issues_each_donor_once_emails_links_and_zips_the_rest(
    year_of_donors, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # huey is immediate in tests
        batch, created = receipt_batch_start(year=2026, confirm_unfinished_year=True)
    assert created
    batch.refresh_from_db()
    assert batch.status == ReceiptBatch.Status.DONE
    assert (batch.total, batch.processed, batch.issued_count) == (5, 5, 5)
    assert (batch.emailed_count, batch.postal_count) == (2, 3)
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == [f"C2026-{n:06d}" for n in range(1, 6)]
    assert Receipt.objects.get(supporter=year_of_donors[0]).total_yen == 1500

    mails = OutgoingEmail.objects.filter(key__startswith="receipt-ready:")
    assert sorted(mails.values_list("to", flat=True)) == ["d1@example.jp", "d3@example.jp"]
    body = mails.first().body
    assert "/portal/" in body and ".pdf" not in body  # a link to the portal, not the PDF

    with batch.postal_zip.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    posted = Receipt.objects.filter(supporter__email="").values_list("number", flat=True)
    assert pdfs == sorted(f"{number}.pdf" for number in posted) and len(pdfs) == 3
    addresses = archive.read("addresses.csv").decode("utf-8-sig")
    assert "山田 花子0" in addresses and "東京都千代田区千代田1-1" in addresses


def test_running_a_batch_again_skips_donors_who_have_a_certificate(
    year_of_donors, django_capture_on_commit_callbacks
):
    receipt_issue_annual(
        supporter=year_of_donors[1], year=2026, confirm_unfinished_year=True
    )  # by hand, not mailed
    with django_capture_on_commit_callbacks(execute=True):
        receipt_batch_start(year=2026, confirm_unfinished_year=True)
    with django_capture_on_commit_callbacks(execute=True):
        second, _ = receipt_batch_start(year=2026, confirm_unfinished_year=True)
    second.refresh_from_db()
    assert second.status == ReceiptBatch.Status.DONE
    assert (second.issued_count, second.skipped_count) == (0, 5)
    first = ReceiptBatch.objects.exclude(pk=second.pk).get()
    assert (first.issued_count, first.skipped_count) == (4, 1)
    assert Receipt.objects.count() == 5
    assert OutgoingEmail.objects.filter(key__startswith="receipt-ready:").count() == 1


def test_an_interrupted_batch_resumes_where_it_stopped(
    year_of_donors, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the task is "lost"
        batch, _ = receipt_batch_start(year=2026, confirm_unfinished_year=True)
    receipt_batch_run(batch_id=batch.pk, chunk_size=2, max_chunks=1)  # worker stops after 1 chunk
    batch.refresh_from_db()
    assert (batch.status, batch.processed, batch.percent) == (ReceiptBatch.Status.RUNNING, 2, 40)
    ReceiptBatch.objects.filter(pk=batch.pk).update(
        updated_at=batch.updated_at - datetime.timedelta(hours=1)
    )
    assert receipt_batch_stuck() == [batch.pk]
    receipt_batch_run(batch_id=batch.pk, chunk_size=2)
    batch.refresh_from_db()
    assert batch.status == ReceiptBatch.Status.DONE
    assert (batch.processed, batch.issued_count, batch.skipped_count) == (5, 5, 0)
    assert Receipt.objects.count() == 5


def test_the_sweeper_finds_a_stuck_batch_by_the_shared_rule_and_resumes_it(
    year_of_donors, django_capture_on_commit_callbacks
):
    from donations.receipts.tasks import receipt_batch_sweep

    with django_capture_on_commit_callbacks(execute=False):  # the task is "lost"
        batch, _ = receipt_batch_start(year=2026, confirm_unfinished_year=True)
    receipt_batch_run(batch_id=batch.pk, chunk_size=2, max_chunks=1)  # worker stops after 1 chunk
    assert receipt_batch_stuck() == []  # a chunk was saved just now: still moving
    batch.refresh_from_db()
    progress = receipt_batch_progress(batch=batch)
    assert progress == {
        "status": "running",
        "status_label": str(ReceiptBatch.Status.RUNNING.label),
        "processed": 2,
        "total": 5,
        "percent": 40,
        "finished": False,
        "counts": {"issued": 2, "skipped": 0, "emailed": 1, "postal": 1},
    }
    ReceiptBatch.objects.filter(pk=batch.pk).update(
        updated_at=batch.updated_at - datetime.timedelta(minutes=11)
    )
    assert receipt_batch_stuck() == [batch.pk]
    receipt_batch_sweep()  # huey runs the queued task at once in tests
    batch.refresh_from_db()
    assert (batch.status, batch.processed, batch.issued_count) == ("done", 5, 5)
    assert receipt_batch_progress(batch=batch)["percent"] == 100
    assert receipt_batch_stuck() == [] and Receipt.objects.count() == 5


def test_a_batch_that_keeps_failing_stops_and_frees_its_year(
    year_of_donors, django_capture_on_commit_callbacks, monkeypatch
):
    from donations.receipts import batches

    with django_capture_on_commit_callbacks(execute=False):
        batch, _ = receipt_batch_start(year=2026, confirm_unfinished_year=True)

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(batches, "receipt_pdf_ensure", broken)
    for _attempt in range(batches.MAX_BATCH_FAILURES):
        with pytest.raises(OSError):
            receipt_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.failures) == (ReceiptBatch.Status.FAILED, 5)
    assert batch.last_error == "OSError: disk full"
    assert receipt_batch_run(batch_id=batch.pk) == ReceiptBatch.Status.FAILED  # not retried
    with django_capture_on_commit_callbacks(execute=False):
        again, created = receipt_batch_start(year=2026, confirm_unfinished_year=True)
    assert created and again.pk != batch.pk


def test_a_long_company_name_and_address_fit_on_the_receipt():
    company = donor(
        kind="organisation",
        organisation_name="株" * 120,
        department="部" * 100,
        contact_person="担" * 100,
        invoice_address="東京都" * 200,
    )
    gift(company, 5000, paid_at=at(2026, 3, 1))
    receipt, _ = receipt_issue_annual(supporter=company, year=2026, confirm_unfinished_year=True)
    receipt.refresh_from_db()
    assert receipt.donor_name.startswith("株" * 120) and "担" * 100 in receipt.donor_name
    assert receipt.donor_address.count("東京都") == 200


def test_postal_zip_leaves_out_void_certificates_and_donors_with_email(year_of_donors):
    certificates = [
        receipt_issue_annual(supporter=s, year=2026, confirm_unfinished_year=True)[0]
        for s in year_of_donors
    ]
    receipt_void(receipt=certificates[0], reason="宛名の誤り")
    buffer = io.BytesIO()
    assert receipt_postal_zip(year=2026, fileobj=buffer) == 2
    names = set(zipfile.ZipFile(buffer).namelist())
    assert names == {
        f"{certificates[2].number}.pdf",
        f"{certificates[4].number}.pdf",
        "addresses.csv",
    }


def test_batch_refuses_a_year_that_has_not_started(db):
    with pytest.raises(ReceiptError):
        receipt_batch_start(year=datetime.date.today().year + 1)


# --- PostgreSQL: concurrent issuing -------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issuing_never_duplicates_or_skips_a_number_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    donors = [donor(given_name=f"並行{n}") for n in range(12)]
    gifts = [gift(s, 1000 + n, paid_at=at(2026, 5, 1)) for n, s in enumerate(donors)]
    for s in donors:
        gift(s, 500, paid_at=at(2026, 6, 1))
    barrier = threading.Barrier(12)
    errors = []

    def worker(index):
        try:
            barrier.wait()
            receipt_issue_for_donation(donation=gifts[index])
            receipt_issue_annual(supporter=donors[index], year=2026, confirm_unfinished_year=True)
            receipt_issue_annual(
                supporter=donors[(index + 1) % 12], year=2026, confirm_unfinished_year=True
            )  # a race
        except Exception as exc:  # re-raised below in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    for kind in ("gift", "annual"):
        sequences = sorted(Receipt.objects.filter(kind=kind).values_list("sequence", flat=True))
        assert sequences == list(range(1, 13)), kind
    assert Receipt.objects.filter(kind="annual").values("supporter").distinct().count() == 12


def test_receipt_mail_links_the_portal_in_the_donors_language(home_page):
    from donations.receipts.selectors import receipt_portal_url
    from members.models import MemberPortalPage

    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    assert receipt_portal_url("ja") == "http://testserver/portal/"  # PUBLIC_BASE_URL in tests
    assert receipt_portal_url("en") == "http://testserver/en/portal/"


def test_postal_address_list_has_a_bom_and_formula_safe_cells(home_page):
    sneaky = donor(
        email="", family_name='=HYPERLINK("x")', prefecture="", city="", address_line="@SUM(1)"
    )
    gift(sneaky, 3000, paid_at=at(2026, 5, 1))
    receipt_issue_annual(supporter=sneaky, year=2026, confirm_unfinished_year=True)
    buffer = io.BytesIO()
    assert receipt_postal_zip(year=2026, fileobj=buffer) == 1
    raw = zipfile.ZipFile(buffer).read("addresses.csv")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["number", "name", "postal_code", "address"]
    _number, name, _postal, address = rows[1]
    assert name.startswith("'=HYPERLINK") and address == "'@SUM(1)"
