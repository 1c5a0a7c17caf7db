"""Staff tools for receipts and annual donation certificates (Wagtail admin, Finance only),
beside the list and detail screens of viewsets.py:

- Actions on one receipt: download, reissue 再発行, void with a reason, void and issue a
  corrected one.
- Issue: choose a donor and a year, then issue the annual certificate or a receipt per gift.
- Yearly batches: start a year's certificates in the background, follow the progress,
  download the ZIP of certificates to post to donors without e-mail.
"""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from donations.models import Donation
from ouendan.core.jobs import job_progress_response

from .batches import receipt_batch_progress, receipt_batch_start
from .forms import UNFINISHED_YEAR_LABEL, BatchForm, IssueForm, ReasonForm, receipt_default_year
from .models import Receipt, ReceiptBatch
from .selectors import (
    issuer_blocking_details,
    issuer_missing_details,
    receipt_issue_overview,
    year_finished,
)
from .services import (
    ReceiptError,
    ReceiptYearNotEnded,
    receipt_correct,
    receipt_issue_annual,
    receipt_issue_for_donation,
    receipt_log_download,
    receipt_pdf_ensure,
    receipt_reissue,
    receipt_void,
)
from .viewsets import (
    BATCH_START,
    BATCH_VIEW,
    BATCHES_LISTED,
    CHANGE,
    ISSUE,
    VIEW,
    receipt_inspect_url,
)


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _issuer_warnings() -> dict:
    """The missing issuer details the issue screens warn about, with the settings link."""
    return {
        "issuer_missing": issuer_missing_details(),
        "issuer_blocking": issuer_blocking_details(),
        "organisation_settings_url": reverse(
            "wagtailsettings:edit", args=["core", "organisationsettings"]
        ),
    }


def _private_file(fieldfile, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        fieldfile.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def receipt_download(request, pk: int):
    _require(request, VIEW)
    receipt = get_object_or_404(Receipt, pk=pk)
    receipt_pdf_ensure(receipt=receipt)
    receipt_log_download(receipt=receipt, user=request.user)
    return _private_file(receipt.pdf, f"{receipt.number}.pdf", "application/pdf")


@require_POST
def receipt_reissue_view(request, pk: int):
    _require(request, CHANGE)
    receipt = get_object_or_404(Receipt, pk=pk)
    try:
        receipt_reissue(receipt=receipt, user=request.user)
    except ReceiptError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(number)s was reissued (再発行).") % {"number": receipt.number}
        )
    return redirect(receipt_inspect_url(receipt))


def _reason_view(request, pk: int, *, correct: bool):
    _require(request, CHANGE)
    receipt = get_object_or_404(Receipt, pk=pk)
    form = ReasonForm(request.POST or None)
    if receipt.status != Receipt.Status.ISSUED:
        messages.error(request, _("This receipt is already void."))
        return redirect(receipt_inspect_url(receipt))
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if correct:
                new = receipt_correct(receipt=receipt, reason=reason, user=request.user)
            else:
                new = receipt_void(receipt=receipt, reason=reason, user=request.user)
        except ReceiptError as exc:
            form.add_error(None, str(exc))
        else:
            if correct:
                messages.success(
                    request,
                    _("%(old)s is void; %(new)s was issued in its place.")
                    % {"old": receipt.number, "new": new.number},
                )
            else:
                messages.success(request, _("%(number)s is void.") % {"number": receipt.number})
            return redirect(receipt_inspect_url(new))
    return TemplateResponse(
        request,
        "receipts/admin/receipt_reason.html",
        {
            "receipt": receipt,
            "form": form,
            "correct": correct,
            "cancel_url": receipt_inspect_url(receipt),
        },
    )


def receipt_void_view(request, pk: int):
    return _reason_view(request, pk, correct=False)


def receipt_correct_view(request, pk: int):
    return _reason_view(request, pk, correct=True)


def receipt_issue_view(request):
    _require(request, ISSUE)
    if request.method == "POST":
        form = IssueForm(request.POST)
        if form.is_valid():
            supporter, year = form.cleaned_data["supporter"], form.cleaned_data["year"]
            try:
                if request.POST.get("donation"):
                    donation = get_object_or_404(
                        Donation, pk=request.POST["donation"], supporter=supporter
                    )
                    receipt, created = receipt_issue_for_donation(
                        donation=donation, user=request.user
                    )
                else:
                    receipt, created = receipt_issue_annual(
                        supporter=supporter,
                        year=year,
                        user=request.user,
                        confirm_unfinished_year=bool(request.POST.get("confirm_unfinished_year")),
                    )
            except ReceiptError as exc:
                messages.error(request, str(exc))
            else:
                if created:
                    messages.success(request, _("%(number)s was issued.") % {"number": receipt})
                else:
                    messages.warning(
                        request,
                        _("%(number)s was already issued: nothing new was issued.")
                        % {"number": receipt},
                    )
                return redirect(receipt_inspect_url(receipt))
        query = (
            f"?supporter={request.POST.get('supporter', '')}&year={request.POST.get('year', '')}"
        )
        return redirect(reverse("receipt_tools:issue") + query)

    form = IssueForm(
        request.GET if "supporter" in request.GET else None,
        initial={"year": receipt_default_year()},
    )
    context = {"form": form, "media": form.media, **_issuer_warnings()}
    if form.is_bound and form.is_valid():
        supporter, year = form.cleaned_data["supporter"], form.cleaned_data["year"]
        context.update(
            {
                "supporter": supporter,
                "year": year,
                "year_unfinished": not year_finished(year),
                "unfinished_year_label": UNFINISHED_YEAR_LABEL,
                **receipt_issue_overview(supporter=supporter, year=year),
            }
        )
    return TemplateResponse(request, "receipts/admin/receipt_issue.html", context)


# --- Yearly batches --------------------------------------------------------------------------


def batch_list(request):
    _require(request, BATCH_VIEW)
    form = BatchForm(request.POST or None, initial={"year": receipt_default_year()})
    if request.method == "POST":
        _require(request, BATCH_START)
        if form.is_valid():
            try:
                batch, created = receipt_batch_start(
                    year=form.cleaned_data["year"],
                    user=request.user,
                    confirm_unfinished_year=form.cleaned_data["confirm_unfinished_year"],
                )
            except ReceiptYearNotEnded as exc:
                form.add_error("confirm_unfinished_year", str(exc))
            except ReceiptError as exc:
                form.add_error("year", str(exc))
            else:
                if not created:
                    messages.warning(request, _("A batch for this year is already under way."))
                return redirect("receipt_tools:batch", batch.pk)
    return TemplateResponse(
        request,
        "receipts/admin/receipt_batches.html",
        {
            "form": form,
            "can_start": request.user.has_perm(BATCH_START),
            "current_year": timezone.localdate().year,
            **_issuer_warnings(),
            "batches": ReceiptBatch.objects.select_related("created_by")[:BATCHES_LISTED],
        },
    )


def batch_detail(request, pk: int):
    _require(request, BATCH_VIEW)
    batch = get_object_or_404(ReceiptBatch, pk=pk)
    return TemplateResponse(
        request,
        "receipts/admin/receipt_batch_detail.html",
        {"batch": batch, "progress": receipt_batch_progress(batch=batch)},
    )


def batch_progress(request, pk: int):
    _require(request, BATCH_VIEW)
    batch = get_object_or_404(ReceiptBatch, pk=pk)
    return job_progress_response(receipt_batch_progress(batch=batch))


def batch_zip(request, pk: int):
    _require(request, VIEW)
    batch = get_object_or_404(ReceiptBatch, pk=pk)
    if not batch.postal_zip:
        raise Http404
    return _private_file(batch.postal_zip, f"certificates-{batch.year}-post.zip", "application/zip")


urlpatterns = [
    path("issue/", receipt_issue_view, name="issue"),
    path("<int:pk>/pdf/", receipt_download, name="download"),
    path("<int:pk>/reissue/", receipt_reissue_view, name="reissue"),
    path("<int:pk>/void/", receipt_void_view, name="void"),
    path("<int:pk>/correct/", receipt_correct_view, name="correct"),
    path("batches/", batch_list, name="batches"),
    path("batches/<int:pk>/", batch_detail, name="batch"),
    path("batches/<int:pk>/progress/", batch_progress, name="batch_progress"),
    path("batches/<int:pk>/zip/", batch_zip, name="batch_zip"),
]
