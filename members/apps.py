from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        # In ready(): the module imports models, which cannot load before the app registry.
        from .outbox_purposes import register

        register()
