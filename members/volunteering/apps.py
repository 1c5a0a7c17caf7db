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

        # In ready(): both modules import models, which cannot load before the app registry.
        from members.merge import merge_register

        from .merge import volunteering_rows_move

        merge_register(move=volunteering_rows_move)

        # In ready(): the module imports models, which cannot load before the app registry.
        from members.privacy import privacy_register

        from .privacy import volunteering_anonymise, volunteering_export

        privacy_register(export=volunteering_export, anonymise=volunteering_anonymise)
