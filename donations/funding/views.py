"""Funding dashboard (Wagtail admin, Finance only): recurring revenue, monthly donors, revenue
by source, the grant exit (財源バランス) and lapsed donors. Every chart is inline SVG drawn on
the server, with a table of the same numbers beside it and a formula-safe CSV export.

The figures come from selectors.py and runway.py, laid out by dashboard.py; this module parses
the month range and answers with the page or a CSV. Staff enter grant income (viewsets.py) and
the running costs and grant dates in Settings → Funding.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from .dashboard import (
    TABLE_KEYS,
    dashboard_charts,
    dashboard_range,
    dashboard_tables,
    month_label,
    table_csv,
)
from .forms import DashboardRangeForm
from .models import FundingSettings
from .selectors import monthly_gifts_now

DASHBOARD_PERMISSION = "donations.view_donation"  # Finance (and superusers) see money
LAPSED_SHOWN = 50


def can_see_dashboard(user) -> bool:
    return user.is_active and user.has_perm(DASHBOARD_PERMISSION)


def funding_dashboard(request):
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = DashboardRangeForm(request.GET if request.GET.keys() - {"export"} else None)
    rng = dashboard_range(form, today=today)
    settings = FundingSettings.for_request(request)
    export = request.GET.get("export")
    if export:
        if export not in TABLE_KEYS:
            raise Http404
        # Only the table asked for; the lapsed donor lists in full.
        tables, _balance, _lapsed = dashboard_tables(
            rng=rng, today=today, settings=settings, only=export
        )
        name = f"funding-{export}-{month_label(rng.start)}-{month_label(rng.end)}.csv"
        return table_csv(tables[export], filename=name)
    tables, balance, lapsed = dashboard_tables(
        rng=rng, today=today, settings=settings, lapsed_limit=LAPSED_SHOWN
    )
    query = request.GET.copy()
    query.pop("export", None)
    return TemplateResponse(
        request,
        "funding/admin/funding_dashboard.html",
        {
            "form": form,
            "range": rng,
            "tables": tables,
            "charts": dashboard_charts(tables, settings.monthly_running_costs_yen, rng=rng),
            # The chosen year has not ended: its lapsed donors may still give, so no rate.
            "year_in_progress": rng.year >= today.year,
            "programmes_url": reverse("wagtailsnippets_donations_programme:list"),
            "balance": balance,
            "lapsed": lapsed,
            "lapsed_shown": LAPSED_SHOWN,
            "funding": settings,
            "monthly_now": monthly_gifts_now(),
            "query": query.urlencode(),
            "settings_url": reverse("wagtailsettings:edit", args=["funding", "fundingsettings"]),
            "grant_income_url": reverse("grant_income:index"),
            "has_data": any(row[-1] for row in tables["revenue"].rows)
            or any(row[1] for row in tables["donors"].rows),
        },
    )
