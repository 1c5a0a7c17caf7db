"""The supporter chooser (for memberships), limited to staff who may see supporters."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from ouendan.core.admin_permissions import ListPermissionChooserMixin

from ..models import (
    Supporter,
)
from ..selectors import supporters_search


class _SupporterChooserQueryset:
    def get_object_list(self):
        return Supporter.objects.exclude(
            status__in=[Supporter.Status.ANONYMISED, Supporter.Status.MERGED]
        )

    def search_queryset(self, queryset):  # a plain ORM search, as in the list
        return supporters_search(queryset, self.search_query) if self.is_searching else queryset


class SupporterChooseView(_SupporterChooserQueryset, ChooseView):
    pass


class SupporterChooseResultsView(_SupporterChooserQueryset, ChooseResultsView):
    pass


class SupporterChooserViewSet(ListPermissionChooserMixin, ChooserViewSet):
    """Every view needs the supporter list's permission (ouendan.core.admin_permissions)."""

    model = Supporter
    name = "supporter_chooser"
    icon = "user"
    choose_one_text = _("Choose a supporter")
    choose_another_text = _("Choose another supporter")
    edit_item_text = _("Edit this supporter")
    choose_view_class = SupporterChooseView
    choose_results_view_class = SupporterChooseResultsView
    register_widget = False
    search_backend_name = None


supporter_chooser_viewset = SupporterChooserViewSet()
