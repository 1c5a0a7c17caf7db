"""StreamField blocks shared by every page type."""

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
    """Headline figures such as "390 volunteers" or "6.18 t of food".

    Staff enter them for now; the reports issue replaces typed figures with computed ones.
    """

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    figures = blocks.ListBlock(ImpactFigureBlock(), label=_("Figures"), min_num=1, max_num=8)

    class Meta:
        icon = "list-ol"
        template = "blocks/impact_figures_block.html"
        label = _("Impact figures")


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
    donate = DonateBlock()
