"""Campaign writes: fresh progress when the ledger changes, and the review workflow.
Reads are in campaigns/selectors.py, the whole-page cache in campaigns/page_cache.py."""

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Page, Workflow, WorkflowPage

from .models import CampaignIndexPage
from .page_cache import page_cache_keys
from .selectors import goods_cache_key, progress_cache_key, wall_cache_key
from .tally import tallies_compute
from .workflow_names import CAMPAIGN_REVIEW


def campaign_progress_invalidate(*, campaign_id: int | None) -> None:
    """A gift or refund for this campaign was committed: compute its kept progress again
    (campaigns/tally.py) and drop its cached progress, wall and pages (every translation)."""
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
            progress_cache_key(translation_key),
            *(wall_cache_key(translation_key, language) for language, _name in settings.LANGUAGES),
            *(wall_cache_key(None, language) for language, _name in settings.LANGUAGES),
            *(goods_cache_key(translation_key, language) for language, _name in settings.LANGUAGES),
            *page_cache_keys(page_ids),
        ]
    )
    # After the cached copies: a view in between reads the kept row, never an older cache entry.
    tallies_compute([translation_key], replace=True)


# --- Workflow ----------------------------------------------------------------------------------


def campaign_review_workflow_assign(*, index_page: CampaignIndexPage) -> bool:
    """Put a campaign index (and so every campaign under it) on the campaign review workflow
    unless staff chose another one for it. Returns whether it was assigned now."""
    if index_page.pk is None or WorkflowPage.objects.filter(page=index_page).exists():
        return False
    workflow = Workflow.objects.filter(name=CAMPAIGN_REVIEW, active=True).first()
    if workflow is None:
        return False
    WorkflowPage.objects.create(page=index_page, workflow=workflow)
    return True
