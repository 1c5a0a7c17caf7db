"""StreamField blocks of the goods app (home/blocks.py puts them on pages)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .selectors import corporate_wall_entries


class CorporateWallBlock(blocks.StructBlock):
    """The corporate supporters wall: companies that consent, with logo and link, in the order
    staff set under Goods → Corporate supporters wall."""

    heading = blocks.CharBlock(
        label=_("Heading"), required=False, max_length=120, default=_("Companies supporting us")
    )
    intro = blocks.TextBlock(label=_("Text"), required=False)

    class Meta:
        icon = "group"
        template = "goods/blocks/corporate_wall_block.html"
        label = _("Corporate supporters wall")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["entries"] = corporate_wall_entries()
        return context
