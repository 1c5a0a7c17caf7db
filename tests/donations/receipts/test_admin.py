"""Staff receipt screens: Finance only; download, reissue, void, correct, issue, yearly batch."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission

from donations.models import Donation
from donations.receipts.models import Receipt, ReceiptBatch, ReceiptLog
from donations.receipts.services import receipt_issue_annual, receipt_issue_for_donation
from members.groups import FINANCE, MEMBER_STAFF
from tests.donations.receipts.factories import at, donor, gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


@pytest.fixture
def member_staff(django_user_model):
    """Staff who manage members (and may view supporters) but hold no money permissions."""
    user = django_user_model.objects.create_user("members", password="pw")
    user.groups.add(Group.objects.get(name=MEMBER_STAFF))
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def receipt(db):
    return receipt_issue_for_donation(donation=gift(donor(), 5000, paid_at=at(2026, 5, 1)))[0]


def test_only_finance_holds_the_receipt_permissions():
    holders = Group.objects.filter(
        permissions__content_type__app_label="receipts",
        permissions__codename__in=["view_receipt", "change_receipt", "add_receiptbatch"],
    ).values_list("name", flat=True)
    assert set(holders) == {FINANCE}


def test_staff_without_money_permissions_are_refused_everywhere(client, member_staff, receipt):
    client.force_login(member_staff)
    batch = ReceiptBatch.objects.create(year=2026)
    for url in [
        "/admin/receipts/",
        f"/admin/receipts/inspect/{receipt.pk}/",
        f"/admin/receipt-tools/{receipt.pk}/pdf/",
        f"/admin/receipt-tools/{receipt.pk}/void/",
        "/admin/receipt-tools/issue/",
        "/admin/receipt-tools/batches/",
        f"/admin/receipt-tools/batches/{batch.pk}/",
        f"/admin/receipt-tools/batches/{batch.pk}/zip/",
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert response.status_code == 403 or "/admin/login/" not in response.url, url
    assert client.post(f"/admin/receipt-tools/{receipt.pk}/reissue/").status_code in (302, 403)
    assert client.post(f"/admin/receipt-tools/{receipt.pk}/void/", {"reason": "x"}).status_code in (
        302,
        403,
    )
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ISSUED and receipt.reissue_count == 0
    assert not ReceiptLog.objects.filter(action="downloaded").exists()


def test_finance_lists_searches_and_downloads(client, finance, receipt):
    client.force_login(finance)
    response = client.get("/admin/receipts/", {"q": receipt.number})
    assert response.status_code == 200 and receipt.number in response.content.decode()
    inspect = client.get(f"/admin/receipts/inspect/{receipt.pk}/")
    assert inspect.status_code == 200 and "山田 花子" in inspect.content.decode()
    download = client.get(f"/admin/receipt-tools/{receipt.pk}/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    log = ReceiptLog.objects.get(action="downloaded")
    assert log.user == finance and not log.by_donor


def test_finance_reissues_voids_and_corrects(client, finance, receipt):
    client.force_login(finance)
    client.post(f"/admin/receipt-tools/{receipt.pk}/reissue/")
    receipt.refresh_from_db()
    assert receipt.reissue_count == 1

    response = client.post(f"/admin/receipt-tools/{receipt.pk}/correct/", {"reason": ""})
    assert response.status_code == 200  # the reason is required: nothing changed
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.ISSUED

    response = client.post(f"/admin/receipt-tools/{receipt.pk}/correct/", {"reason": "宛名の誤り"})
    assert response.status_code == 302
    receipt.refresh_from_db()
    new = Receipt.objects.get(replaces=receipt)
    assert receipt.status == Receipt.Status.VOID and receipt.void_reason == "宛名の誤り"
    assert new.number == "R2026-000002" and response.url.endswith(f"/inspect/{new.pk}/")
    assert ReceiptLog.objects.get(receipt=receipt, action="voided").user == finance

    client.post(f"/admin/receipt-tools/{new.pk}/void/", {"reason": "二重発行"})
    new.refresh_from_db()
    assert new.status == Receipt.Status.VOID


def test_finance_issues_for_a_donor_and_sees_membership_fees_are_left_out(client, finance):
    supporter = donor()
    donation = gift(supporter, 8000, paid_at=at(2026, 2, 1))
    gift(supporter, 3000, paid_at=at(2026, 3, 1), kind=Donation.Kind.MEMBERSHIP)
    client.force_login(finance)
    page = client.get("/admin/receipt-tools/issue/", {"supporter": supporter.pk, "year": 2026})
    html = page.content.decode()
    assert page.status_code == 200 and "¥8,000" in html and "¥3,000" not in html
    response = client.post(
        "/admin/receipt-tools/issue/",
        {"supporter": supporter.pk, "year": 2026, "donation": donation.pk},
    )
    assert response.status_code == 302
    assert Receipt.objects.get(kind="gift").donation == donation
    client.post(
        "/admin/receipt-tools/issue/",
        {"supporter": supporter.pk, "year": 2026, "confirm_unfinished_year": "1"},
    )
    certificate = Receipt.objects.get(kind="annual")
    assert certificate.total_yen == 8000 and certificate.issued_by == finance
    # No gifts that year: a clear message, nothing issued.
    response = client.post(
        "/admin/receipt-tools/issue/", {"supporter": supporter.pk, "year": 2024}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("2024 年の寄付がありません" in m for m in messages), messages
    assert Receipt.objects.count() == 2


def test_finance_runs_a_yearly_batch_and_downloads_the_zip(
    client, finance, django_capture_on_commit_callbacks
):
    posted = donor(email="")
    gift(posted, 4000, paid_at=at(2026, 4, 1))
    gift(donor(email="mail@example.jp"), 6000, paid_at=at(2026, 4, 2))
    client.force_login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/receipt-tools/batches/", {"year": "2026", "confirm_unfinished_year": "on"}
        )
    batch = ReceiptBatch.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/batches/{batch.pk}/")
    batch.refresh_from_db()
    assert batch.status == ReceiptBatch.Status.DONE and batch.created_by == finance
    detail = client.get(f"/admin/receipt-tools/batches/{batch.pk}/")
    assert detail.status_code == 200
    response = client.get(f"/admin/receipt-tools/batches/{batch.pk}/progress/")
    assert "no-store" in response["Cache-Control"]
    progress = response.json()
    # The shape every job's progress has (ouendan.core.jobs), with this job's counts.
    assert {"status", "status_label", "processed", "total", "percent", "finished"} <= set(progress)
    assert (progress["processed"], progress["total"], progress["percent"]) == (2, 2, 100)
    assert progress["finished"] and progress["counts"]["postal"] == 1
    assert progress["counts"]["emailed"] == 1
    download = client.get(f"/admin/receipt-tools/batches/{batch.pk}/zip/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    certificate = Receipt.objects.get(supporter=posted)
    assert f"{certificate.number}.pdf" in archive.namelist()


def test_batch_form_rejects_a_future_year(client, finance):
    client.force_login(finance)
    response = client.post("/admin/receipt-tools/batches/", {"year": "2999"})
    assert response.status_code == 200 and not ReceiptBatch.objects.exists()


def test_generic_edit_and_delete_of_receipts_are_refused(client, finance, receipt):
    client.force_login(finance)
    assert client.get(f"/admin/receipts/edit/{receipt.pk}/").status_code in (302, 403)
    assert client.post(f"/admin/receipts/delete/{receipt.pk}/").status_code in (302, 403)
    assert Receipt.objects.filter(pk=receipt.pk).exists()


def test_annual_certificate_in_the_list_filtered_by_kind(client, finance):
    supporter = donor()
    gift(supporter, 1000, paid_at=at(2026, 1, 10))
    certificate, _ = receipt_issue_annual(
        supporter=supporter, year=2026, confirm_unfinished_year=True
    )
    client.force_login(finance)
    response = client.get("/admin/receipts/", {"kind": "annual", "year": "2026"})
    assert certificate.number in response.content.decode()
