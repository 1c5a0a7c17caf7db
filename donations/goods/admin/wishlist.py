"""Staff screen for the wishlist, with what has been received of each item."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from ouendan.core import display
from ouendan.core.admin_display import DisplayColumn, DisplayIndexMixin, NumberColumn

from ..models import WishlistItem
from ..rules import quantity_display
from ..selectors import wishlist_progress


class WishlistIndexView(DisplayIndexMixin, generic.IndexView):
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
        NumberColumn(
            "quantity_needed", label=_("needed"), accessor=lambda i: _amount(i.quantity_needed, i)
        ),
        NumberColumn(
            "received", label=_("quantity received"), accessor=lambda i: _amount(i.received, i)
        ),
        NumberColumn("fulfilment", label=_("fulfilment %"), accessor=lambda i: _percent(i)),
        "needed_by",
        "storage",
        DisplayColumn("active", label=_("on the form")),
    ]
    list_filter = ["category", "active", "storage"]
    search_fields = ["name", "notes"]
    search_backend_name = None
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("category"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("quantity_needed"), FieldPanel("needed_by")]),
        FieldRowPanel([FieldPanel("storage"), FieldPanel("min_best_before_days")]),
        FieldRowPanel([FieldPanel("notes"), FieldPanel("notes_en")]),
        FieldPanel("active"),
    ]


def _amount(quantity, item) -> str:
    if quantity is None:
        return display.EMPTY
    return f"{quantity_display(quantity)} {item.get_unit_display()}"


def _percent(item) -> str:
    """Whole per cent (the column says %); "—" when nothing is known."""
    if item.fulfilment is None:
        return display.EMPTY
    return f"{round(item.fulfilment):,}"
