from django import template
from wagtail.models import Locale, Page, Site

from donations.models import DonatePage
from members.models import MemberPortalPage
from members.views.session import portal_supporter

register = template.Library()


def _site_root(request):
    site = Site.find_for_request(request)
    return site.root_page.localized if site else None


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """Top navigation: the live, public pages under the site root marked "show in menus"."""
    request = context["request"]
    root = _site_root(request)
    items = (
        Page.objects.child_of(root).live().public().in_menu().specific()
        if root
        else Page.objects.none()
    )
    current = context.get("page")
    current_path = current.path if current else ""
    return {
        "entries": [(item, current_path.startswith(item.path)) for item in items],
        "request": request,
    }


def _page_in_language(model, request):
    """The site's page of this type in the visitor's language, else in any language."""
    pages = model.objects.live().public()
    site = Site.find_for_request(request)
    if site:
        # Each language has its own tree: the translations of the site's root page.
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        pages = pages.filter(path__regex="^(" + "|".join(root.path for root in roots) + ")")
    try:
        active = Locale.get_active()
    except Locale.DoesNotExist:
        active = None
    return (active and pages.filter(locale=active).first()) or pages.first()


@register.simple_tag(takes_context=True)
def header_links(context):
    """The header's donate button and portal link (login, or "my page" once logged in)."""
    request = context.get("request")
    if request is None:  # error pages rendered without a request
        return {}
    donate = _page_in_language(DonatePage, request)
    portal = _page_in_language(MemberPortalPage, request)
    return {
        "donate_url": donate.get_url(request) if donate else "",
        "portal_url": portal.get_url(request) if portal else "",
        "logged_in": bool(portal and portal_supporter(request)),
        "donate_current": bool(donate and context.get("page") and context["page"].pk == donate.pk),
    }
