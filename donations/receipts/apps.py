from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceiptsConfig(AppConfig):
    name = "donations.receipts"
    label = "receipts"
    verbose_name = _("Receipts")

    def ready(self):
        # In ready(): other apps' modules load only once the app registry is.
        from donations.portal import donor_portal_part_register
        from members.merge import merge_register
        from members.privacy import privacy_register

        from .merge import receipts_merge_move
        from .privacy import supporter_receipts_export
        from .views import portal_receipts_part

        privacy_register(export=supporter_receipts_export)
        # Receipts are money records: only those who see money see their count.
        merge_register(move=receipts_merge_move, permission="donations.view_donation")
        donor_portal_part_register(portal_receipts_part)

        # What this app's outbox mail is for (ouendan.core names no upper app).
        from .outbox_purposes import register as outbox_purposes_register

        outbox_purposes_register()
