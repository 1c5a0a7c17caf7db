"""The Stripe events screen (Money → Stripe events): the webhook inbox for Finance.

Staff see every event with its status, why it is waiting, flagged or failed, and when it is next
tried (local time); "Retry now" queues one event again. Looking needs the view permission of the
inbox; retrying may record money, so it also needs the permission to record gifts (Finance).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from ouendan.core.admin_display import (
    DisplayIndexMixin,
    DisplayInspectMixin,
    LocalDateTimeColumn,
    NumberColumn,
)

from .models import StripeEvent
from .stripe_inbox import RETRYABLE, stripe_event_retry

RETRY_PERMISSIONS = ("donations.view_stripeevent", "donations.add_donation")


def stripe_event_can_retry(user) -> bool:
    return user.is_active and user.has_perms(RETRY_PERMISSIONS)


class ShortTextColumn(Column):
    def get_value(self, instance):
        value = super().get_value(instance) or "—"
        return value if len(value) <= 80 else value[:79] + "…"


class StripeEventIndexView(DisplayIndexMixin, generic.IndexView):
    pass


class StripeEventInspectView(DisplayInspectMixin, generic.InspectView):
    template_name = "donations/admin/stripe_event_inspect.html"
    retry_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.status in RETRYABLE and stripe_event_can_retry(self.request.user):
            context["retry_url"] = reverse(self.retry_url_name, args=[self.object.pk])
        return context


class StripeEventRetryView(View):
    """POST only (CSRF-checked): make the event pending and queue it now."""

    http_method_names = ["post"]
    inspect_url_name = None

    def post(self, request, pk):
        if not stripe_event_can_retry(request.user):
            raise PermissionDenied
        event = get_object_or_404(StripeEvent, pk=pk)
        try:
            stripe_event_retry(event_id=event.pk)
        except ValueError:
            messages.error(
                request,
                _("This event is %(status)s and cannot be retried.")
                % {"status": event.get_status_display()},
            )
        else:
            messages.success(request, _("Event %(id)s is queued again.") % {"id": event.stripe_id})
        return redirect(self.inspect_url_name, event.pk)


class StripeEventViewSet(ModelViewSet):
    model = StripeEvent
    icon = "code"
    menu_label = gettext_lazy("Stripe events")
    exclude_form_fields: list[str] = []
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = StripeEventIndexView
    inspect_view_class = StripeEventInspectView
    inspect_view_fields = [
        "type",
        "stripe_id",
        "status",
        "last_error",
        "waiting_for",
        "next_attempt_at",
        "attempts",
        "stripe_created",
        "received_at",
        "processed_at",
        "livemode",
        "payload",
    ]
    list_display = [
        "type",
        "stripe_id",
        "status",
        ShortTextColumn("last_error", label=gettext_lazy("last error")),
        LocalDateTimeColumn(
            "next_attempt_at", label=gettext_lazy("next attempt"), sort_key="next_attempt_at"
        ),
        NumberColumn("attempts", label=gettext_lazy("attempts"), sort_key="attempts"),
        LocalDateTimeColumn("received_at", label=gettext_lazy("received"), sort_key="received_at"),
    ]
    list_filter = ["status", "type"]
    search_fields = ["stripe_id", "type", "waiting_for"]
    search_backend_name = None

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    def get_urlpatterns(self):
        retry = StripeEventRetryView.as_view(inspect_url_name=self.get_url_name("inspect"))
        return [*super().get_urlpatterns(), path("retry/<int:pk>/", retry, name="retry")]
