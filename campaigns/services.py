"""Campaign rules: progress from the ledger, the supporters' wall, featured campaigns, caching.

Progress is one aggregate query over the donations ledger (online and offline gifts, net of
refunds), so a campaign page costs the same number of queries at 10 or 100,000 gifts. Results are
cached for at most CACHE_SECONDS and dropped as soon as a gift or refund commits
(`campaign_progress_invalidate`, called from `donations/services.py`).

A campaign and its translations share one `translation_key`; gifts made from the English page
count for the same campaign, so everything here is keyed by it.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from wagtail.models import Page, Workflow, WorkflowPage

from donations.goods.selectors import wishlist_received
from donations.models import Donation
from members.models import NOT_CONTACTABLE, ConsentRecord

from .models import CampaignIndexPage, CampaignPage

WORKFLOW_NAME = "Campaign review"
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


def _progress_key(translation_key) -> str:
    return f"campaigns:progress:{translation_key}"


def _progress_rows(translation_keys: list) -> dict[str, tuple[int, int, int]]:
    """raised, donors, gifts per translation key: one grouped aggregate query."""
    counted = Q(refunded_yen__lt=F("amount_yen"))
    rows = (
        Donation.objects.filter(campaign__translation_key__in=translation_keys)
        .values("campaign__translation_key")
        .annotate(
            raised=Sum(F("amount_yen") - F("refunded_yen")),
            donors=Count("supporter", distinct=True, filter=counted),
            gifts=Count("pk", filter=counted),
        )
        .order_by()
    )
    return {
        str(row["campaign__translation_key"]): (
            int(row["raised"] or 0),
            row["donors"],
            row["gifts"],
        )
        for row in rows
    }


def campaign_progress_many(*, campaigns: list[CampaignPage]) -> dict[int, CampaignProgress]:
    """Progress for several campaigns (page id → progress) with at most one query."""
    keys = {page.pk: _progress_key(page.translation_key) for page in campaigns}
    cached = cache.get_many(list(keys.values())) if cache_seconds() else {}
    missing = [page for page in campaigns if keys[page.pk] not in cached]
    if missing:
        rows = _progress_rows([page.translation_key for page in missing])
        fresh = {keys[page.pk]: rows.get(str(page.translation_key), (0, 0, 0)) for page in missing}
        if cache_seconds():
            cache.set_many(fresh, cache_seconds())
        cached.update(fresh)
    return {
        page.pk: CampaignProgress(*cached[keys[page.pk]], goal_yen=page.goal_yen)
        for page in campaigns
    }


def campaign_progress(*, campaign: CampaignPage) -> CampaignProgress:
    """Money raised (gifts minus refunds, online and offline), donors and gifts: one query, or
    none while cached."""
    return campaign_progress_many(campaigns=[campaign])[campaign.pk]


def _page_cache_keys(page_ids) -> list[str]:
    return [
        f"campaigns:page:{page_id}:{language}"
        for page_id in page_ids
        for language, _name in settings.LANGUAGES
    ]


def campaign_progress_invalidate(*, campaign_id: int | None) -> None:
    """A gift or refund for this campaign was committed: drop its cached progress, wall and
    pages (every translation), and check whether its goal is now reached."""
    if not campaign_id:
        return
    translation_key = (
        Page.objects.filter(pk=campaign_id).values_list("translation_key", flat=True).first()
    )
    if translation_key is None:
        return
    page_ids = list(
        Page.objects.filter(translation_key=translation_key).values_list("pk", flat=True)
    )
    cache.delete_many(
        [
            _progress_key(translation_key),
            *(_wall_key(translation_key, language) for language, _name in settings.LANGUAGES),
            *(_wall_key(None, language) for language, _name in settings.LANGUAGES),
            *(_goods_key(translation_key, language) for language, _name in settings.LANGUAGES),
            *_page_cache_keys(page_ids),
        ]
    )


def campaign_pages_invalidate(*, page: Page) -> None:
    """A campaign page was published or unpublished: drop its cached HTML."""
    cache.delete_many(_page_cache_keys([page.pk]))


# --- Goods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoodsGoalProgress:
    name: str
    unit: str
    target: Decimal
    received: Decimal

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, int(self.received * 100 / self.target))


def _goods_key(translation_key, language: str | None = None) -> str:
    # Per language: the cached rows hold translated unit names.
    return f"campaigns:goods:{translation_key}:{language or translation.get_language()}"


def campaign_goods_progress(*, campaign: CampaignPage) -> list[GoodsGoalProgress]:
    """Goods goals (wishlist items with target quantities) and what has been received for them
    during the campaign. From the goods received (donations/goods/selectors.py)."""
    goals = getattr(campaign, "goods_goals", None)
    if goals is None:
        return []
    key = _goods_key(campaign.translation_key)
    cached = cache.get(key) if cache_seconds() else None
    if cached is not None:
        return cached
    rows = list(goals.select_related("wishlist_item"))
    if not rows:
        result: list[GoodsGoalProgress] = []
    else:
        received = wishlist_received(
            item_ids=[row.wishlist_item_id for row in rows],
            start=campaign.start_date,
            end=campaign.end_date,
        )
        result = [
            GoodsGoalProgress(
                name=row.wishlist_item.name,
                unit=row.wishlist_item.get_unit_display(),
                target=row.target_quantity or row.wishlist_item.quantity_needed,
                received=received.get(row.wishlist_item_id, Decimal(0)),
            )
            for row in rows
        ]
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


def _wall_key(translation_key, language: str | None = None) -> str:
    # Per language: entries hold campaign titles in the visitor's language.
    return f"campaigns:wall:{translation_key or 'all'}:{language or translation.get_language()}"


def supporters_wall(*, campaign: CampaignPage | None, limit: int = WALL_SIZE) -> list[WallEntry]:
    """Donors who agreed to be named, newest gift first, one entry per donor.

    A gift names its donor only when they ticked "show my name" with that gift (recorded from the
    paid event), unless their current supporters'-wall consent is withdrawn. A granted consent
    alone names no gift: forms reachable without logging in could set one for someone else.
    Amounts appear only for gifts where the donor chose to show the amount. Refunded gifts and
    erased donors never appear. Two queries (cached)."""
    key = _wall_key(campaign.translation_key if campaign else None)
    cached = cache.get(key) if cache_seconds() else None
    if cached is not None:
        return cached[:limit]
    consent = ConsentRecord.objects.filter(
        supporter=OuterRef("supporter"), kind=ConsentRecord.Kind.SUPPORTERS_WALL
    ).order_by("-recorded_at", "-pk")
    gifts = (
        Donation.objects.filter(refunded_yen__lt=F("amount_yen"))
        .exclude(supporter__status__in=NOT_CONTACTABLE)
        .annotate(wall_consent=Subquery(consent.values("granted")[:1]))
        .filter(Q(wall_consent=True) | Q(wall_consent__isnull=True), show_name=True)
        .select_related("supporter", "campaign")
        .only(
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
        )
        .order_by("-paid_at", "-pk")
    )
    if campaign is not None:
        gifts = gifts.filter(campaign_id__in=_translation_ids(campaign))
    shown: list[Donation] = []
    seen: set[int] = set()
    for gift in gifts[: max(limit, WALL_SIZE) * 4]:
        if gift.supporter_id in seen or not gift.supporter.display_name:
            continue
        seen.add(gift.supporter_id)
        shown.append(gift)
        if len(shown) >= max(limit, WALL_SIZE):
            break
    # Campaign titles in the visitor's language (a gift may come from the other translation).
    titles = dict(
        Page.objects.live()
        .filter(
            translation_key__in={g.campaign.translation_key for g in shown if g.campaign},
            locale__language_code=translation.get_language(),
        )
        .values_list("translation_key", "title")
    )
    entries = [
        WallEntry(
            name=gift.supporter.display_name,
            paid_on=timezone.localdate(gift.paid_at),
            amount_yen=gift.net_yen if gift.show_amount else None,
            campaign_title=(
                titles.get(gift.campaign.translation_key, gift.campaign.title)
                if gift.campaign
                else ""
            ),
        )
        for gift in shown
    ]
    if cache_seconds():
        cache.set(key, entries, cache_seconds())
    return entries[:limit]


# --- Whole-page cache --------------------------------------------------------------------------

CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"__OUENDAN_CSRF_TOKEN__"


def _route_key(request) -> str:
    return f"campaigns:route:{request.get_host()}:{request.path}"


def page_cache_eligible(request) -> bool:
    """Only plain GETs from visitors with no session (so no login, page password or flash
    message can be involved) and no query string are served from or stored in the cache."""
    return bool(
        cache_seconds()
        and request.method in ("GET", "HEAD")
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not getattr(request, "is_preview", False)
    )


def page_cache_response(request) -> HttpResponse | None:
    """The cached campaign page for this URL, with this visitor's own CSRF token, or None.
    Called before Wagtail's routing (campaigns.middleware): two cache reads, no query."""
    if not page_cache_eligible(request):
        return None
    route = cache.get(_route_key(request))
    if route is None:
        return None
    cached = cache.get(f"campaigns:page:{route[0]}:{route[1]}")
    if cached is None or route[1] != translation.get_language():
        return None
    content, content_type = cached
    return HttpResponse(
        content.replace(CSRF_PLACEHOLDER, get_token(request).encode()), content_type=content_type
    )


def campaign_page_serve_cached(*, page: CampaignPage, request, render) -> HttpResponse:
    """Serve a campaign page, and keep it for anonymous visitors (at most CACHE_SECONDS old;
    dropped when a gift, refund or new revision lands).

    The cached HTML keeps a placeholder where the CSRF token goes (the language switcher is a
    form), and each visitor gets their own token, so one visitor's token is never served to
    another. Staff, previews and requests with a query string are never cached."""
    if not page_cache_eligible(request):
        return render()
    response = render()  # campaigns.middleware already served a cached copy if there was one
    if hasattr(response, "render"):
        response.render()
    if response.status_code == 200 and not response.cookies:
        language = translation.get_language()
        content = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
        cache.set_many(
            {
                f"campaigns:page:{page.pk}:{language}": (content, response["Content-Type"]),
                _route_key(request): (page.pk, language),
            },
            cache_seconds(),
        )
    return response


# --- Workflow ----------------------------------------------------------------------------------


def campaign_review_workflow_assign(*, index_page: CampaignIndexPage) -> bool:
    """Put a campaign index (and so every campaign under it) on the "Campaign review" workflow
    unless staff chose another one for it. Returns whether it was assigned now."""
    if index_page.pk is None or WorkflowPage.objects.filter(page=index_page).exists():
        return False
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME, active=True).first()
    if workflow is None:
        return False
    WorkflowPage.objects.create(page=index_page, workflow=workflow)
    return True
