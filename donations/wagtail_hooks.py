from wagtail import hooks

from .admin_views import MoneyViewSetGroup
from .gift_forms import donor_chooser_viewset


@hooks.register("register_admin_viewset")
def register_money_viewsets():
    return [MoneyViewSetGroup(), donor_chooser_viewset]
