"""Campaign reads: progress from the ledger, goods goals, listings and the supporters' wall, each
cached for at most cache_seconds() (dropped by campaigns/services.py when a gift or refund commits).

Progress (online and offline gifts, net of refunds) is read from each campaign's kept row
(campaigns/tally.py: computed from the ledger, recomputed after every gift or refund), so a
campaign page costs the same number of queries, and about the same time, at 10 or 100,000
gifts. A campaign and its translations share one `translation_key`; gifts made from the English
page count for the same campaign, so everything here is keyed by it.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from wagtail.models import Page

from donations.goods.selectors import GoodsProgress, goods_progress
from donations.models import Donation
from members.models import NOT_CONTACTABLE, ConsentRecord
from members.models.supporters import display_name

from .models import CampaignPage
from .tally import tallies_compute, tallies_read

WALL_SIZE = 30


def cache_seconds() -> int:
    """Freshness of cached progress and pages (0 turns caching off). At most 60 s."""
    return min(int(getattr(settings, "CAMPAIGNS_CACHE_SECONDS", 60)), 60)


# --- Progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignProgress:
    raised_yen: int = 0
    donor_count: int = 0
    gift_count: int = 0
    goal_yen: int | None = None

    @property
    def percent(self) -> int:
        """For the progress bar: 0–100."""
        if not self.goal_yen:
            return 0
        return min(100, self.raised_yen * 100 // self.goal_yen)

    @property
    def goal_reached(self) -> bool:
        return bool(self.goal_yen) and self.raised_yen >= self.goal_yen


def _translation_ids(campaign: Page):
    """The page ids of a campaign and its translations, as a subquery."""
    return Page.objects.filter(translation_key=campaign.translation_key).values("pk")


def progress_cache_key(translation_key) -> str:
    return f"campaigns:progress:{translation_key}"


def campaign_progress_many(*, campaigns: list[CampaignPage]) -> dict[int, CampaignProgress]:
    """Progress for several campaigns (page id → progress): one query (the kept rows), or none
    while cached; two more for campaigns without a row yet."""
    keys = {page.pk: progress_cache_key(page.translation_key) for page in campaigns}
    cached = cache.get_many(list(keys.values())) if cache_seconds() else {}
    missing = [page for page in campaigns if keys[page.pk] not in cached]
    if missing:
        # The kept rows (campaigns/tally.py); a campaign without one is computed and kept.
        wanted = [page.translation_key for page in missing]
        rows = tallies_read(wanted)
        absent = [key for key in wanted if str(key) not in rows]
        rows.update(tallies_compute(absent, replace=False))
        fresh = {keys[page.pk]: rows[str(page.translation_key)] for page in missing}
        if cache_seconds():
            cache.set_many(fresh, cache_seconds())
        cached.update(fresh)
    return {
        page.pk: CampaignProgress(*cached[keys[page.pk]], goal_yen=page.goal_yen)
        for page in campaigns
    }


def campaign_progress(*, campaign: CampaignPage) -> CampaignProgress:
    """Money raised (gifts minus refunds, online and offline), donors and gifts: one query (the
    kept row, campaigns/tally.py), or none while cached."""
    return campaign_progress_many(campaigns=[campaign])[campaign.pk]


# --- Goods -------------------------------------------------------------------------------------


def goods_cache_key(translation_key, language: str | None = None) -> str:
    # Per language: the cached rows hold translated unit names.
    return f"campaigns:goods:{translation_key}:{language or translation.get_language()}"


def campaign_goods_progress(*, campaign: CampaignPage) -> list[GoodsProgress]:
    """Goods goals (wishlist items with target quantities) and what has been received for them
    during the campaign: goods progress as the wishlist counts it (donations/goods/selectors.py
    goods_progress), over the campaign's dates."""
    goals = getattr(campaign, "goods_goals", None)
    if goals is None:
        return []
    key = goods_cache_key(campaign.translation_key)
    cached = cache.get(key) if cache_seconds() else None
    if cached is not None:
        return cached
    rows = list(goals.select_related("wishlist_item"))
    if not rows:
        result: list[GoodsProgress] = []
    else:
        result = goods_progress(
            goals=[(row.wishlist_item, row.target_quantity) for row in rows],
            start=campaign.start_date,
            end=campaign.end_date,
        )
    if cache_seconds():
        cache.set(key, result, cache_seconds())
    return result


# --- Listing and the home page -----------------------------------------------------------------


@dataclass(frozen=True)
class CampaignCard:
    page: CampaignPage
    progress: CampaignProgress
    status: str
    days_left: int | None


def campaigns_with_progress(*, campaigns: list[CampaignPage]) -> list[CampaignCard]:
    today = timezone.localdate()
    progress = campaign_progress_many(campaigns=campaigns)
    return [
        CampaignCard(
            page=page,
            progress=progress[page.pk],
            status=page.status_on(today),
            days_left=page.days_left,
        )
        for page in campaigns
    ]


def campaigns_featured(*, limit: int = 3) -> list[CampaignCard]:
    """Active campaigns in the current language, the ones ending soonest first."""
    today = timezone.localdate()
    pages = (
        CampaignPage.objects.live()
        .public()
        .filter(locale__language_code=translation.get_language() or settings.LANGUAGE_CODE)
        .filter(start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("hero_image")
        .order_by(F("end_date").asc(nulls_last=True), "pk")[:limit]
    )
    return campaigns_with_progress(campaigns=list(pages))


# --- Supporters' wall --------------------------------------------------------------------------


@dataclass(frozen=True)
class WallEntry:
    name: str
    paid_on: datetime.date
    amount_yen: int | None = None  # shown only when the donor chose to show it
    campaign_title: str = ""


def wall_cache_key(translation_key, language: str | None = None) -> str:
    # Per language: entries hold campaign titles in the visitor's language.
    return f"campaigns:wall:{translation_key or 'all'}:{language or translation.get_language()}"


def supporters_wall(*, campaign: CampaignPage | None, limit: int = WALL_SIZE) -> list[WallEntry]:
    """Donors who agreed to be named, newest gift first, one entry per donor.

    A gift names its donor only when they ticked "show my name" with that gift (recorded from the
    paid event), unless their current supporters'-wall consent is withdrawn. A granted consent
    alone names no gift: forms reachable without logging in could set one for someone else.
    Amounts appear only for gifts where the donor chose to show the amount. Refunded gifts and
    erased donors never appear. Two queries (cached)."""
    key = wall_cache_key(campaign.translation_key if campaign else None)
    cached = cache.get(key) if cache_seconds() else None
    if cached is not None:
        return cached[:limit]
    consent = ConsentRecord.objects.filter(
        supporter=OuterRef("supporter"), kind=ConsentRecord.Kind.SUPPORTERS_WALL
    ).order_by("-recorded_at", "-pk")
    gifts = (
        Donation.objects.filter(refunded_yen__lt=F("amount_yen"))
        .exclude(supporter__status__in=NOT_CONTACTABLE)
        # No record: not withdrawn. One subquery per row (`= true OR IS NULL` ran it twice).
        .alias(wall_consent=Coalesce(Subquery(consent.values("granted")[:1]), Value(True)))
        .filter(wall_consent=True, show_name=True)
        .order_by("-paid_at", "-pk")
    )
    if campaign is not None:
        gifts = gifts.filter(campaign_id__in=_translation_ids(campaign))
    # Plain rows, not models: building a Donation, a Supporter and a (Wagtail, modelcluster)
    # Page for each of up to 120 gifts was most of an uncached campaign page's wall.
    rows = gifts.values_list(
        "supporter_id",
        "paid_at",
        "amount_yen",
        "refunded_yen",
        "show_amount",
        "supporter__kind",
        "supporter__family_name",
        "supporter__given_name",
        "supporter__organisation_name",
        "campaign__title",
        "campaign__translation_key",
        "campaign__live",
        "campaign__locale__language_code",
    )
    shown: list[tuple] = []
    seen: set[int] = set()
    titles: dict = {}
    language = translation.get_language()
    for row in rows[: max(limit, WALL_SIZE) * 4]:
        supporter_id, names = row[0], row[5:9]
        # An anonymous gift (a collection box) names nobody.
        if supporter_id is None or supporter_id in seen:
            continue
        name = display_name(*names)
        if not name:
            continue
        seen.add(supporter_id)
        shown.append((name, *row[1:5], *row[9:11]))
        if row[11] and row[12] == language:  # a live page in the visitor's language: its title
            titles.setdefault(row[10], row[9])
        if len(shown) >= max(limit, WALL_SIZE):
            break
    # Campaign titles in the visitor's language (a gift may come from the other translation):
    # asked only for the campaigns no shown gift names in that language (usually none).
    if wanted := {key for *_, key in shown if key and key not in titles}:
        titles.update(
            Page.objects.live()
            .filter(translation_key__in=wanted, locale__language_code=language)
            .values_list("translation_key", "title")
        )
    entries = [
        WallEntry(
            name=name,
            paid_on=timezone.localdate(paid_at),
            amount_yen=amount - refunded if show_amount else None,
            campaign_title=titles.get(translation_key, title) if translation_key else "",
        )
        for name, paid_at, amount, refunded, show_amount, title, translation_key in shown
    ]
    if cache_seconds():
        cache.set(key, entries, cache_seconds())
    return entries[:limit]
