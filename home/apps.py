from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home")

    def ready(self):
        # Live impact figures count every app's data, which only the top layer sees: page bodies
        # (campaigns/blocks.py) ask home for them through this registration.
        from campaigns.blocks import live_impact_source_register

        from .impact import live_impact_context

        live_impact_source_register(live_impact_context)
