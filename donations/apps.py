from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")

    def ready(self):
        from members.privacy import privacy_register

        from .privacy import supporter_money_anonymise, supporter_money_export

        privacy_register(export=supporter_money_export, anonymise=supporter_money_anonymise)
