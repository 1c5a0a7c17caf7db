"""Blocks of the impact page (home/models.py ImpactPage): stories and annual reports."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from campaigns.blocks import BodyBlock


class StoryBlock(blocks.StructBlock):
    """One story of a child, a family or a volunteer: what the figures mean."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    image = ImageChooserBlock(label=_("Image"), required=False)
    text = blocks.RichTextBlock(label=_("Story"), features=["bold", "italic", "link", "ul"])
    quote = blocks.TextBlock(label=_("Quote"), required=False)
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = _("Story")
        template = "home/blocks/story_block.html"


class ImpactBodyBlock(BodyBlock):
    story = StoryBlock()


class AnnualReportBlock(blocks.StructBlock):
    year = blocks.IntegerBlock(label=_("Year"), min_value=2000, max_value=2100)
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    document = DocumentChooserBlock(label=_("Document"))

    class Meta:
        icon = "doc-full"
        label = _("Annual report")
