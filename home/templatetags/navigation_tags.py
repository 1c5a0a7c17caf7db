"""The header every public page carries: main menu, donate button and portal link. What they
show depends only on the page tree, so it is kept in the tree cache (ouendan.core.tree_cache)
per site and language; only "logged in or not" is read per request."""

from django import template
from django.utils import translation
from wagtail.models import Locale, Page, Site

from donations.models import DonatePage
from members.models import MemberPortalPage
from members.views.session import portal_supporter
from ouendan.core.tree_cache import tree_cached

register = template.Library()


def _site_root(site):
    return site.root_page.localized if site else None


def _menu_entries(request, site) -> list[dict]:
    root = _site_root(site)
    if root is None:
        return []
    # Title and URL only: no .specific() (one query per page type).
    items = Page.objects.child_of(root).live().public().in_menu()
    return [
        {"title": item.title, "url": item.get_url(request), "path": item.path} for item in items
    ]


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """Top navigation: the live, public pages under the site root marked "show in menus"."""
    request = context["request"]
    site = Site.find_for_request(request)
    entries = tree_cached(
        f"menu:{site.pk if site else 0}:{translation.get_language()}",
        lambda: _menu_entries(request, site),
    )
    current = context.get("page")
    current_path = current.path if current else ""
    return {
        "entries": [(item, current_path.startswith(item["path"])) for item in entries],
        "request": request,
    }


def _page_in_language(model, site):
    """The site's page of this type in the visitor's language, else in any language."""
    pages = model.objects.live().public()
    if site:
        # Each language has its own tree: the translations of the site's root page.
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        pages = pages.filter(path__regex="^(" + "|".join(root.path for root in roots) + ")")
    try:
        active = Locale.get_active()
    except Locale.DoesNotExist:
        active = None
    return (active and pages.filter(locale=active).first()) or pages.first()


def _links(request, site) -> dict:
    donate = _page_in_language(DonatePage, site)
    portal = _page_in_language(MemberPortalPage, site)
    return {
        "donate_url": donate.get_url(request) if donate else "",
        "donate_pk": donate.pk if donate else None,
        "portal_url": portal.get_url(request) if portal else "",
    }


@register.simple_tag(takes_context=True)
def header_links(context):
    """The header's donate button and portal link (login, or "my page" once logged in)."""
    request = context.get("request")
    if request is None:  # error pages rendered without a request
        return {}
    site = Site.find_for_request(request)
    links = tree_cached(
        f"header:{site.pk if site else 0}:{translation.get_language()}",
        lambda: _links(request, site),
    )
    page = context.get("page")
    return {
        **links,
        "logged_in": bool(links["portal_url"] and portal_supporter(request)),
        "donate_current": bool(links["donate_pk"] and page and page.pk == links["donate_pk"]),
    }
