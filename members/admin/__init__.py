"""Staff screens for supporters in the Wagtail admin (menu "Members" / 会員).

Supporters (supporters.py, forms.py, chooser.py), memberships (memberships.py), plans and the
staff-edited lists (lists.py) and the review of deletion requests (deletion_requests.py). Who
sees what is decided by model permissions (see migration 0003_staff_groups).
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSetGroup

from .chooser import supporter_chooser_viewset
from .deletion_requests import DeletionRequestViewSet
from .lists import AreaViewSet, InterestViewSet, MembershipPlanViewSet, SkillViewSet
from .memberships import MembershipViewSet
from .supporters import SupporterViewSet

__all__ = ["MembersViewSetGroup", "supporter_chooser_viewset"]


class MembersViewSetGroup(ModelViewSetGroup):
    menu_label = _("Members")
    menu_icon = "group"
    menu_order = 250
    items = (
        SupporterViewSet("supporter"),
        MembershipViewSet("membership"),
        DeletionRequestViewSet("deletion_request"),
        MembershipPlanViewSet("membership_plan"),
        AreaViewSet("area"),
        SkillViewSet("skill"),
        InterestViewSet("interest"),
    )
