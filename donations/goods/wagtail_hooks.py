from django.urls import include, path
from wagtail import hooks

from .admin import GoodsViewSetGroup, transfer


@hooks.register("register_admin_viewset")
def register_goods_viewsets():
    return GoodsViewSetGroup()


@hooks.register("register_admin_urls")
def register_goods_transfer_urls():
    # The URL names keep their first namespace, "inkind_transfer" (bookmarks, the README's table).
    return [path("goods-transfer/", include((transfer.urlpatterns, "inkind_transfer")))]
