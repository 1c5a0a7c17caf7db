"""The public directory and map of places (居場所マップ): a Wagtail page staff put in the tree.

Its own URL lists the places with filters (a GET form that works without JavaScript; the list
is the primary view, the map is extra), and each place has its page under it: /places/<slug>/.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.routable_page.models import path as page_route
from wagtail.fields import RichTextField
from wagtail.models import Page


def _views():
    """members.places.views, which imports the models: loaded when the first page is served."""
    # Import cycle: models.py imports this module; views.py imports models.py.
    from . import views

    return views


class PlaceIndexPage(RoutablePageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count = 1
    subpage_types: list[str] = []
    template = "places/place_index_page.html"

    class Meta:
        verbose_name = _("places map")
        verbose_name_plural = _("places maps")

    @page_route("", name="directory")
    def directory_view(self, request):
        return _views().place_directory(request, self)

    @page_route("<slug:slug>/", name="place")
    def place_view(self, request, slug):
        return _views().place_detail(request, self, slug)
