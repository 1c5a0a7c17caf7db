"""StreamField blocks of the donations app (campaigns/blocks.py puts them in page bodies)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class DonateBlock(blocks.StructBlock):
    """A call to give, with one-click amounts that open the donate page pre-filled."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    page = blocks.PageChooserBlock(label=_("Donate page"), page_type="donations.DonatePage")
    frequency = blocks.ChoiceBlock(
        label=_("How often"),
        choices=[("one_off", _("One-off")), ("monthly", _("Monthly"))],
        default="one_off",
    )
    amounts = blocks.ListBlock(
        blocks.IntegerBlock(min_value=1), label=_("Amounts (yen)"), min_num=1, max_num=6
    )

    class Meta:
        icon = "pick"
        template = "blocks/donate_block.html"
        label = _("Donate")
