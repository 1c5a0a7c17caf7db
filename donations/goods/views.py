"""The public pledge page (PledgePage routes here): goods form, thanks, wishlist and wall.

A new pledger becomes a supporter with the join page's double opt-in (members.services
supporter_join); a known e-mail address is matched with supporter_find_duplicate. The pledge
itself is stored by services.pledge_offer.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils import translation

from donations.views import _campaign_id
from members import services as member_services
from members.models import ConsentRecord, Supporter
from members.views import _portal_login_template, link_template, sub_url
from ouendan.core.guard import RATE_LIMIT_MESSAGE, honeypot_filled, over_limit, too_many_requests

from .forms import GoodsLineFormSet, PledgeForm
from .models import Pledge, WishlistItem
from .selectors import corporate_wall_entries, wishlist_progress
from .services import corporate_wall_add, pledge_offer

FORMSET_PREFIX = "goods"


def _wishlist():
    return WishlistItem.objects.filter(active=True).order_by("sort_order", "name", "pk")


def _wishlist_rows(items) -> list[tuple[WishlistItem, object]]:
    """Each item with its goods progress (selectors.wishlist_progress, as campaigns count)."""
    return list(zip(items, wishlist_progress(items=items), strict=True))


def _initial_lines(request, items) -> list[dict]:
    """`?item=<id>` (the wishlist's "pledge this" links) fills in the first line."""
    raw = request.GET.get("item", "")
    item = next((item for item in items if str(item.pk) == raw), None)
    if item is None:
        return []
    return [
        {
            "wishlist_item": item.pk,
            "category": item.category,
            "description": item.name,
            "unit": item.unit,
        }
    ]


LINE_FIELDS = (
    "wishlist_item",
    "category",
    "description",
    "quantity",
    "unit",
    "estimated_value_yen",
    "best_before",
)


def _filled_lines(data) -> list[dict]:
    """The goods rows typed so far, as initial data: "more lines" keeps them and adds blanks."""
    try:
        total = min(int(data.get(f"{FORMSET_PREFIX}-TOTAL_FORMS", "0")), GoodsLineFormSet.max_num)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        row = {name: data.get(f"{FORMSET_PREFIX}-{index}-{name}", "") for name in LINE_FIELDS}
        if any(value.strip() for value in row.values()):
            rows.append(row)
    return rows


def _find_or_join(request, page, form) -> Supporter:
    """The existing supporter with this e-mail, or a new pending one (double opt-in e-mail)."""
    email = form.cleaned_data["email"]
    existing = member_services.supporter_find_duplicate(email=email)
    if existing is not None:
        return existing
    result = member_services.supporter_join(
        supporter=form.supporter(language=translation.get_language()),
        consents={ConsentRecord.Kind.SUPPORTERS_WALL: form.cleaned_data["supporters_wall"]},
        policy_version=page.privacy_policy_version,
        confirm_url=link_template(request, page, "confirm"),
        login_url=_portal_login_template(request, page),
    )
    supporter = result.supporter
    if (
        result.created
        and supporter.kind == Supporter.Kind.ORGANISATION
        and form.cleaned_data["supporters_wall"]
    ):
        corporate_wall_add(supporter=supporter)  # shown once the e-mail address is confirmed
    return supporter


def pledge_form(request, page):
    items = list(_wishlist())
    if request.method == "POST":
        if "add_line" in request.POST:
            # Unbound forms filled with what was typed: no error messages yet, nothing lost.
            lines = _filled_lines(request.POST)
            form = PledgeForm(initial=request.POST.dict())
            formset = GoodsLineFormSet(prefix=FORMSET_PREFIX, wishlist=_wishlist(), initial=lines)
            return _render(request, page, form, formset, items)
        form = PledgeForm(request.POST)
        formset = GoodsLineFormSet(request.POST, prefix=FORMSET_PREFIX, wishlist=_wishlist())
        if honeypot_filled(form):
            return redirect(sub_url(request, page, "thanks"))  # pretend; store nothing
        form_valid = form.is_valid()
        if formset.is_valid() and form_valid:
            if over_limit(request, group="donations:pledge", email=form.cleaned_data["email"]):
                # The form again as typed, with the reason: nothing is stored or sent.
                form.add_error(None, RATE_LIMIT_MESSAGE)
                return too_many_requests(_render(request, page, form, formset, items))
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    pledge_offer(
                        supporter=_find_or_join(request, page, form),
                        lines=formset.goods_lines(),
                        recurrence=data["recurrence"],
                        first_delivery_on=data.get("first_delivery_on"),
                        recurrence_until=data.get("recurrence_until"),
                        delivery_method=data["delivery_method"],
                        pickup_address=data.get("pickup_address", ""),
                        pickup_window=data.get("pickup_window", ""),
                        message=data.get("message", ""),
                        campaign_id=_campaign_id(request),
                        source=Pledge.Source.WEB,
                        contact_as_submitted=form.contact_summary(),
                    )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return redirect(sub_url(request, page, "thanks"))
    else:
        form = PledgeForm()
        formset = GoodsLineFormSet(
            prefix=FORMSET_PREFIX, wishlist=_wishlist(), initial=_initial_lines(request, items)
        )
    return _render(request, page, form, formset, items)


def _render(request, page, form, formset, items):
    return page.render(
        request,
        context_overrides={
            "form": form,
            "formset": formset,
            "wishlist": _wishlist_rows(items),
            # For pledge_form.js: choosing a wishlist item fills in its name, category and unit.
            "wishlist_names": {
                str(item.pk): {"name": item.name, "category": item.category, "unit": item.unit}
                for item in items
            },
            "wall": corporate_wall_entries() if page.show_wall else [],
            "campaign_id": _campaign_id(request),
        },
    )


def pledge_thanks(request, page):
    return page.render(
        request,
        template="goods/pledge_page_thanks.html",
        context_overrides={"resend_url": sub_url(request, page, "resend")},
    )
