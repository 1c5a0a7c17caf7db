from wagtail import hooks

from .admin_views import MoneyViewSetGroup, donor_chooser_viewset


@hooks.register("register_admin_viewset")
def register_money_viewsets():
    return [MoneyViewSetGroup(), donor_chooser_viewset]


# --- Goods / 物品寄付: in-kind pledges (donations/inkind_admin.py, donations/inkind_transfer.py) --
from django.urls import include as _inkind_include  # noqa: E402
from django.urls import path as _inkind_path  # noqa: E402

from . import inkind_admin as _inkind_admin  # noqa: E402
from . import inkind_transfer as _inkind_transfer  # noqa: E402


@hooks.register("register_admin_viewset")
def register_goods_viewsets():
    return _inkind_admin.GoodsViewSetGroup()


@hooks.register("register_admin_urls")
def register_goods_transfer_urls():
    return [
        _inkind_path(
            "goods-transfer/", _inkind_include((_inkind_transfer.urlpatterns, "inkind_transfer"))
        )
    ]
