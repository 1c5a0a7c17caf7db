"""The e-mail outbox's staff screens: read-only, plus "send again"."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from .admin_display import (
    DisplayColumn,
    DisplayIndexMixin,
    DisplayInspectMixin,
    LocalDateTimeColumn,
    NumberColumn,
)
from .admin_permissions import ViewOnlyPermissionPolicy
from .mail import outgoing_email_resend
from .models import OutgoingEmail
from .outbox_purposes import outbox_purpose
from .selectors import outgoing_email_categories


class OutboxPermissionPolicy(ViewOnlyPermissionPolicy):
    """View-only, and a money message only for users with the money permission."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and (
            instance.category in outgoing_email_categories(user)
        )

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return self.model.objects.none()
        return self.model.objects.filter(category__in=outgoing_email_categories(user))


def outgoing_email_for_user(*, user, pk) -> OutgoingEmail:
    """The message, or PermissionDenied when the user may not read its category."""
    message = get_object_or_404(OutgoingEmail, pk=pk)
    if not OutboxPermissionPolicy(OutgoingEmail).user_has_permission_for_instance(
        user, "view", message
    ):
        raise PermissionDenied
    return message


class _OneMessageGuard:
    """Every per-message screen refuses a message of a category the user may not read."""

    def get_object(self, *args, **kwargs):
        return outgoing_email_for_user(user=self.request.user, pk=self.kwargs["pk"])


class OutgoingEmailIndexView(DisplayIndexMixin, generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(category__in=outgoing_email_categories(self.request.user))
        )


class OutgoingEmailInspectView(_OneMessageGuard, DisplayInspectMixin, generic.InspectView):
    """What the message is for (a label and a link to the related gift, campaign, receipt…);
    the unique key only in a folded technical section."""

    template_name = "core/admin/outgoing_email_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["purpose"] = outbox_purpose(self.object.key)
        return context

    @property
    def header_buttons(self):
        if self.object.status != OutgoingEmail.Status.SENDING:
            return []
        return [
            HeaderButton(
                _("Send again"),
                url=reverse("outgoing_emails:resend", args=[self.object.pk]),
                icon_name="mail",
            )
        ]


class OutgoingEmailHistoryView(_OneMessageGuard, HistoryView):
    pass


class OutgoingEmailUsageView(_OneMessageGuard, UsageView):
    pass


def outgoing_email_resend_view(request, pk):
    """Confirm, then queue again a message left 'being sent' (the worker stopped mid-send).
    Staff first check with the recipient or the mail provider that it did not arrive."""
    if not OutboxPermissionPolicy(OutgoingEmail).user_has_permission(request.user, "view"):
        raise PermissionDenied
    message = outgoing_email_for_user(user=request.user, pk=pk)
    inspect_url = reverse("outgoing_emails:inspect", args=[message.pk])
    if request.method == "POST":
        if outgoing_email_resend(email_id=message.pk, user=request.user):
            messages.success(request, _t("The e-mail was queued to be sent again."))
        else:
            messages.error(
                request, _t("This e-mail is no longer being sent; nothing was queued again.")
            )
        return redirect(inspect_url)
    return TemplateResponse(
        request,
        "core/admin/outgoing_email_resend.html",
        {"message": message, "cancel_url": inspect_url},
    )


class OutgoingEmailViewSet(ModelViewSet):
    model = OutgoingEmail
    icon = "mail"
    menu_label = _("Outgoing e-mails")
    add_to_admin_menu = True
    menu_order = 800
    copy_view_enabled = False
    exclude_form_fields: list[str] = []  # ModelViewSet needs a form; its edit views are refused
    inspect_view_enabled = True
    index_view_class = OutgoingEmailIndexView
    inspect_view_class = OutgoingEmailInspectView
    history_view_class = OutgoingEmailHistoryView
    usage_view_class = OutgoingEmailUsageView
    list_display = [
        "subject",
        "to",
        DisplayColumn(
            "purpose", label=_("Purpose"), accessor=lambda m: outbox_purpose(m.key).label
        ),
        "status",
        "category",
        NumberColumn("attempts", label=_("Attempts"), sort_key="attempts"),
        LocalDateTimeColumn(
            "created_at", label=pgettext_lazy("date", "Created"), sort_key="created_at"
        ),
        LocalDateTimeColumn("sent_at", label=_("Sent"), sort_key="sent_at"),
    ]
    list_filter = ["status", "category"]
    search_fields = ["to", "subject", "key"]
    # Never `secret_body`: it holds single-use links until the message is sent.
    # The key is shown apart, folded (outgoing_email_inspect.html).
    inspect_view_fields = [
        "to",
        "subject",
        "body",
        "status",
        "category",
        "attempts",
        "last_error",
        "supporter",
        "created_at",
        "sent_at",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("resend/<int:pk>/", outgoing_email_resend_view, name="resend"),
        ]


register_permission_policy(OutgoingEmail, OutboxPermissionPolicy(OutgoingEmail))
outgoing_email_viewset = OutgoingEmailViewSet("outgoing_emails")
