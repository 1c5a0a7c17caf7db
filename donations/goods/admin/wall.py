"""Staff screen for the corporate supporters wall (order, logo, link; shown while consenting)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from ouendan.core.admin_display import DisplayColumn, DisplayIndexMixin

from ..models import CorporateWallEntry
from ..selectors import corporate_wall_entries


class WallIndexView(DisplayIndexMixin, generic.IndexView):
    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, paginated = super().paginate_queryset(queryset, page_size)
        object_list = list(object_list)
        shown = {entry.pk for entry in corporate_wall_entries()}
        for entry in object_list:
            entry.shown = entry.pk in shown
        return paginator, page, object_list, paginated

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supporter", "logo")


class CorporateWallEntryViewSet(ModelViewSet):
    model = CorporateWallEntry
    icon = "group"
    menu_label = _("Corporate supporters wall")
    menu_order = 140
    index_view_class = WallIndexView
    copy_view_enabled = False
    sort_order_field = "sort_order"
    list_display = [
        "name",
        "link",
        DisplayColumn("shown", label=_("Shown (company consents)"), accessor="shown"),
    ]
    search_fields = ["display_name", "supporter__organisation_name"]
    search_backend_name = None
