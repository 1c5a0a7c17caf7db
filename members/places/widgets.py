"""Edit-form widgets: a postal code with a "fill the address" button, and a pin map (Leaflet
from our static files) whose marker staff drag to set latitude and longitude."""

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Where the pin map starts for a place without a pin yet (settings can move it).
DEFAULT_CENTRE = (35.7936, 139.5653)


def _media() -> forms.Media:
    return forms.Media(
        css={"all": ["places/vendor/leaflet/leaflet.css", "places/css/places-admin.css"]},
        js=["places/vendor/leaflet/leaflet.js", "places/js/places-admin.js"],
    )


class PostalCodeInput(forms.TextInput):
    template_name = "places/widgets/postal_code.html"

    @property
    def media(self):
        return _media()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["lookup_url"] = reverse("places_postal_code:lookup")
        context["widget"]["button_label"] = _("Fill the address from the postal code")
        return context


class PinMapInput(forms.NumberInput):
    """The latitude input, followed by the map (the longitude input is found by its id)."""

    template_name = "places/widgets/pin_map.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"step": "0.000001", **(attrs or {})})

    @property
    def media(self):
        return _media()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        centre = getattr(settings, "OUENDAN_MAP_CENTRE", DEFAULT_CENTRE)
        context["widget"].update(
            {
                "tiles_url": settings.OUENDAN_MAP_TILES_URL,
                "tiles_attribution": settings.OUENDAN_MAP_TILES_ATTRIBUTION,
                "centre_lat": centre[0],
                "centre_lng": centre[1],
            }
        )
        return context
