from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    """Volunteering: roles, trainings, shifts at places, sign-ups, attendance and hours."""

    name = "members.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self):
        # In ready(): the module imports models, which cannot load before the app registry.
        from .outbox_purposes import register

        register()
