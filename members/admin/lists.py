"""The staff-edited lists: membership plans, areas, skills and interests."""

from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from ouendan.core.admin_display import DisplayIndexMixin

from ..models import (
    Area,
    Interest,
    MembershipPlan,
    Skill,
)


class ListIndexView(DisplayIndexMixin, generic.IndexView):
    """¥ amounts right-aligned, labels for choices, はい/いいえ (ouendan.core.display)."""


class MembershipPlanViewSet(ModelViewSet):
    model = MembershipPlan
    index_view_class = ListIndexView
    icon = "list-ul"
    menu_order = 120
    copy_view_enabled = False
    list_display = ["name", "audience", "period", "amount_yen", "per_unit", "is_active"]
    search_backend_name = None
    search_fields = ["name"]


class AreaViewSet(ModelViewSet):
    index_view_class = ListIndexView
    model = Area
    icon = "site"
    menu_order = 130
    copy_view_enabled = False
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    search_backend_name = None
    search_fields = ["name"]
    list_per_page = 50


class NameListViewSet(ModelViewSet):
    """A staff-edited list of names with a sort order (skills, interests)."""

    index_view_class = ListIndexView

    icon = "pick"
    copy_view_enabled = False
    list_display = ["name", "sort_order"]
    search_backend_name = None
    search_fields = ["name"]


class SkillViewSet(NameListViewSet):
    model = Skill
    menu_order = 140


class InterestViewSet(NameListViewSet):
    model = Interest
    menu_order = 150
