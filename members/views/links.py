"""Page URLs for the members journeys: sub-pages in the visitor's language and absolute links
for e-mails (never built from the request's Host header)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ouendan.net import public_url

from ..selectors import member_portal_page_find

TOKEN_PLACEHOLDER = "TOKENPLACEHOLDER"  # noqa: S105 - replaced by "{token}", not a secret


def page_base_url(request, page) -> str:
    """The URL the page was reached at, in the visitor's language (an English visitor served
    the Japanese page stays under /en/)."""
    match = getattr(request, "routable_resolver_match", None)
    if match is None:
        return localised_page_url(request, page)
    subpath = page.reverse_subpage(match.url_name, args=match.args, kwargs=match.kwargs)
    path = request.path
    return path[: len(path) - len(subpath)] if subpath and path.endswith(subpath) else path


def sub_url(request, page, name: str, **kwargs) -> str:
    return page_base_url(request, page) + page.reverse_subpage(name, kwargs=kwargs or None)


def absolute_link(url: str) -> str:
    """A page URL made absolute for an e-mail or Stripe, from PUBLIC_BASE_URL: never from the
    request's Host header, which the client chooses. Wagtail returns a full URL only for a page
    of another Site, and that comes from the Site record, not from the request."""
    return public_url(url) if url.startswith("/") else url


def link_template(request, page, name: str) -> str:
    """An absolute link for an e-mail, with "{token}" where the secret goes."""
    url = absolute_link(sub_url(request, page, name, token=TOKEN_PLACEHOLDER))
    return url.replace(TOKEN_PLACEHOLDER, "{token}")


def localised_page_url(request, page) -> str:
    """A page's URL in the visitor's language. An untranslated Japanese page is also served
    under /en/ (Wagtail falls back to it), so English visitors stay on English URLs."""
    page = page.localized
    url = page.get_url(request) or "/"
    language = translation.get_language()
    if language in (page.locale.language_code, settings.LANGUAGE_CODE) or not url.startswith("/"):
        return url
    return f"/{language}{url}"


def _portal_login_template(request, page) -> str:
    """The portal's login link for e-mails sent from the join page (already registered)."""
    portal = portal_page()
    if portal is None:
        return absolute_link(page_base_url(request, page))
    url = localised_page_url(request, portal) + portal.reverse_subpage(
        "redeem", kwargs={"token": TOKEN_PLACEHOLDER}
    )
    return absolute_link(url).replace(TOKEN_PLACEHOLDER, "{token}")


def _postal_lookup_url() -> str:
    return reverse("members:postal_code")


def portal_page():
    return member_portal_page_find()
