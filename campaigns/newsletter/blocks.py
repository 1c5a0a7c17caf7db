"""The blocks of a newsletter issue: the site's own blocks where they exist (campaigns/blocks.py,
ouendan.core.blocks, donations' donate block), plus a campaign card and a goods button. Each
renders the same on the archive's web view and in the mail (links made absolute there,
rendering.py)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from campaigns.blocks import LiveImpactBlock
from campaigns.selectors import campaigns_with_progress
from donations.blocks import DonateBlock
from ouendan.core.blocks import CallToActionBlock, ImageBlock


class CampaignCardBlock(blocks.StructBlock):
    """A campaign with its live progress (raised, goal, supporters), as on the home page."""

    page = blocks.PageChooserBlock(label=_("Campaign"), page_type="campaigns.CampaignPage")

    class Meta:
        icon = "pick"
        template = "newsletter/blocks/campaign_card_block.html"
        label = _("Campaign card")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        page = value.get("page")
        if page is not None:
            cards = campaigns_with_progress(campaigns=[page.specific])
            context["card"] = cards[0] if cards else None
        return context


class GoodsButtonBlock(blocks.StructBlock):
    """A button to the pledge page for goods (食品・物品の提供)."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    page = blocks.PageChooserBlock(label=_("Pledge page"), page_type="goods.PledgePage")
    button_label = blocks.CharBlock(label=_("Button label"), max_length=40)

    class Meta:
        icon = "pick"
        template = "newsletter/blocks/goods_button_block.html"
        label = _("Goods button")


class NewsletterBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="blocks/heading_block.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["h3", "h4", "bold", "italic", "link", "ol", "ul"]
    )
    image = ImageBlock(label=_("Image"))
    campaign_card = CampaignCardBlock()
    donate = DonateBlock()
    goods_button = GoodsButtonBlock()
    call_to_action = CallToActionBlock(label=_("Call to action"))
    live_impact = LiveImpactBlock()
