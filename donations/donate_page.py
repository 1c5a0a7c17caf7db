"""What the donate page shows around its form: amount tiles with their impact lines, the
campaign a visitor came from, and the trust panel (who receives the gift, tax deduction,
receipts, how to pay, bank transfer)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from wagtail.models import Page

from ouendan.core.models import OrganisationSettings

from .models import CheckoutRequest, DonatePage
from .registry import DonateCampaign, donate_campaign


@dataclass(frozen=True)
class AmountTile:
    value: int
    frequencies: str  # "monthly one_off": the toggles this tile belongs to
    defaults: str  # the toggles that choose this tile when switched to
    impact: str

    @property
    def label(self) -> str:
        return f"¥{self.value:,}"


def amount_tiles(page: DonatePage) -> list[AmountTile]:
    """One tile per preset amount (both lists together), each knowing its frequencies, its
    impact line, and whether it is a frequency's preselected amount (the second preset: a
    middle amount rather than the smallest)."""
    lists = {
        CheckoutRequest.Frequency.ONE_OFF: page.amounts(page.one_off_amounts),
        CheckoutRequest.Frequency.MONTHLY: page.amounts(page.monthly_amounts)
        if page.allow_monthly
        else [],
    }
    impacts = {line.amount_yen: line.text for line in page.impact_lines.all()}
    tiles = []
    for value in sorted({value for values in lists.values() for value in values}):
        tiles.append(
            AmountTile(
                value=value,
                frequencies=" ".join(name for name, values in lists.items() if value in values),
                defaults=" ".join(
                    name for name, values in lists.items() if value == default_amount(values)
                ),
                impact=impacts.get(value, ""),
            )
        )
    return tiles


def default_amount(values: list[int]) -> int | None:
    if not values:
        return None
    return values[1] if len(values) > 1 else values[0]


def arriving_campaign(campaign_id: int | None) -> DonateCampaign | None:
    """The campaign named in ?campaign=…, in the visitor's language, if it is one."""
    if campaign_id is None:
        return None
    page = Page.objects.live().filter(pk=campaign_id).first()
    if page is None:
        return None
    return donate_campaign(page.localized)


@dataclass(frozen=True)
class Trust:
    organisation: OrganisationSettings
    tax: str
    receipts: str


def trust_panel(*, page: DonatePage, organisation: OrganisationSettings) -> Trust:
    if page.tax_note.strip():
        tax = page.tax_note.strip()
    elif organisation.certified:
        tax = _(
            "We are a certified NPO (認定NPO法人): your gift qualifies for the tax deduction "
            "for donations (寄附金控除) when you file your tax return. We issue the donation "
            "certificate (寄附金受領証明書) you need for it."
        )
    else:
        tax = _(
            "We are not a certified NPO (認定NPO法人), so gifts to us do not qualify for the "
            "tax deduction for donations (寄附金控除)."
        )
    receipts = _(
        "We issue a receipt (領収書) for your gift on request; you can also download it in "
        "the member portal."
    )
    return Trust(organisation=organisation, tax=tax, receipts=receipts)
