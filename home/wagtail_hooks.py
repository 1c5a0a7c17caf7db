from wagtail import hooks

from .admin_views import outgoing_email_viewset


@hooks.register("register_admin_viewset")
def register_outgoing_email_viewset():
    return outgoing_email_viewset
