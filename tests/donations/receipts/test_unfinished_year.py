"""Certificates for a year that has not ended (Asia/Tokyo): refused without an explicit
confirmation (service, admin single issue, batch), provisional (暫定) when confirmed, marked in the
PDF and the portal, and replaced by the final certificate once issued after the year ended."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext

from donations.receipts.batches import receipt_batch_start
from donations.receipts.models import Receipt, ReceiptBatch, ReceiptCounter
from donations.receipts.services import ReceiptYearNotEnded, receipt_issue_annual
from donations.receipts.views import portal_receipts_part
from members.groups import FINANCE
from tests.donations.receipts.factories import at, donor, gift, pdf_text

pytestmark = pytest.mark.django_db


def this_year() -> int:
    return timezone.localdate().year


@pytest.fixture
def hanako(db):
    supporter = donor()
    gift(supporter, 4000, paid_at=timezone.now() - datetime.timedelta(seconds=1))
    gift(supporter, 6000, paid_at=at(this_year() - 1, 6, 1))
    return supporter


@pytest.fixture
def finance(django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


def statement(year: int, end: datetime.date) -> str:
    with translation.override("ja"):
        return gettext(
            "We certify that we received the donations below between %(start)s and %(end)s."
        ) % {
            "start": formats.date_format(datetime.date(year, 1, 1), "DATE_FORMAT"),
            "end": formats.date_format(end, "DATE_FORMAT"),
        }


def provisional_mark() -> str:
    with translation.override("ja"):
        return pgettext("receipt mark", "Provisional")


# --- The rule, in the service -------------------------------------------------------------------


def test_a_year_still_under_way_is_refused_without_confirmation(hanako):
    with pytest.raises(ReceiptYearNotEnded, match=str(this_year())):
        receipt_issue_annual(supporter=hanako, year=this_year())
    assert not Receipt.objects.exists()
    assert not ReceiptCounter.objects.filter(last_number__gt=0).exists()  # no number used


def test_confirmed_it_is_issued_as_provisional_and_the_pdf_says_so(hanako):
    certificate, created = receipt_issue_annual(
        supporter=hanako, year=this_year(), confirm_unfinished_year=True
    )
    assert created and certificate.is_provisional and certificate.total_yen == 4000
    text = pdf_text(certificate).replace("\n", "")
    assert provisional_mark() in text
    # The statement covers 1 January to the day it was issued, not to 31 December.
    assert statement(this_year(), timezone.localdate()) in text


def test_a_finished_year_needs_no_confirmation_and_is_final(hanako):
    certificate, created = receipt_issue_annual(supporter=hanako, year=this_year() - 1)
    assert created and not certificate.is_provisional
    assert certificate.total_yen == 6000
    text = pdf_text(certificate).replace("\n", "")
    assert provisional_mark() not in text
    assert statement(this_year() - 1, datetime.date(this_year() - 1, 12, 31)) in text


def test_after_the_year_the_provisional_certificate_is_replaced_by_the_final_one(hanako):
    last_year = this_year() - 1
    provisional, _ = receipt_issue_annual(supporter=hanako, year=last_year)
    # As if it had been issued on 1 December of that year, before the last gifts.
    Receipt.objects.filter(pk=provisional.pk).update(issued_at=at(last_year, 12, 1))
    gift(hanako, 1500, paid_at=at(last_year, 12, 20))
    final, created = receipt_issue_annual(supporter=hanako, year=last_year)
    provisional.refresh_from_db()
    assert created and final.replaces == provisional and not final.is_provisional
    assert provisional.status == Receipt.Status.VOID
    assert provisional.void_reason == gettext(
        "Issued before the year ended; replaced by the final certificate."
    )
    assert final.total_yen == 7500
    again, created_again = receipt_issue_annual(supporter=hanako, year=last_year)
    assert again == final and not created_again  # a final one is kept as it is


def test_batch_refuses_an_unfinished_year_without_confirmation(hanako):
    with pytest.raises(ReceiptYearNotEnded):
        receipt_batch_start(year=this_year())
    assert not ReceiptBatch.objects.exists() and not Receipt.objects.exists()


def test_a_confirmed_batch_issues_provisional_certificates(
    hanako, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch, created = receipt_batch_start(year=this_year(), confirm_unfinished_year=True)
    batch.refresh_from_db()
    assert created and batch.status == ReceiptBatch.Status.DONE and batch.issued_count == 1
    assert Receipt.objects.get(batch=batch).is_provisional


def test_a_batch_after_the_year_replaces_provisional_certificates(
    hanako, django_capture_on_commit_callbacks
):
    last_year = this_year() - 1
    provisional, _ = receipt_issue_annual(supporter=hanako, year=last_year)
    Receipt.objects.filter(pk=provisional.pk).update(issued_at=at(last_year, 11, 30))
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = receipt_batch_start(year=last_year)
    batch.refresh_from_db()
    assert (batch.issued_count, batch.skipped_count) == (1, 0)
    final = Receipt.objects.get(status=Receipt.Status.ISSUED, kind="annual")
    assert final.replaces_id == provisional.pk and final.batch == batch


# --- The donor's portal -------------------------------------------------------------------------


def test_the_portal_marks_a_provisional_certificate(hanako):
    provisional, _ = receipt_issue_annual(
        supporter=hanako, year=this_year(), confirm_unfinished_year=True
    )
    final, _ = receipt_issue_annual(supporter=hanako, year=this_year() - 1)
    html = portal_receipts_part(supporter=hanako)
    assert html.count("data-provisional") == 1
    row = html[html.index(provisional.number) - 400 : html.index(provisional.number)]
    assert "data-provisional" in row
    assert final.number in html


# --- Admin: single issue and batch ---------------------------------------------------------------


def test_single_issue_shows_the_warning_and_needs_the_box(client, finance, hanako):
    client.force_login(finance)
    url = "/admin/receipt-tools/issue/"
    page = client.get(url, {"supporter": hanako.pk, "year": this_year()}).content.decode()
    assert "data-unfinished-year" in page and 'name="confirm_unfinished_year"' in page
    response = client.post(url, {"supporter": hanako.pk, "year": this_year()}, follow=True)
    assert not Receipt.objects.exists()
    # The input is kept: back on the same donor and year, with the reason.
    assert response.redirect_chain[-1][0] == f"{url}?supporter={hanako.pk}&year={this_year()}"
    messages = [str(m) for m in response.context["messages"]]
    assert any(str(this_year()) in m for m in messages)
    client.post(url, {"supporter": hanako.pk, "year": this_year(), "confirm_unfinished_year": "1"})
    assert Receipt.objects.get().is_provisional


def test_single_issue_of_a_finished_year_shows_no_warning(client, finance, hanako):
    client.force_login(finance)
    url = "/admin/receipt-tools/issue/"
    page = client.get(url, {"supporter": hanako.pk, "year": this_year() - 1}).content.decode()
    assert "data-unfinished-year" not in page
    client.post(url, {"supporter": hanako.pk, "year": this_year() - 1})
    assert not Receipt.objects.get().is_provisional


def test_batch_screen_needs_the_box_for_an_unfinished_year(
    client, finance, hanako, django_capture_on_commit_callbacks
):
    client.force_login(finance)
    url = "/admin/receipt-tools/batches/"
    response = client.post(url, {"year": str(this_year())})
    assert response.status_code == 200 and not ReceiptBatch.objects.exists()
    form = response.context["form"]
    assert "confirm_unfinished_year" in form.errors
    assert f'value="{this_year()}"' in response.content.decode()  # the input is kept
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": str(this_year()), "confirm_unfinished_year": "on"})
    assert response.status_code == 302 and ReceiptBatch.objects.count() == 1
