"""Content blocks any page can use: images, quotes, calls to action and the impact figures staff
type. Blocks that show an app's data live in that app (donations/blocks.py, goods/blocks.py) and
the page body that composes them all in campaigns/blocks.py."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        max_length=200,
        help_text=_("Describe the image for people who cannot see it. Defaults to the caption."),
    )

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    # "Give monthly" and "Volunteer" lead to the donate and join pages with a choice made.
    page_query = blocks.RegexBlock(
        regex=r"^\?[A-Za-z0-9_=&.-]+$",
        label=_("Added to the page's address"),
        required=False,
        max_length=80,
        help_text=_("Optional, e.g. ?frequency=monthly or ?kind=volunteer"),
        error_messages={"invalid": _("Start with ? and use letters, digits, = and & only.")},
    )
    url = blocks.URLBlock(label=_("Or an address"), required=False)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=40)

    class Meta:
        icon = "pick"
        template = "blocks/call_to_action_block.html"


class ImpactFigureBlock(blocks.StructBlock):
    value = blocks.DecimalBlock(label=_("Figure"), decimal_places=2, min_value=0)
    unit = blocks.CharBlock(label=_("Unit"), required=False, max_length=20)
    label = blocks.CharBlock(label=_("What it counts"), max_length=80)
    note = blocks.CharBlock(label=_("Note"), required=False, max_length=120)


class ImpactFiguresBlock(blocks.StructBlock):
    """Headline figures staff type, for what the site holds no data about ("1,540 children
    took part"). Figures the site can compute belong in LiveImpactBlock."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    figures = blocks.ListBlock(ImpactFigureBlock(), label=_("Figures"), min_num=1, max_num=8)

    class Meta:
        icon = "list-ol"
        template = "blocks/impact_figures_block.html"
        label = _("Impact figures")
