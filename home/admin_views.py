"""Staff screens owned by the home app: the e-mail outbox (read-only)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import OutgoingEmail


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    """Staff may look at the outbox; only the system writes to it."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class OutgoingEmailViewSet(ModelViewSet):
    model = OutgoingEmail
    icon = "mail"
    menu_label = _("Outgoing e-mails")
    add_to_admin_menu = True
    menu_order = 800
    copy_view_enabled = False
    exclude_form_fields: list[str] = []  # ModelViewSet needs a form; its edit views are refused
    inspect_view_enabled = True
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject", "key"]
    inspect_view_fields = [
        "key",
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "supporter",
        "created_at",
        "sent_at",
    ]


register_permission_policy(OutgoingEmail, ViewOnlyPermissionPolicy(OutgoingEmail))
outgoing_email_viewset = OutgoingEmailViewSet("outgoing_emails")


# --- Impact figures staff enter (households supported), shown by the live impact block ---------

from .models import StaffImpactFigure  # noqa: E402


class StaffImpactFigureViewSet(ModelViewSet):
    model = StaffImpactFigure
    icon = "table"
    menu_label = _("Impact figures entered by staff")
    add_to_settings_menu = True
    copy_view_enabled = False
    form_fields = ["year", "households_supported", "note"]
    list_display = ["year", "households_supported", "note"]


staff_impact_figure_viewset = StaffImpactFigureViewSet("staff_impact_figures")
