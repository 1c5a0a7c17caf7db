from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer every other app builds on: outbox, organisation settings, private
    storage, PDFs, spreadsheet-safe exports, background-job progress, health."""

    name = "ouendan.core"
    label = "core"
    verbose_name = _("Shared services")

    def ready(self):
        from .admin_display import register_inspect_displays  # why: Wagtail's registry is ready

        register_inspect_displays()
        from .tree_cache import tree_cache_connect  # why: imports Wagtail's models

        tree_cache_connect()

        # The mail provider's verified tracking webhooks (django-anymail): bounces and
        # complaints suppress the address for every mail path.
        from anymail.signals import tracking

        from .suppression import tracking_event_receiver  # why: models load after the registry

        tracking.connect(tracking_event_receiver, dispatch_uid="core.suppression")
