from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Strings of Wagtail's own templates its Japanese catalogue lacks: kept in ours (LOCALE_PATHS
# come first), so the list screens' filter menu says 絞り込み instead of "Filter by".
WAGTAIL_STRINGS_MISSING_IN_JA = [gettext_noop("Filter by")]


class CoreConfig(AppConfig):
    """The bottom layer every other app builds on: outbox, organisation settings, private
    storage, PDFs, spreadsheet-safe exports, background-job progress, health."""

    name = "ouendan.core"
    label = "core"
    verbose_name = _("Shared services")

    def ready(self):
        from .admin_display import register_inspect_displays  # why: Wagtail's registry is ready

        register_inspect_displays()
