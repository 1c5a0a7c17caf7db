from django import template
from wagtail.models import Page, Site

register = template.Library()


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """Top navigation: the live, public pages under the site root marked "show in menus"."""
    request = context["request"]
    site = Site.find_for_request(request)
    root = site.root_page.localized if site else None
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
