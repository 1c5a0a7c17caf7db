from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from ouendan.core.staff_home import STAFF_HOME_HOOK, TODO, StaffHomeItem

from . import selectors
from .admin import GoodsViewSetGroup, transfer
from .models import Pledge


@hooks.register("register_admin_viewset")
def register_goods_viewsets():
    return GoodsViewSetGroup()


@hooks.register("register_admin_urls")
def register_goods_transfer_urls():
    # The URL names keep their first namespace, "inkind_transfer" (bookmarks, the README's table).
    return [path("goods-transfer/", include((transfer.urlpatterns, "inkind_transfer")))]


@hooks.register(STAFF_HOME_HOOK)
def goods_staff_home_items(request):
    """Pledges to review and deliveries overdue (by the one overdue rule in selectors.py)."""
    user, items = request.user, []
    if user.has_perm("goods.change_pledge"):
        items.append(
            StaffHomeItem(
                section=TODO,
                name="pledges_to_review",
                label=_("In-kind pledges waiting for review"),
                count=selectors.pledges_awaiting_review_count(),
                url=reverse("pledge:index") + f"?state={Pledge.State.OFFERED}",
                order=10,
            )
        )
    if user.has_perm("goods.view_expecteddelivery"):
        items.append(
            StaffHomeItem(
                section=TODO,
                name="deliveries_overdue",
                label=_("Deliveries overdue"),
                count=selectors.deliveries_overdue_count(),
                url=reverse("expected_delivery:index") + "?overdue=on",
                order=20,
            )
        )
    return items
