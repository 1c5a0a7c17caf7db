"""StreamField blocks shared by every page type."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from donations.goods.blocks import CorporateWallBlock

from .impact import FIGURES, impact_figures, impact_period, impact_years


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
    """Headline figures staff type, for what the site holds no data about ("1,540 children
    took part"). Figures the site can compute belong in LiveImpactBlock."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    figures = blocks.ListBlock(ImpactFigureBlock(), label=_("Figures"), min_num=1, max_num=8)

    class Meta:
        icon = "list-ol"
        template = "blocks/impact_figures_block.html"
        label = _("Impact figures")


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
        from django.utils import timezone

        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        today = timezone.localdate()
        years = impact_years(today=today) if value["year_choice"] else []
        year = None
        if request is not None and years:
            raw = request.GET.get("impact_year", "")
            year = int(raw) if raw.isdigit() and int(raw) in years else None
        period = impact_period(choice=value["period"], today=today, year=year)
        figures = impact_figures(period=period)
        context.update(
            {
                "period": period,
                "years": years,
                "chosen_year": year,
                "figures": _live_figures(figures, value["figures"]),
            }
        )
        return context


def _live_figures(figures, shown) -> list[dict]:
    """What the template lists, in the order of the block's choices."""
    from django.utils.translation import gettext, pgettext

    rows = {
        "supporters": (
            figures.supporters,
            pgettext("impact unit", "people"),
            gettext("Supporters"),
        ),
        "monthly_supporters": (
            figures.monthly_supporters,
            pgettext("impact unit", "people"),
            gettext("Monthly supporters"),
        ),
        "volunteers": (
            figures.volunteers,
            pgettext("impact unit", "people"),
            gettext("Volunteers"),
        ),
        "childrens_places": (
            figures.childrens_places,
            pgettext("impact unit", "places"),
            gettext("Children's places"),
        ),
        "food_kg": (figures.food_kg, "kg", gettext("Food received")),
        "items": (figures.items, pgettext("impact unit", "items"), gettext("Items received")),
        "households": (
            figures.households,
            pgettext("impact unit", "households"),
            gettext("Households supported"),
        ),
    }
    result = []
    for key in FIGURES:
        if key not in shown:
            continue
        value, unit, label = rows[key]
        note = ""
        if key == "households":
            if value is None:
                continue  # nothing entered yet: show nothing rather than a made-up zero
            year = gettext("Year %(year)s") % {"year": figures.households_year}
            note = f"{year} · {figures.households_note}" if figures.households_note else year
        if isinstance(value, Decimal):
            value = int(value) if value == int(value) else float(round(value, 1))
        result.append({"key": key, "value": value, "unit": unit, "label": label, "note": note})
    return result


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
    live_impact = LiveImpactBlock()
    donate = DonateBlock()
    corporate_wall = CorporateWallBlock()
