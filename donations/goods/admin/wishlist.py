"""Staff screen for the wishlist, with what has been received of each item."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from ..models import WishlistItem
from ..rules import quantity_display
from ..selectors import wishlist_progress


class WishlistIndexView(generic.IndexView):
    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, paginated = super().paginate_queryset(queryset, page_size)
        object_list = list(object_list)
        # The same progress the public wishlist shows: received since the item was listed.
        for item, progress in zip(object_list, wishlist_progress(items=object_list), strict=True):
            item.received = progress.received
            item.fulfilment = progress.percent
        return paginator, page, object_list, paginated


class WishlistItemViewSet(ModelViewSet):
    model = WishlistItem
    icon = "list-ul"
    menu_label = _("Wishlist")
    menu_order = 100
    index_view_class = WishlistIndexView
    copy_view_enabled = False
    sort_order_field = "sort_order"
    list_display = [
        "name",
        "category",
        Column(
            "quantity_needed", label=_("needed"), accessor=lambda i: _amount(i.quantity_needed, i)
        ),
        Column("received", label=_("quantity received"), accessor=lambda i: _amount(i.received, i)),
        Column("fulfilment", label=_("fulfilment %"), accessor="fulfilment"),
        "needed_by",
        "storage",
        BooleanColumn("active", label=_("on the form")),
    ]
    list_filter = ["category", "active", "storage"]
    search_fields = ["name", "notes"]
    search_backend_name = None
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("quantity_needed"), FieldPanel("needed_by")]),
        FieldRowPanel([FieldPanel("storage"), FieldPanel("min_best_before_days")]),
        FieldPanel("notes"),
        FieldPanel("active"),
    ]


def _amount(quantity, item) -> str:
    if quantity is None:
        return "-"
    return f"{quantity_display(quantity)} {item.get_unit_display()}"
