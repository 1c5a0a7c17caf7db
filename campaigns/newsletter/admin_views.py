"""Staff screens of mail news: send an issue (count, test to oneself, now or later), the list
of mailings, each mailing's report with its progress bar. Audiences are a snippet."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.snippets.views.snippets import SnippetViewSet

from ouendan.core.admin_permissions import ListPermissionSnippetChooserViewSet
from ouendan.core.jobs import job_progress, job_progress_response

from .models import AudienceSegment, Mailing, NewsletterPage
from .selectors import mailing_counts, segment_count
from .services import issue_sendable_check, mailing_cancel, mailing_schedule, mailing_test_send

SEND_PERMISSION = "newsletter.send_mailing"


def _require(request) -> None:
    if not request.user.has_perm(SEND_PERMISSION):
        raise PermissionDenied


class AudienceSegmentViewSet(SnippetViewSet):
    model = AudienceSegment
    icon = "group"
    menu_label = _("Mail news audiences")
    add_to_admin_menu = True  # its own menu item: the generic snippets index stays unused
    menu_order = 423
    chooser_viewset_class = ListPermissionSnippetChooserViewSet
    list_display = ["name", "description"]
    search_fields = ["name"]


class SendForm(forms.Form):
    segment = forms.ModelChoiceField(
        label=_("Audience"), queryset=AudienceSegment.objects.all(), required=False
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Now")), ("later", _("At a set time"))],
        initial="now",
        widget=forms.RadioSelect,
    )
    send_at = forms.DateTimeField(label=_("Send at"), required=False, widget=AdminDateTimeInput)

    def clean(self):
        data = super().clean()
        if data.get("when") == "later":
            send_at = data.get("send_at")
            if send_at is None or send_at <= timezone.now():
                self.add_error("send_at", _("Choose a time in the future."))
        return data


def mailing_send(request, page_id: int):
    """Choose the audience (its count shown first), send a test to oneself, then send now or
    schedule. The issue must be published, with no review in progress."""
    _require(request)
    page = get_object_or_404(NewsletterPage, pk=page_id)
    form = SendForm(request.POST or None, initial={"segment": request.GET.get("segment")})
    context = {"page": page, "form": form, "count": None}
    try:
        issue_sendable_check(page)
    except ValidationError as error:
        context["not_ready"] = error.messages[0]
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        segment = form.cleaned_data["segment"]
        if action == "test":
            try:
                address = mailing_test_send(page=page, user=request.user, language=get_language())
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(
                    request, _("A test was sent to %(address)s.") % {"address": address}
                )
        elif segment is None:
            form.add_error("segment", _("Choose an audience."))
        else:
            count = segment_count(segment)
            context["count"] = count
            if action == "send":
                if not request.POST.get("confirm"):
                    messages.error(request, _("Tick the box to confirm before sending."))
                elif str(count) != request.POST.get("expected_count"):
                    messages.warning(
                        request,
                        _("The audience changed to %(count)s people. Check and confirm again.")
                        % {"count": count},
                    )
                else:
                    try:
                        mailing = mailing_schedule(
                            page=page,
                            segment=segment,
                            user=request.user,
                            send_at=form.cleaned_data.get("send_at")
                            if form.cleaned_data["when"] == "later"
                            else None,
                        )
                    except ValidationError as error:
                        messages.error(request, error.messages[0])
                    else:
                        messages.success(request, _("The mailing was scheduled."))
                        return redirect("newsletter_mailings:detail", mailing.pk)
    return TemplateResponse(request, "newsletter/admin/send.html", context)


def mailing_list(request):
    _require(request)
    mailings = Mailing.objects.select_related("page", "segment")[:100]
    return TemplateResponse(request, "newsletter/admin/list.html", {"mailings": mailings})


def mailing_progress_data(mailing: Mailing) -> dict:
    counts = mailing_counts(mailing)
    done = counts["total"] - counts["pending"]
    return job_progress(
        status=mailing.status,
        status_label=mailing.get_status_display(),
        processed=done,
        total=counts["total"],
        finished=mailing.status in (Mailing.Status.SENT, Mailing.Status.CANCELLED),
        counts=counts,
    )


def mailing_detail(request, pk: int):
    """The report: sent, delivered, bounced, marked as spam, unsubscribed (no addresses)."""
    _require(request)
    mailing = get_object_or_404(Mailing.objects.select_related("page", "segment"), pk=pk)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        if mailing_cancel(mailing=mailing):
            messages.success(request, _("The mailing was cancelled."))
        return redirect("newsletter_mailings:detail", mailing.pk)
    return TemplateResponse(
        request,
        "newsletter/admin/detail.html",
        {"mailing": mailing, "progress": mailing_progress_data(mailing)},
    )


def mailing_progress(request, pk: int):
    _require(request)
    mailing = get_object_or_404(Mailing, pk=pk)
    return job_progress_response(mailing_progress_data(mailing))


urlpatterns = [
    path("", mailing_list, name="list"),
    path("send/<int:page_id>/", mailing_send, name="send"),
    path("<int:pk>/", mailing_detail, name="detail"),
    path("<int:pk>/progress/", mailing_progress, name="progress"),
]
