from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        # In ready(): the merge module imports models, which cannot load before the registry.
        from .merge import members_rows_move, merge_register

        merge_register(move=members_rows_move)

        # In ready(): the module imports models, which cannot load before the app registry.
        from .outbox_purposes import register

        register()
