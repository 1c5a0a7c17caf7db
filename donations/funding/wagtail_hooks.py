from wagtail import hooks

from .viewsets import FundingViewSetGroup


@hooks.register("register_admin_viewset")
def register_funding_viewsets():
    return FundingViewSetGroup()
