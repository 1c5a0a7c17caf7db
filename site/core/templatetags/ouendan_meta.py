"""The head meta every public page carries (includes/meta.html): canonical URL, hreflang
alternates, Open Graph and Twitter cards, and the share links of campaign and news pages.

Every absolute URL starts at PUBLIC_BASE_URL (the request's own origin only when that setting is
empty), never at the Site record (http://localhost) or the Host header: pages are cached for
every visitor, and a shared link must lead to the real site.
"""

from urllib.parse import quote, urlencode

from django import template
from django.conf import settings

from ouendan.net import base_url_error

from ..tree_cache import tree_cached

register = template.Library()

# Open Graph wants a territory with the language; the site's two languages.
OG_LOCALES = {"ja": "ja_JP", "en": "en_GB"}
X_DEFAULT_LANGUAGE = "ja"  # Japanese first: the fallback for visitors of any other language


def absolute_url(path: str, *, request=None) -> str:
    """`path` ("/campaigns/…", or an absolute URL left as it is) on the public origin."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    base = getattr(settings, "PUBLIC_BASE_URL", "") or ""
    if base and base_url_error(base) is None:
        return base.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def _page_path(page) -> str | None:
    parts = page.get_url_parts()
    return parts[2] if parts else None


def _alternates(page, *, request) -> list[dict]:
    """One entry per live translation (the page itself included), plus x-default."""
    try:
        translations = list(page.get_translations(inclusive=True).live().select_related("locale"))
    except AttributeError:
        return []
    if len(translations) < 2:
        return []
    entries, default = [], None
    for translation in sorted(translations, key=lambda item: item.locale.language_code):
        path = _page_path(translation)
        if path is None:
            continue
        url = absolute_url(path, request=request)
        entries.append({"lang": translation.locale.language_code, "url": url})
        if translation.locale.language_code == X_DEFAULT_LANGUAGE:
            default = url
    if default:
        entries.append({"lang": "x-default", "url": default})
    return entries


def _share_image(page, *, request) -> str:
    image = getattr(page, "hero_image", None) or getattr(page, "image", None)
    if image is None:
        return ""
    return absolute_url(image.get_rendition("fill-1200x630").url, request=request)


def share_links(*, url: str, title: str) -> list[dict]:
    """Plain links to each network's own share page: no scripts or trackers of theirs load
    here. LINE first, as most people in Japan share through it."""
    return [
        {
            "key": "line",
            "name": "LINE",
            "href": "https://social-plugins.line.me/lineit/share?" + urlencode({"url": url}),
        },
        {
            "key": "x",
            "name": "X",
            "href": "https://x.com/intent/post?" + urlencode({"url": url, "text": title}),
        },
        {
            "key": "facebook",
            "name": "Facebook",
            "href": "https://www.facebook.com/sharer/sharer.php?u=" + quote(url, safe=""),
        },
    ]


def page_meta(page, *, request=None) -> dict:
    """What includes/meta.html needs for a Wagtail page (empty for any other view). Kept in the
    tree cache (a saved page drops it), except for previews of unsaved content."""
    if page is None or not hasattr(page, "get_url_parts"):
        return {}
    if getattr(request, "is_preview", False) or not page.pk:
        return _page_meta(page, request=request)
    host = request.get_host() if request is not None else ""
    return tree_cached(f"meta:{page.pk}:{host}", lambda: _page_meta(page, request=request))


def _page_meta(page, *, request=None) -> dict:
    path = _page_path(page)
    if path is None:
        return {}
    url = absolute_url(path, request=request)
    title = getattr(page, "seo_title", "") or page.title
    description = (
        getattr(page, "search_description", "")
        or getattr(page, "summary", "")
        or getattr(page, "intro", "")
    )
    language = getattr(getattr(page, "locale", None), "language_code", X_DEFAULT_LANGUAGE)
    return {
        "url": url,
        "title": title,
        "description": " ".join(str(description).split())[:300],
        "image": _share_image(page, request=request),
        "og_locale": OG_LOCALES.get(language, OG_LOCALES[X_DEFAULT_LANGUAGE]),
        "alternates": _alternates(page, request=request),
    }


@register.simple_tag(takes_context=True)
def ouendan_page_meta(context):
    return page_meta(context.get("page"), request=context.get("request"))


@register.inclusion_tag("includes/share_links.html", takes_context=True)
def ouendan_share_links(context, page):
    meta = page_meta(page, request=context.get("request"))
    if not meta:
        return {"links": []}
    return {"links": share_links(url=meta["url"], title=meta["title"]), "title": meta["title"]}
