from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        # In ready(): other apps' modules load only once the app registry is.
        from wagtail.signals import page_published, page_unpublished

        from members.merge import merge_register
        from members.privacy import privacy_register

        from .merge import campaigns_merge_move
        from .thanks import supporter_thanks_export

        privacy_register(export=supporter_thanks_export)
        # Thank-yous name gifts: their counts are for those who see money.
        merge_register(move=campaigns_merge_move, permission="donations.view_donation")

        # Models and services load after the registry (ready()).
        from .models import CampaignPage
        from .page_cache import campaign_pages_invalidate

        def drop_cached_html(sender, instance, **kwargs):
            # Any publish: the editor, a workflow approval, or scheduled publishing.
            campaign_pages_invalidate(page=instance)

        for signal in (page_published, page_unpublished):
            signal.connect(drop_cached_html, sender=CampaignPage, weak=False)

        # Staff credit offline gifts to campaign pages only (donations does not import campaigns).
        from donations.registry import gift_page_type_register

        gift_page_type_register(CampaignPage)

        # The donate page names the campaign a visitor came from, with its progress.
        from donations.registry import donate_campaign_register

        from .donate_summary import campaign_for_donate_page

        donate_campaign_register(campaign_for_donate_page)

        # The ledger's events (donations does not import campaigns): thanks, fresh progress and
        # the goal check for each recorded gift, fresh progress after a refund.
        from donations.signals import gift_changed, gift_recorded, gift_refunded

        from .gift_effects import (
            gift_changed_receiver,
            gift_recorded_receiver,
            gift_refunded_receiver,
        )

        gift_recorded.connect(gift_recorded_receiver, dispatch_uid="campaigns.gift_recorded")
        gift_refunded.connect(gift_refunded_receiver, dispatch_uid="campaigns.gift_refunded")
        gift_changed.connect(gift_changed_receiver, dispatch_uid="campaigns.gift_changed")

        # Kept progress (campaigns/tally.py): any ledger row saved or deleted drops its
        # campaign's row in the same transaction.
        from django.db.models.signals import post_delete, post_save

        from donations.models import Donation

        from .tally import donation_deleted_receiver, donation_saved_receiver

        post_save.connect(donation_saved_receiver, sender=Donation, dispatch_uid="campaigns.tally")
        post_delete.connect(
            donation_deleted_receiver, sender=Donation, dispatch_uid="campaigns.tally_delete"
        )

        # Goods deliveries (donations.goods does not import campaigns): thanked once each.
        from donations.goods.signals import delivery_recorded

        from .goods_effects import delivery_recorded_receiver

        delivery_recorded.connect(
            delivery_recorded_receiver, dispatch_uid="campaigns.goods_delivery_recorded"
        )

        # Volunteer milestones (members.volunteering does not import campaigns): thanked once
        # each with the "Volunteer milestone" template.
        from members.volunteering.milestones import volunteer_milestone_reached

        from .volunteer_effects import volunteer_milestone_receiver

        volunteer_milestone_reached.connect(
            volunteer_milestone_receiver, dispatch_uid="campaigns.volunteer_milestone_reached"
        )

        # What thank-you mail in the outbox is for (ouendan.core names no upper app).
        from .thanks_display import outbox_purposes_register

        outbox_purposes_register()
