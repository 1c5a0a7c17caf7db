from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")

    def ready(self):
        # In ready(): these modules import models, which cannot load before the app registry.
        from django.urls import reverse

        from members.merge import merge_register
        from members.privacy import privacy_register
        from members.registry import (
            fee_payment_register,
            payments_register,
            supporter_detail_register,
        )

        from .fees import membership_fee_record
        from .merge import donations_merge_move
        from .privacy import supporter_money_anonymise, supporter_money_export
        from .selectors import donor_totals
        from .stripe_api import stripe_configured

        privacy_register(export=supporter_money_export, anonymise=supporter_money_anonymise)
        merge_register(move=donations_merge_move, permission="donations.view_donation")
        # members never imports donations: it shows a donor's totals and offers to pay a
        # membership fee through these hooks (members/registry.py).
        payments_register(enabled=stripe_configured)
        fee_payment_register(record=membership_fee_record)

        def donor_figures(supporter):
            context = {"donor_totals": donor_totals(supporter=supporter)}
            if supporter.email:
                context["ledger_url"] = f"{reverse('donation:index')}?q={supporter.email}"
            return context

        supporter_detail_register(permission="donations.view_donation", context=donor_figures)

        def gift_add(supporter):  # "Record a gift" on the supporter page, the donor filled in
            return {"gift_add_url": f"{reverse('donation:add')}?supporter={supporter.pk}"}

        supporter_detail_register(permission="donations.add_donation", context=gift_add)

        # What the ledger's outbox mail is for (ouendan.core names no upper app).
        from ouendan.core.outbox_purposes import outbox_purpose_register

        outbox_purpose_register("payment-failed", _("Failed payment notice"))
        outbox_purpose_register("monthly-gift-request", _("Monthly gift change request"))
