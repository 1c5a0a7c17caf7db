"""Who may do what on the goods screens beyond the model permissions, and shared bits."""

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from ouendan.core.admin_permissions import ViewOnlyPermissionPolicy

from ..models import Delivery, ExpectedDelivery, Pledge
from ..rules import quantity_display


class NoDeletePermissionPolicy(ModelPermissionPolicy):
    """Pledges and deliveries are history: corrected, declined or cancelled, never deleted.
    Pledges are added by the public form or an import, deliveries from their pledge."""

    def user_has_permission(self, user, action):
        if action in ("delete", "add"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Pledge, NoDeletePermissionPolicy(Pledge))
register_permission_policy(Delivery, NoDeletePermissionPolicy(Delivery))
register_permission_policy(ExpectedDelivery, ViewOnlyPermissionPolicy(ExpectedDelivery))


def lines_summary(lines) -> str:
    return "、".join(
        f"{line.description} {quantity_display(line.quantity)} {line.get_unit_display()}"
        for line in lines
    )
