"""Funding dashboard (Wagtail admin, Finance only): recurring revenue, monthly donors, revenue
by source, the grant exit (財源バランス) and lapsed donors. Every chart is inline SVG drawn on
the server, with a table of the same numbers beside it and a formula-safe CSV export.

The figures come from donations/reports.py; this module only parses the month range, lays the
numbers out and exports them. Staff enter grant income here and the running costs and grant
dates in Settings → Funding.
"""

import csv
import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from home.exports import SafeSpreadsheetExportMixin, spreadsheet_safe_row

from .models import FundingSettings, GrantIncome
from .reports import (
    funding_balance,
    lapsed_donors,
    month_add,
    month_floor,
    month_list,
    monthly_donor_movement,
    monthly_gifts_now,
    recurring_revenue,
    revenue_by_source,
)
from .svg_charts import PALETTE, Series, bar_chart, line_chart

DASHBOARD_PERMISSION = "donations.view_donation"  # Finance (and superusers) see money
MAX_MONTHS = 60
LAPSED_SHOWN = 50


def can_see_dashboard(user) -> bool:
    return user.is_active and user.has_perm(DASHBOARD_PERMISSION)


# --- Month range -------------------------------------------------------------------------------


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self):
        super().__init__(format="%Y-%m")


class DashboardRangeForm(forms.Form):
    start = forms.DateField(
        label=_("From month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"invalid": _("Enter a month as YYYY-MM, for example 2026-04.")},
    )
    end = forms.DateField(
        label=_("To month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        error_messages={"invalid": _("Enter a month as YYYY-MM, for example 2026-04.")},
    )
    year = forms.IntegerField(
        label=_("Lapsed donors for the year"), required=False, min_value=2000, max_value=2100
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError(_("The range must end after it starts."))
            if len(month_list(start=start, end=end)) > MAX_MONTHS:
                raise ValidationError(
                    _("Choose at most %(months)s months."), params={"months": MAX_MONTHS}
                )
        return data


@dataclass(frozen=True)
class DashboardRange:
    start: datetime.date
    end: datetime.date
    year: int


def dashboard_range(form: DashboardRangeForm, *, today: datetime.date) -> DashboardRange:
    """The chosen months, or the last 12 months (this month included) when nothing or
    something invalid was chosen (the form then shows why)."""
    this_month = month_floor(today)
    start, end, year = None, None, None
    if form.is_bound and form.is_valid():
        start, end, year = (form.cleaned_data[k] for k in ("start", "end", "year"))
    end = month_floor(end) if end else this_month
    start = month_floor(start) if start else month_add(end, -11)
    if start > end or len(month_list(start=start, end=end)) > MAX_MONTHS:
        start, end = month_add(this_month, -11), this_month
    return DashboardRange(start=start, end=end, year=year or today.year)


# --- Tables (shared by the page and the CSV exports) -------------------------------------------


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    kinds: list[str]  # per column: "text", "yen", "count", "percent"


def _month_label(month: datetime.date) -> str:
    return f"{month.year}-{month.month:02d}"


def _ratio(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def dashboard_tables(*, rng: DashboardRange, today: datetime.date, settings: FundingSettings):
    """Every report of the page. A fixed number of queries, whatever the size of the ledger."""
    costs = settings.monthly_running_costs_yen
    recurring = recurring_revenue(start=rng.start, end=rng.end)
    revenue = revenue_by_source(start=rng.start, end=rng.end)
    donors = monthly_donor_movement(start=rng.start, end=rng.end)
    balance = funding_balance(
        today=today, running_costs_yen=costs, grant_end=settings.grant_end_date
    )
    lapsed = lapsed_donors(year=rng.year)
    tables = {
        "recurring": Table(
            "recurring",
            gettext("Monthly recurring revenue"),
            [
                gettext("Month"),
                gettext("Monthly gifts"),
                gettext("Membership fees (spread)"),
                gettext("Recurring revenue"),
                gettext("Share of running costs"),
            ],
            [
                [
                    _month_label(m.month),
                    m.monthly_gifts,
                    m.membership_fees,
                    m.total,
                    _ratio(m.total / costs) if costs else None,
                ]
                for m in recurring
            ],
            ["text", "yen", "yen", "yen", "percent"],
        ),
        "revenue": Table(
            "revenue",
            gettext("Revenue by source"),
            [
                gettext("Month"),
                gettext("Membership fees"),
                gettext("Monthly gifts"),
                gettext("One-off gifts"),
                gettext("Corporate gifts"),
                gettext("In-kind value"),
                gettext("Grant income"),
                gettext("Own income"),
                gettext("Total"),
            ],
            [
                [
                    _month_label(m.month),
                    m.membership_fees,
                    m.monthly_gifts,
                    m.one_off_gifts,
                    m.corporate_gifts,
                    m.in_kind_value,
                    m.grant_income,
                    m.own_income,
                    m.total,
                ]
                for m in revenue
            ],
            ["text"] + ["yen"] * 8,
        ),
        "donors": Table(
            "donors",
            gettext("Monthly donors"),
            [
                gettext("Month"),
                gettext("Active"),
                gettext("New"),
                gettext("Recovered"),
                gettext("Lost"),
                gettext("Retention"),
            ],
            [
                [
                    _month_label(m.month),
                    m.active,
                    m.new,
                    m.recovered,
                    m.lost,
                    _ratio(m.retention),
                ]
                for m in donors
            ],
            ["text", "count", "count", "count", "count", "percent"],
        ),
        "balance": Table(
            "balance",
            gettext("Funding balance: the last 12 complete months"),
            [
                gettext("Month"),
                gettext("Own recurring income"),
                gettext("Running costs"),
                gettext("Share of running costs"),
            ],
            [
                [_month_label(m.month), m.total, costs, _ratio(balance.coverage(m))]
                for m in balance.trend
            ],
            ["text", "yen", "yen", "percent"],
        ),
    }
    for key, title, donors_list in (
        ("lybunt", gettext("LYBUNT: gave last year, not yet this year"), lapsed.lybunt),
        (
            "sybunt",
            gettext("SYBUNT: gave in earlier years, not last year nor this year"),
            lapsed.sybunt,
        ),
    ):
        tables[key] = Table(
            key,
            title,
            [gettext("Donor"), gettext("Email"), gettext("Last gift"), gettext("Lifetime total")],
            [
                [
                    d.name or f"#{d.supporter_id}",
                    d.email,
                    timezone.localdate(d.last_gift_at).isoformat(),
                    d.lifetime_yen,
                ]
                for d in donors_list
            ],
            ["text", "text", "text", "yen"],
        )
    return tables, balance, lapsed


def _charts(tables: dict[str, Table], costs: int) -> dict:
    recurring, revenue, donors, balance = (
        tables[k] for k in ("recurring", "revenue", "donors", "balance")
    )
    labels = [row[0] for row in recurring.rows]
    column = lambda table, n: [row[n] or 0 for row in table.rows]  # noqa: E731
    return {
        "recurring": bar_chart(
            title=recurring.title,
            labels=labels,
            series=[
                Series(recurring.headers[1], column(recurring, 1), PALETTE[0]),
                Series(recurring.headers[2], column(recurring, 2), PALETTE[1]),
            ],
            line=Series(gettext("Running costs"), [costs] * len(labels), PALETTE[3])
            if costs
            else None,
        ),
        "revenue": bar_chart(
            title=revenue.title,
            labels=[row[0] for row in revenue.rows],
            series=[
                Series(revenue.headers[n], column(revenue, n), PALETTE[n - 1]) for n in range(1, 7)
            ],
        ),
        "donors": bar_chart(
            title=donors.title,
            labels=[row[0] for row in donors.rows],
            series=[
                Series(donors.headers[2], column(donors, 2), PALETTE[2]),
                Series(donors.headers[3], column(donors, 3), PALETTE[0]),
                Series(donors.headers[4], column(donors, 4), PALETTE[3]),
            ],
            stacked=False,
        ),
        "balance": line_chart(
            title=balance.title,
            labels=[row[0] for row in balance.rows],
            series=[
                Series(balance.headers[3], column(balance, 3), PALETTE[0]),
                Series(gettext("All costs covered"), [1.0] * len(balance.rows), PALETTE[3]),
            ],
            percent=True,
        )
        if costs
        else None,
    }


def table_csv(table: Table, *, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 Japanese correctly only with a BOM
    writer = csv.writer(response)
    writer.writerow(spreadsheet_safe_row(table.headers))
    for row in table.rows:
        writer.writerow(spreadsheet_safe_row(["" if v is None else v for v in row]))
    return response


def funding_dashboard(request):
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = DashboardRangeForm(request.GET if request.GET.keys() - {"export"} else None)
    rng = dashboard_range(form, today=today)
    settings = FundingSettings.for_request(request)
    tables, balance, lapsed = dashboard_tables(rng=rng, today=today, settings=settings)
    export = request.GET.get("export")
    if export:
        if export not in tables:
            raise Http404
        name = f"funding-{export}-{_month_label(rng.start)}-{_month_label(rng.end)}.csv"
        return table_csv(tables[export], filename=name)
    query = request.GET.copy()
    query.pop("export", None)
    return TemplateResponse(
        request,
        "donations/admin/funding_dashboard.html",
        {
            "form": form,
            "range": rng,
            "tables": tables,
            "charts": _charts(tables, settings.monthly_running_costs_yen),
            "balance": balance,
            "lapsed": lapsed,
            "lapsed_shown": LAPSED_SHOWN,
            "funding": settings,
            "monthly_now": monthly_gifts_now(),
            "query": query.urlencode(),
            "settings_url": reverse("wagtailsettings:edit", args=["donations", "fundingsettings"]),
            "grant_income_url": reverse("grant_income:index"),
            "has_data": any(row[-1] for row in tables["revenue"].rows)
            or any(row[1] for row in tables["donors"].rows),
        },
    )


# --- Admin registration ------------------------------------------------------------------------


class FundingDashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_dashboard(request.user)


class FundingDashboardViewSet(ViewSet):
    icon = "table"
    menu_label = _("Funding dashboard")
    menu_item_class = FundingDashboardMenuItem

    def get_urlpatterns(self):
        return [path("", funding_dashboard, name="index")]


class GrantIncomeForm(forms.ModelForm):
    class Meta:
        model = GrantIncome
        fields = ["received_on", "amount_yen", "grantor", "note"]

    def clean_amount_yen(self):
        amount = self.cleaned_data["amount_yen"]
        if amount is None or amount <= 0:
            raise forms.ValidationError(_("Enter a whole number of yen above zero."))
        return amount

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("Enter grant income once it has been received."))
        return received_on


class GrantIncomeIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    pass


class GrantIncomeViewSet(ModelViewSet):
    model = GrantIncome
    icon = "doc-full"
    menu_label = _("Grant income")
    form_fields = GrantIncomeForm.Meta.fields
    index_view_class = GrantIncomeIndexView
    copy_view_enabled = False
    list_display = ["received_on", "grantor", "amount_yen", "note"]
    list_filter = ["received_on", "grantor"]
    search_fields = ["grantor", "note"]
    search_backend_name = None
    list_export = ["received_on", "grantor", "amount_yen", "note"]
    export_filename = "grant-income"

    def get_form_class(self, for_update=False):
        return GrantIncomeForm


class FundingViewSetGroup(ViewSetGroup):
    menu_label = _("Funding")
    menu_icon = "table"
    menu_order = 310
    items = (FundingDashboardViewSet("funding_dashboard"), GrantIncomeViewSet("grant_income"))
