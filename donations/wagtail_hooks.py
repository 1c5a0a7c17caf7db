from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .admin_views import MoneyViewSetGroup, ProgrammeViewSet
from .gift_forms import donor_chooser_viewset

register_snippet(ProgrammeViewSet)


@hooks.register("register_admin_viewset")
def register_money_viewsets():
    return [MoneyViewSetGroup(), donor_chooser_viewset]
