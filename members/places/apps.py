from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    """The network's places (子どもの居場所, food bank sites): directory, map and schedules."""

    name = "members.places"
    label = "places"
    verbose_name = _("Places")
