"""The whole-page cache of campaign pages for anonymous visitors (campaigns.middleware serves
from it before Wagtail's routing; CampaignPage.serve fills it)."""

import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from wagtail.models import Page

from .models import CampaignPage
from .selectors import cache_seconds


def page_cache_keys(page_ids) -> list[str]:
    return [
        f"campaigns:page:{page_id}:{language}"
        for page_id in page_ids
        for language, _name in settings.LANGUAGES
    ]


def campaign_pages_invalidate(*, page: Page) -> None:
    """A campaign page was published or unpublished: drop its cached HTML."""
    cache.delete_many(page_cache_keys([page.pk]))


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
