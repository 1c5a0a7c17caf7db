"""Staff screens for thanking donors: templates (snippets), the log, and bulk thank-yous.

Bulk thank-you: choose a campaign and/or a date range → preview (the message rendered for one
recipient, and how many people will get it) → confirm → a background task queues one e-mail per
recipient (progress bar, status per recipient). Needs campaigns.send_thankyoubatch (Finance).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views import snippets
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ouendan.core.admin_display import (
    DisplayIndexMixin,
    DisplayInspectMixin,
    LinkColumn,
    ValueDisplay,
    link_html,
)
from ouendan.core.admin_permissions import (
    ListPermissionSnippetChooserViewSet,
    ViewOnlyPermissionPolicy,
)
from ouendan.core.jobs import job_progress_response

from .models import (
    CampaignPage,
    ThankYouBatch,
    ThankYouKind,
    ThankYouLog,
    ThankYouTemplate,
    placeholders_validate,
)
from .thanks import (
    thank_you_batch_create,
    thank_you_batch_preview,
    thank_you_batch_progress,
    thank_you_batch_recipients,
    thank_you_texts,
)
from .thanks_display import thank_you_batch_title, thank_you_log_link

BULK_PERMISSION = "campaigns.send_thankyoubatch"
RECIPIENTS_PER_PAGE = 100


class DisplayIndexView(DisplayIndexMixin, snippets.IndexView):
    pass


class ThankYouTemplateViewSet(SnippetViewSet):
    model = ThankYouTemplate
    chooser_viewset_class = ListPermissionSnippetChooserViewSet
    icon = "mail"
    menu_label = _("Thank-you templates")
    index_view_class = DisplayIndexView
    list_display = ["kind", "language", "subject", "updated_at"]
    list_filter = ["kind", "language"]
    copy_view_enabled = False


register_permission_policy(ThankYouLog, ViewOnlyPermissionPolicy(ThankYouLog))


class ThankYouLogIndexView(DisplayIndexMixin, snippets.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter")


class ThankYouLogInspectView(DisplayInspectMixin, snippets.InspectView):
    """What the thank-you was for as a link (a gift, a campaign, a delivery), not its key."""

    def get_object_key_display_value(self):
        return ValueDisplay(link_html(thank_you_log_link(self.object)))


class ThankYouLogViewSet(SnippetViewSet):
    model = ThankYouLog
    chooser_viewset_class = ListPermissionSnippetChooserViewSet
    icon = "list-ul"
    menu_label = _("Thank-you log")
    copy_view_enabled = False
    exclude_form_fields: list[str] = []  # a form is required; the policy refuses every edit
    inspect_view_enabled = True
    index_view_class = ThankYouLogIndexView
    inspect_view_class = ThankYouLogInspectView
    list_display = [
        "created_at",
        "kind",
        LinkColumn("for", label=_("For"), accessor=thank_you_log_link),
        "supporter",
        "status",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["object_key"]
    search_backend_name = None


class ThanksViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Thanks")
    menu_icon = "mail"
    menu_order = 420
    items = (ThankYouTemplateViewSet, ThankYouLogViewSet)


# --- Bulk thank-yous ---------------------------------------------------------------------------


def _require(request) -> None:
    if not request.user.has_perm(BULK_PERMISSION):
        raise PermissionDenied


class BulkThanksForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=CampaignPage.objects.none(),
        required=False,
        empty_label=_("Any campaign (use the dates)"),
    )
    paid_from = forms.DateField(
        label=_("Gifts from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    paid_to = forms.DateField(
        label=_("Gifts until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    skip_already_thanked = forms.BooleanField(
        label=_("Leave out donors an earlier bulk thank-you for this campaign reached"),
        required=False,
        initial=True,
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Placeholders: {name} {campaign} {date} {organisation}."),
    )
    subject_en = forms.CharField(
        label=_("Subject in English (optional)"), max_length=150, required=False
    )
    body_en = forms.CharField(
        label=_("Message in English (optional)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Sent to supporters who prefer English; otherwise they get the Japanese one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = CampaignPage.objects.filter(
            locale__language_code="ja"
        ).order_by("-start_date")

    def _clean_text(self, name):
        value = self.cleaned_data.get(name, "")
        placeholders_validate(value)
        return value

    def clean_subject(self):
        return self._clean_text("subject")

    def clean_body(self):
        return self._clean_text("body")

    def clean_subject_en(self):
        return self._clean_text("subject_en")

    def clean_body_en(self):
        return self._clean_text("body_en")

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("campaign") or cleaned.get("paid_from") or cleaned.get("paid_to")):
            raise ValidationError(_("Choose a campaign or a date range."))
        paid_from, paid_to = cleaned.get("paid_from"), cleaned.get("paid_to")
        if paid_from and paid_to and paid_from > paid_to:
            raise ValidationError({"paid_to": _("The end date is before the start date.")})
        if bool(cleaned.get("subject_en")) != bool(cleaned.get("body_en")):
            raise ValidationError(_("Fill in both the English subject and message, or neither."))
        return cleaned

    def recipients(self):
        data = self.cleaned_data
        return thank_you_batch_recipients(
            campaign=data["campaign"],
            paid_from=data["paid_from"],
            paid_to=data["paid_to"],
            skip_already_thanked=data["skip_already_thanked"],
        )

    def texts(self) -> dict:
        data = self.cleaned_data
        texts = {"ja": (data["subject"], data["body"])}
        if data["subject_en"] and data["body_en"]:
            texts["en"] = (data["subject_en"], data["body_en"])
        return texts


def bulk_thanks_list(request):
    _require(request)
    batches = list(ThankYouBatch.objects.select_related("campaign", "created_by")[:50])
    for batch in batches:
        batch.title = thank_you_batch_title(batch)
    return TemplateResponse(request, "campaigns/admin/bulk_list.html", {"batches": batches})


def bulk_thanks_new(request):
    """Choose → preview → confirm. Nothing is stored before the confirmation."""
    _require(request)
    if request.method == "POST":
        form = BulkThanksForm(request.POST)
    else:
        subject, body = thank_you_texts(kind=ThankYouKind.BULK, language="ja")
        subject_en, body_en = thank_you_texts(kind=ThankYouKind.BULK, language="en")
        initial = {"subject": subject, "body": body, "subject_en": subject_en, "body_en": body_en}
        campaign = request.GET.get("campaign", "")
        if campaign.isdigit():
            initial["campaign"] = campaign
        form = BulkThanksForm(initial=initial)
    context = {"form": form, "preview": None}
    if request.method == "POST" and form.is_valid():
        recipients = form.recipients()
        preview = thank_you_batch_preview(
            recipients=recipients, campaign=form.cleaned_data["campaign"], texts=form.texts()
        )
        context["preview"] = preview
        if request.POST.get("action") == "send":
            if not request.POST.get("confirm"):
                messages.error(request, _("Tick the box to confirm before sending."))
            elif str(preview.count) != request.POST.get("expected_count"):
                messages.warning(
                    request,
                    _("The number of recipients changed to %(count)s. Check and confirm again.")
                    % {"count": preview.count},
                )
            elif preview.count == 0:
                messages.error(request, _("Nobody to thank with these choices."))
            else:
                data = form.cleaned_data
                batch = thank_you_batch_create(
                    recipients=recipients,
                    campaign=data["campaign"],
                    paid_from=data["paid_from"],
                    paid_to=data["paid_to"],
                    subject=data["subject"],
                    body=data["body"],
                    subject_en=data["subject_en"] if data["body_en"] else "",
                    body_en=data["body_en"] if data["subject_en"] else "",
                    user=request.user,
                )
                messages.success(request, _("Sending started."))
                return redirect("campaign_thanks:detail", batch.pk)
    return TemplateResponse(request, "campaigns/admin/bulk_new.html", context)


def bulk_thanks_detail(request, pk: int):
    _require(request)
    batch = get_object_or_404(ThankYouBatch.objects.select_related("campaign"), pk=pk)
    batch.title = thank_you_batch_title(batch)
    recipients = Paginator(
        batch.recipients.select_related("supporter", "email").order_by("pk"), RECIPIENTS_PER_PAGE
    ).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "campaigns/admin/bulk_detail.html",
        {
            "batch": batch,
            "recipients": recipients,
            "progress": thank_you_batch_progress(batch_id=batch.pk),
        },
    )


def bulk_thanks_progress(request, pk: int):
    _require(request)
    get_object_or_404(ThankYouBatch, pk=pk)
    return job_progress_response(thank_you_batch_progress(batch_id=pk))


urlpatterns = [
    path("", bulk_thanks_list, name="list"),
    path("new/", bulk_thanks_new, name="new"),
    path("<int:pk>/", bulk_thanks_detail, name="detail"),
    path("<int:pk>/progress/", bulk_thanks_progress, name="progress"),
]
