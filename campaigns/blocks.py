"""The body of every content page, composed from the blocks of each app below: generic content
(ouendan.core.blocks), the donate call (donations), the corporate supporters wall (goods) and the
live impact figures. Campaign pages are the lowest layer whose pages need all of them, so the
composition lives here and home's pages use it too.

Live impact figures are counted across every app by home (home/impact.py), the top layer:
home registers its source in HomeConfig.ready() (live_impact_source_register), so this module
never imports upwards.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from donations.blocks import DonateBlock
from donations.goods.blocks import CorporateWallBlock
from ouendan.core.blocks import CallToActionBlock, ImageBlock, ImpactFiguresBlock, QuoteBlock

# (value=block value, request=request or None) -> context: period, years, chosen_year, figures
LiveImpactSource = Callable[..., dict[str, Any]]
_live_impact_source: LiveImpactSource | None = None


def live_impact_source_register(source: LiveImpactSource) -> None:
    global _live_impact_source
    _live_impact_source = source


class LiveImpactBlock(blocks.StructBlock):
    """Impact figures computed from the data (home/impact.py): supporters, monthly supporters,
    volunteers, children's places, food and items received, and households supported (the one
    figure staff enter, once a year). Visitors may pick a calendar year (?impact_year=2025)."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    figures = blocks.MultipleChoiceBlock(
        label=_("Figures shown"),
        choices=[
            ("supporters", _("Supporters")),
            ("monthly_supporters", _("Monthly supporters")),
            ("volunteers", _("Volunteers")),
            ("childrens_places", _("Children's places")),
            ("food_kg", _("Food received (kg)")),
            ("items", _("Items received")),
            ("households", _("Households supported")),
        ],
        default=[
            "supporters",
            "monthly_supporters",
            "volunteers",
            "childrens_places",
            "food_kg",
            "items",
            "households",
        ],
    )
    period = blocks.ChoiceBlock(
        label=_("Period shown first"),
        choices=[
            ("all", _("Since the beginning")),
            ("this_year", _("This year")),
            ("last_12_months", _("Last 12 months")),
        ],
        default="all",
    )
    year_choice = blocks.BooleanBlock(
        label=_("Let visitors choose a year"), required=False, default=True
    )

    class Meta:
        icon = "table"
        template = "blocks/live_impact_block.html"
        label = _("Live impact figures")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        if _live_impact_source is not None:
            context.update(_live_impact_source(value=value, request=request))
        return context


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="blocks/heading_block.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["h3", "h4", "bold", "italic", "link", "ol", "ul", "document-link"],
    )
    image = ImageBlock(label=_("Image"))
    quote = QuoteBlock(label=_("Quote"))
    call_to_action = CallToActionBlock(label=_("Call to action"))
    impact_figures = ImpactFiguresBlock()
    live_impact = LiveImpactBlock()
    donate = DonateBlock()
    corporate_wall = CorporateWallBlock()
