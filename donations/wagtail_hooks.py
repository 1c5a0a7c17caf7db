from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from ouendan.core.staff_home import MONTH, STAFF_HOME_HOOK, TODO, StaffHomeItem, this_month

from . import selectors
from .admin_views import MoneyViewSetGroup, ProgrammeViewSet
from .gift_forms import donor_chooser_viewset

register_snippet(ProgrammeViewSet)


@hooks.register("register_admin_viewset")
def register_money_viewsets():
    return [MoneyViewSetGroup(), donor_chooser_viewset]


@hooks.register(STAFF_HOME_HOOK)
def money_staff_home_items(request):
    """Failed monthly payments to recover; gifts and fees this month (money: Finance only)."""
    user, items = request.user, []
    if user.has_perm("donations.view_recurringdonation"):
        items.append(
            StaffHomeItem(
                section=TODO,
                name="monthly_gifts_failed",
                label=_("Monthly gifts with a failed payment"),
                count=selectors.monthly_gifts_failed_count(),
                url=reverse("recurringdonation:index") + "?status=past_due",
                order=30,
            )
        )
    if user.has_perm("donations.view_donation"):
        month = this_month()
        total = selectors.ledger_total(start=month.start, end=month.end)
        items.append(
            StaffHomeItem(
                section=MONTH,
                name="gifts_this_month",
                label=_("Gifts and fees this month (net of refunds)"),
                count=total.count,
                amount_yen=total.net_yen,
                url=reverse("donation:index")
                + f"?paid_at_from={month.first_day}&paid_at_to={month.last_day}",
                order=10,
            )
        )
    return items
