"""Staff screens for receipts and annual donation certificates (Wagtail admin, Finance only).

- Receipts: list with filters and search, a detail page with the gifts, the log and the
  actions (download, reissue 再発行, void with a reason, void and issue a corrected one).
- Issue: choose a donor and a year, then issue the annual certificate or a receipt per gift.
- Yearly batches: start a year's certificates in the background, follow the progress,
  download the ZIP of certificates to post to donors without e-mail.

Only the Finance group holds the receipt permissions (donations/migrations/0006_…).
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from home.admin_views import ViewOnlyPermissionPolicy
from members.models import Supporter

from .admin_views import donor_chooser_viewset
from .models import Donation, Receipt, ReceiptBatch
from .receipts import (
    ReceiptError,
    receipt_batch_start,
    receipt_correct,
    receipt_gifts_for_year,
    receipt_issue_annual,
    receipt_issue_for_donation,
    receipt_log_download,
    receipt_pdf_ensure,
    receipt_reissue,
    receipt_void,
)

VIEW = "donations.view_receipt"
ISSUE = "donations.add_receipt"
CHANGE = "donations.change_receipt"
BATCH_VIEW = "donations.view_receiptbatch"
BATCH_START = "donations.add_receiptbatch"
BATCHES_LISTED = 30

# Receipts change only through the services below, never through a generic edit form.
register_permission_policy(Receipt, ViewOnlyPermissionPolicy(Receipt))


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _private_file(fieldfile, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        fieldfile.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Receipts list and detail ----------------------------------------------------------------


class ReceiptIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter")

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm(ISSUE):
            buttons.append(
                HeaderButton(
                    _("Issue for a donor"), url=reverse("receipt_tools:issue"), icon_name="plus"
                )
            )
        if self.request.user.has_perm(BATCH_VIEW):
            buttons.append(
                HeaderButton(
                    _("Yearly certificates"),
                    url=reverse("receipt_tools:batches"),
                    icon_name="doc-full",
                )
            )
        return buttons


class ReceiptInspectView(generic.InspectView):
    template_name = "donations/admin/receipt_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        receipt = self.object
        user = self.request.user
        context.update(
            {
                "receipt": receipt,
                "log": receipt.log.select_related("user"),
                "corrections": receipt.corrections.all(),
                "can_change": user.has_perm(CHANGE) and receipt.status == Receipt.Status.ISSUED,
                "download_url": reverse("receipt_tools:download", args=[receipt.pk]),
                "reissue_url": reverse("receipt_tools:reissue", args=[receipt.pk]),
                "void_url": reverse("receipt_tools:void", args=[receipt.pk]),
                "correct_url": reverse("receipt_tools:correct", args=[receipt.pk]),
            }
        )
        return context


class ReceiptViewSet(ModelViewSet):
    model = Receipt
    icon = "doc-full"
    menu_label = _("Receipts")
    add_to_admin_menu = True
    menu_order = 301
    exclude_form_fields: list[str] = []  # ModelViewSet needs a form; the policy refuses edits
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ReceiptIndexView
    inspect_view_class = ReceiptInspectView
    list_per_page = 50
    list_display = [
        "number",
        "donor_name",
        "kind",
        "year",
        Column("total_yen", label=_("total (yen)")),
        "status",
        "issued_at",
        "reissue_count",
    ]
    list_filter = ["kind", "status", "year", "issued_at"]
    search_fields = ["number", "donor_name", "supporter__email", "supporter__family_name_kana"]
    search_backend_name = None
    inspect_view_fields = [
        "number",
        "kind",
        "year",
        "status",
        "supporter",
        "donor_name",
        "donor_postal_code",
        "donor_address",
        "total_yen",
        "issued_at",
        "issued_by",
        "reissue_count",
        "reissued_at",
        "replaces",
        "void_reason",
        "voided_at",
        "voided_by",
        "batch",
    ]


receipt_viewset = ReceiptViewSet("receipts")


def _inspect_url(receipt: Receipt) -> str:
    return reverse(receipt_viewset.get_url_name("inspect"), args=[receipt.pk])


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
    return redirect(_inspect_url(receipt))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Kept in the receipt's log. The donor does not see it."),
    )


def _reason_view(request, pk: int, *, correct: bool):
    _require(request, CHANGE)
    receipt = get_object_or_404(Receipt, pk=pk)
    form = ReasonForm(request.POST or None)
    if receipt.status != Receipt.Status.ISSUED:
        messages.error(request, _("This receipt is already void."))
        return redirect(_inspect_url(receipt))
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
            return redirect(_inspect_url(new))
    return TemplateResponse(
        request,
        "donations/admin/receipt_reason.html",
        {
            "receipt": receipt,
            "form": form,
            "correct": correct,
            "cancel_url": _inspect_url(receipt),
        },
    )


def receipt_void_view(request, pk: int):
    return _reason_view(request, pk, correct=False)


def receipt_correct_view(request, pk: int):
    return _reason_view(request, pk, correct=True)


# --- Issue for one donor ---------------------------------------------------------------------


def _default_year() -> int:
    today = timezone.localdate()
    return today.year - 1 if today.month <= 3 else today.year


class IssueForm(forms.Form):
    supporter = forms.ModelChoiceField(
        label=_("donor"),
        queryset=Supporter.objects.exclude(status=Supporter.Status.ANONYMISED),
        widget=donor_chooser_viewset.widget_class,
    )
    year = forms.IntegerField(label=_("year"), min_value=2000)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("Choose a year that has started."))
        return year


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
                        supporter=supporter, year=year, user=request.user
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
                return redirect(_inspect_url(receipt))
        query = (
            f"?supporter={request.POST.get('supporter', '')}&year={request.POST.get('year', '')}"
        )
        return redirect(reverse("receipt_tools:issue") + query)

    form = IssueForm(
        request.GET if "supporter" in request.GET else None, initial={"year": _default_year()}
    )
    context = {"form": form, "media": form.media}
    if form.is_bound and form.is_valid():
        supporter, year = form.cleaned_data["supporter"], form.cleaned_data["year"]
        gifts = receipt_gifts_for_year(supporter=supporter, year=year)
        receipts = {
            receipt.donation_id: receipt
            for receipt in Receipt.objects.filter(
                supporter=supporter, kind=Receipt.Kind.GIFT, status=Receipt.Status.ISSUED
            )
        }
        context.update(
            {
                "supporter": supporter,
                "year": year,
                "gifts": [(gift, receipts.get(gift.pk)) for gift in gifts],
                "total": sum(gift.net_yen for gift in gifts),
                "certificates": Receipt.objects.filter(
                    supporter=supporter, year=year, kind=Receipt.Kind.ANNUAL
                ),
                "membership_fees": Donation.objects.filter(
                    supporter=supporter, kind=Donation.Kind.MEMBERSHIP
                ).count(),
            }
        )
    return TemplateResponse(request, "donations/admin/receipt_issue.html", context)


# --- Yearly batches --------------------------------------------------------------------------


class BatchForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000)


def _batch_progress(batch: ReceiptBatch) -> dict:
    return {
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "percent": batch.percent,
        "processed_rows": batch.processed,
        "total_rows": batch.total,
        "issued": batch.issued_count,
        "skipped": batch.skipped_count,
        "emailed": batch.emailed_count,
        "postal": batch.postal_count,
        "finished": batch.status in (ReceiptBatch.Status.DONE, ReceiptBatch.Status.FAILED),
    }


def batch_list(request):
    _require(request, BATCH_VIEW)
    form = BatchForm(request.POST or None, initial={"year": _default_year()})
    if request.method == "POST":
        _require(request, BATCH_START)
        if form.is_valid():
            try:
                batch, created = receipt_batch_start(
                    year=form.cleaned_data["year"], user=request.user
                )
            except ReceiptError as exc:
                form.add_error("year", str(exc))
            else:
                if not created:
                    messages.warning(request, _("A batch for this year is already under way."))
                return redirect("receipt_tools:batch", batch.pk)
    return TemplateResponse(
        request,
        "donations/admin/receipt_batches.html",
        {
            "form": form,
            "can_start": request.user.has_perm(BATCH_START),
            "batches": ReceiptBatch.objects.select_related("created_by")[:BATCHES_LISTED],
        },
    )


def batch_detail(request, pk: int):
    _require(request, BATCH_VIEW)
    batch = get_object_or_404(ReceiptBatch, pk=pk)
    return TemplateResponse(
        request,
        "donations/admin/receipt_batch_detail.html",
        {"batch": batch, "progress": _batch_progress(batch)},
    )


def batch_progress(request, pk: int):
    _require(request, BATCH_VIEW)
    response = JsonResponse(_batch_progress(get_object_or_404(ReceiptBatch, pk=pk)))
    patch_cache_control(response, no_store=True)
    return response


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
