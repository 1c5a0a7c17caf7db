"""Staff screens for goods (menu "Goods / 物品寄付"): wishlist, pledges with their workflow,
deliveries, deliveries due and overdue, the corporate supporters wall, 感謝状 PDFs and
import/export (transfer.py). Every change goes through the goods services."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSetGroup

from .deliveries import DeliveryViewSet, ExpectedDeliveryViewSet
from .pledges import PledgeViewSet
from .wall import CorporateWallEntryViewSet
from .wishlist import WishlistItemViewSet


class GoodsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Goods")
    menu_icon = "clipboard-list"
    menu_order = 320
    items = (
        WishlistItemViewSet("wishlist_item"),
        PledgeViewSet("pledge"),
        DeliveryViewSet("delivery"),
        ExpectedDeliveryViewSet("expected_delivery"),
        CorporateWallEntryViewSet("corporate_wall_entry"),
    )
