from django import template

from donations.portal import donor_portal_parts
from donations.selectors import donor_summary

register = template.Library()


@register.inclusion_tag("donations/portal_section.html", takes_context=True)
def donor_portal_section(context, supporter):
    """The member portal's donations section (the portal lives in members/, money here)."""
    return {
        "summary": donor_summary(supporter=supporter),
        "parts": donor_portal_parts(supporter=supporter),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
