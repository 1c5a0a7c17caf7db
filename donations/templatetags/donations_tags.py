from django import template

from donations.portal import donor_portal_parts
from donations.portal_views import MonthlyGiftRequestForm
from donations.selectors import donor_summary, offline_monthly_gifts_recent

register = template.Library()


@register.inclusion_tag("donations/portal_section.html", takes_context=True)
def donor_portal_section(context, supporter):
    """The member portal's donations section (the portal lives in members/, money here)."""
    offline_monthly = offline_monthly_gifts_recent(supporter=supporter)
    return {
        "summary": donor_summary(supporter=supporter),
        "parts": donor_portal_parts(supporter=supporter),
        "offline_monthly": offline_monthly,
        "monthly_form": MonthlyGiftRequestForm() if offline_monthly else None,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
