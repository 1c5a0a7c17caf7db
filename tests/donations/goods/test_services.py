"""In-kind pledges: the state machine, deliveries, totals (units never mixed), recurring
expected deliveries, bad input and thank-you e-mails (donations/goods/)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from campaigns.goods_effects import delivery_thanks_queue
from campaigns.models import ThankYouLog, ThankYouTemplate
from donations.goods import rules, selectors, services, thanks
from donations.goods.models import Delivery, ExpectedDelivery, Pledge
from donations.goods.rules import GoodsLine
from donations.goods.selectors import GoodsTotal
from donations.goods.vocabulary import GoodsCategory, GoodsUnit
from members.models import ConsentRecord
from members.services import consent_record
from ouendan.core.models import OutgoingEmail
from tests.donations.goods.factories import CompanyFactory, WishlistItemFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
State = Pledge.State


def rice(quantity="50", **kwargs) -> GoodsLine:
    return GoodsLine(
        category=kwargs.pop("category", GoodsCategory.FOOD),
        description=kwargs.pop("description", "お米 5kg袋"),
        quantity=Decimal(quantity),
        unit=kwargs.pop("unit", GoodsUnit.KG),
        estimated_value_yen=kwargs.pop("estimated_value_yen", 20000),
        best_before=kwargs.pop("best_before", TODAY + datetime.timedelta(days=200)),
        **kwargs,
    )


def notebooks(quantity="300", **kwargs) -> GoodsLine:
    return GoodsLine(
        category=GoodsCategory.STATIONERY,
        description="ノート",
        quantity=Decimal(quantity),
        unit=GoodsUnit.ITEMS,
        estimated_value_yen=kwargs.pop("estimated_value_yen", 30000),
        **kwargs,
    )


def offer(*lines, supporter=None, **kwargs) -> Pledge:
    return services.pledge_offer(
        supporter=supporter or CompanyFactory(),
        lines=list(lines) or [rice(), notebooks()],
        today=TODAY,
        **kwargs,
    )


def deliver(pledge, *lines, on=TODAY, **kwargs):
    return services.delivery_record(
        pledge=pledge,
        received_on=on,
        received_by="倉庫 田中",
        lines=list(lines),
        today=kwargs.pop("today", on),
        **kwargs,
    )


def received_line(pledge, index, quantity, **kwargs) -> GoodsLine:
    line = pledge.lines.order_by("sort_order")[index]
    return GoodsLine(
        category=line.category,
        description=line.description,
        quantity=Decimal(quantity),
        unit=kwargs.pop("unit", line.unit),
        estimated_value_yen=kwargs.pop("estimated_value_yen", 0),
        best_before=kwargs.pop("best_before", None),
        pledge_line_id=line.pk,
    )


def messages_in(error, language: str) -> str:
    """A ValidationError's messages as shown to someone reading `language`."""
    with translation.override(language):
        return " ".join(error.value.messages)


def inkind_emails():
    return OutgoingEmail.objects.filter(
        Q(key__startswith="inkind:") | Q(key__startswith="thanks:inkind_delivery:")
    )


# --- State machine -----------------------------------------------------------------------------


def test_offer_accept_deliver_in_part_then_in_full():
    pledge = offer()
    assert pledge.state == State.OFFERED and pledge.lines.count() == 2

    services.pledge_accept(pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.state == State.ACCEPTED and pledge.accepted_at is not None

    deliver(pledge, received_line(pledge, 0, "50"))
    pledge.refresh_from_db()
    assert pledge.state == State.PARTLY_DELIVERED
    assert selectors.pledge_fulfilment(pledge=pledge) == Decimal("50.0")  # rice done, notebooks not

    deliver(pledge, received_line(pledge, 1, "300"))
    pledge.refresh_from_db()
    assert pledge.state == State.FULFILLED
    assert selectors.pledge_fulfilment(pledge=pledge) == Decimal("100.0")


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.ACCEPTED, "accept"),
        (State.FULFILLED, "accept"),
        (State.DECLINED, "schedule"),
        (State.ACCEPTED, "decline"),
        (State.FULFILLED, "cancel"),
        (State.DECLINED, "cancel"),
        (State.OFFERED, "deliver"),
        (State.CANCELLED, "deliver"),
    ],
)
def test_transitions_that_are_not_allowed_are_refused_with_a_message(state, action):
    pledge = offer()
    Pledge.objects.filter(pk=pledge.pk).update(state=state)
    calls = {
        "accept": lambda: services.pledge_accept(pledge=pledge),
        "schedule": lambda: services.pledge_schedule(
            pledge=pledge, first_delivery_on=TODAY, today=TODAY
        ),
        "decline": lambda: services.pledge_decline(pledge=pledge, reason="保管場所がない"),
        "cancel": lambda: services.pledge_cancel(pledge=pledge, reason="取り下げ"),
        "deliver": lambda: deliver(pledge, received_line(pledge, 0, "1")),
    }
    with pytest.raises(ValidationError) as error:
        calls[action]()
    assert error.value.code == "state"
    label = Pledge.State(state).label
    with translation.override("en"):
        assert error.value.messages[0].startswith(f"This pledge is {label}, so ")
    with translation.override("ja"):
        assert error.value.messages[0].startswith(f"この提供申込は「{label}」")
    pledge.refresh_from_db()
    assert pledge.state == state  # nothing changed
    assert not Delivery.objects.exists()


def test_decline_and_cancel_need_a_reason_and_keep_it():
    pledge = offer()
    with pytest.raises(ValidationError) as error:
        services.pledge_decline(pledge=pledge, reason="  ")
    assert "reason" in error.value.error_dict
    services.pledge_decline(pledge=pledge, reason="冷凍庫に空きがありません")
    pledge.refresh_from_db()
    assert (pledge.state, pledge.reason) == (State.DECLINED, "冷凍庫に空きがありません")


def test_cancel_keeps_what_arrived_and_cancels_expected_deliveries():
    pledge = offer(
        rice("10"),
        recurrence=Pledge.Recurrence.MONTHLY,
        first_delivery_on=TODAY,
        recurrence_until=TODAY + datetime.timedelta(days=150),
    )
    services.pledge_accept(pledge=pledge)
    services.pledge_schedule(pledge=pledge, first_delivery_on=TODAY, today=TODAY)
    deliver(pledge, received_line(pledge, 0, "10"))
    services.pledge_cancel(pledge=pledge, reason="事業縮小のため")
    statuses = list(pledge.expected_deliveries.values_list("status", flat=True))
    assert statuses[0] == ExpectedDelivery.Status.DELIVERED
    assert set(statuses[1:]) == {ExpectedDelivery.Status.CANCELLED}
    assert selectors.goods_received_totals()[0].quantity == Decimal("10")


def test_a_recurring_pledge_without_a_first_date_is_not_fulfilled_by_its_first_delivery():
    pledge = offer(  # no first date given yet
        rice("10"),
        recurrence=Pledge.Recurrence.MONTHLY,
        recurrence_until=TODAY + datetime.timedelta(days=150),
    )
    services.pledge_accept(pledge=pledge)
    deliver(pledge, received_line(pledge, 0, "10"))
    pledge.refresh_from_db()
    assert pledge.state == State.PARTLY_DELIVERED
    # Once staff schedule it, its deliveries are counted against the whole schedule.
    services.pledge_schedule(pledge=pledge, first_delivery_on=TODAY, today=TODAY)
    pledge.refresh_from_db()
    assert (pledge.state, pledge.first_delivery_on) == (State.PARTLY_DELIVERED, TODAY)
    assert pledge.expected_deliveries.exists()


def test_due_dates_before_the_latest_delivery_are_not_listed_as_overdue():
    # A monthly pledge recorded late: deliveries arrived, then staff scheduled it back-dated.
    start = TODAY - datetime.timedelta(days=200)
    pledge = services.pledge_offer(
        supporter=CompanyFactory(),
        lines=[rice("10")],
        recurrence=Pledge.Recurrence.MONTHLY,
        first_delivery_on=start,
        recurrence_until=TODAY + datetime.timedelta(days=60),
        today=start,
    )
    services.pledge_accept(pledge=pledge)
    deliver(pledge, received_line(pledge, 0, "10"), on=TODAY - datetime.timedelta(days=3))
    pledge.state = State.PARTLY_DELIVERED
    pledge.save(update_fields=["state"])
    services.expected_deliveries_generate(pledge=pledge, today=TODAY)
    due = list(pledge.expected_deliveries.order_by("due_on").values_list("due_on", flat=True))
    assert due and min(due) > TODAY - datetime.timedelta(days=3)
    assert not selectors.deliveries_overdue(today=TODAY).filter(pledge=pledge).exists()


# --- Deliveries: more than pledged, units ---------------------------------------------------------


def test_delivery_larger_than_pledged_is_kept_and_flagged():
    pledge = offer(rice("50"))
    services.pledge_accept(pledge=pledge)
    with translation.override("en"):
        result = deliver(pledge, received_line(pledge, 0, "65"))
    assert result.over_pledged and result.delivery.over_pledged
    assert result.delivery.lines.get().over_pledged
    assert "65 of 50 kg" in result.warnings[0]
    pledge.refresh_from_db()
    assert pledge.state == State.FULFILLED
    assert selectors.pledge_fulfilment(pledge=pledge) == Decimal("100.0")  # capped
    assert selectors.goods_received_totals()[0].quantity == Decimal("65")  # nothing lost


def test_delivery_in_another_unit_than_pledged_is_refused():
    pledge = offer(rice("50"))
    services.pledge_accept(pledge=pledge)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        deliver(pledge, received_line(pledge, 0, "10", unit=GoodsUnit.BOXES))
    assert "pledged in kg" in error.value.messages[0]
    assert not Delivery.objects.exists()


def test_expired_food_on_arrival_and_future_dates_are_refused():
    pledge = offer(rice("50"))
    services.pledge_accept(pledge=pledge)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        deliver(pledge, received_line(pledge, 0, "5", best_before=TODAY - datetime.timedelta(1)))
    assert "had passed when the goods arrived" in messages_in(error, "en")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        deliver(
            pledge, received_line(pledge, 0, "5"), on=TODAY + datetime.timedelta(1), today=TODAY
        )
    assert "future" in messages_in(error, "en")
    assert not Delivery.objects.exists()


# --- Bad input on offers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "field", "text"),
    [
        (rice("-3"), "quantity", "above zero"),
        (rice("0"), "quantity", "above zero"),
        (rice("250000"), "quantity", "looks too large"),
        (notebooks("2.5"), "quantity", "whole numbers"),
        (rice("1.255"), "quantity", "two decimal places"),
        (rice(estimated_value_yen=-1), "estimated_value_yen", "zero or more"),
        (rice(estimated_value_yen=500_000_000), "estimated_value_yen", "too large"),
        (rice(best_before=TODAY - datetime.timedelta(days=1)), "best_before", "already passed"),
        (rice(description=" "), "description", "Say what the goods are"),
    ],
)
def test_bad_goods_lines_get_clear_messages_and_store_nothing(line, field, text):
    with translation.override("en"):
        errors = rules.goods_line_errors(line=line, wishlist={}, today=TODAY)
        assert field in errors
        message = errors[field][0]
        assert text in (message.message % message.params if message.params else message.message)
        with pytest.raises(ValidationError):
            offer(line)
    assert not Pledge.objects.exists()


def test_unit_must_match_the_wishlist_item():
    item = WishlistItemFactory(name="お米", unit=GoodsUnit.KG)
    line = rice("3", unit=GoodsUnit.BOXES, wishlist_item_id=item.pk)
    with translation.override("en"):
        errors = rules.goods_line_errors(line=line, wishlist={item.pk: item}, today=TODAY)
        message = errors["unit"][0]
        assert message.message % message.params == (
            "“お米” on the wishlist is counted in kg: enter the quantity in kg."
        )
    with translation.override("ja"):
        assert str(message.message % message.params) == (
            "募集物品リストの「お米」はkg単位で数えています。数量はkg単位で入力してください。"
        )


def test_best_before_shorter_than_the_wishlist_window_is_refused():
    item = WishlistItemFactory(name="牛乳", unit=GoodsUnit.LITRES, min_best_before_days=14)
    line = GoodsLine(
        category=GoodsCategory.FOOD,
        description="牛乳",
        quantity=Decimal("20"),
        unit=GoodsUnit.LITRES,
        best_before=TODAY + datetime.timedelta(days=5),
        wishlist_item_id=item.pk,
    )
    with translation.override("en"):
        errors = rules.goods_line_errors(line=line, wishlist={item.pk: item}, today=TODAY)
        message = errors["best_before"][0]
        assert "at least 14 days" in message.message % message.params


def test_recurring_pledges_need_an_end_date_and_pick_ups_an_address():
    with translation.override("en"), pytest.raises(ValidationError) as error:
        offer(rice(), recurrence=Pledge.Recurrence.MONTHLY, delivery_method="pick_up")
    assert set(error.value.error_dict) == {"recurrence_until", "pickup_address", "pickup_window"}
    with pytest.raises(ValidationError) as error:
        offer(
            rice(),
            recurrence=Pledge.Recurrence.QUARTERLY,
            first_delivery_on=TODAY,
            recurrence_until=TODAY + datetime.timedelta(days=5 * 365),
        )
    assert "recurrence_until" in error.value.error_dict
    assert not Pledge.objects.exists()


# --- Recurring pledges: expected deliveries ------------------------------------------------------


def test_recurring_pledge_generates_expected_deliveries_idempotently():
    pledge = offer(
        rice("20"),
        recurrence=Pledge.Recurrence.MONTHLY,
        first_delivery_on=datetime.date(2026, 6, 30),
        recurrence_until=datetime.date(2027, 5, 31),
    )
    services.pledge_accept(pledge=pledge)
    services.pledge_schedule(
        pledge=pledge, first_delivery_on=datetime.date(2026, 6, 30), today=TODAY
    )
    due = list(pledge.expected_deliveries.values_list("due_on", flat=True))
    # Within ~100 days of 1 June: 30 June, 30 July, 30 August (end of month kept).
    assert due == [
        datetime.date(2026, 6, 30),
        datetime.date(2026, 7, 30),
        datetime.date(2026, 8, 30),
    ]

    assert services.expected_deliveries_generate_all(today=TODAY) == 0  # nothing new: idempotent
    assert pledge.expected_deliveries.count() == 3
    later = datetime.date(2026, 9, 15)
    assert (
        services.expected_deliveries_generate_all(today=later) == 3
    )  # 30 Sep, Oct, Nov (≤ 24 Dec)
    assert services.expected_deliveries_generate_all(today=later) == 0
    # Twelve monthly deliveries are pledged: 20 kg each is 240 kg in all.
    assert rules.pledge_delivery_count(pledge) == 12


def test_overdue_deliveries_are_listed_until_something_arrives():
    pledge = offer(rice("20"), first_delivery_on=TODAY)
    services.pledge_accept(pledge=pledge)
    services.pledge_schedule(pledge=pledge, first_delivery_on=TODAY, today=TODAY)
    assert list(selectors.deliveries_overdue(today=TODAY)) == []
    overdue = list(selectors.deliveries_overdue(today=TODAY + datetime.timedelta(days=3)))
    assert [item.pledge_id for item in overdue] == [pledge.pk]
    deliver(pledge, received_line(pledge, 0, "20"), on=TODAY + datetime.timedelta(days=2))
    assert list(selectors.deliveries_overdue(today=TODAY + datetime.timedelta(days=3))) == []


# --- Totals: never mixing units ------------------------------------------------------------------


def test_totals_group_by_category_and_unit_and_never_add_kg_to_items():
    food_kg = offer(rice("100"), GoodsLine("food", "缶詰", Decimal("40"), "items", 8000))
    services.pledge_accept(pledge=food_kg)
    deliver(food_kg, received_line(food_kg, 0, "100"), received_line(food_kg, 1, "40"))
    other = offer(rice("20.5"), notebooks("300"))
    services.pledge_accept(pledge=other)
    deliver(
        other,
        received_line(other, 0, "20.5", estimated_value_yen=8000),
        received_line(other, 1, "300", estimated_value_yen=30000),
        on=TODAY - datetime.timedelta(days=400),
        today=TODAY,
    )
    totals = selectors.goods_received_totals()
    assert totals == [
        GoodsTotal("food", "kg", Decimal("120.50"), 8000),
        GoodsTotal("food", "items", Decimal("40.00"), 0),
        GoodsTotal("stationery", "items", Decimal("300.00"), 30000),
    ]
    # The period is inclusive and filters by the date received.
    recent = selectors.goods_received_totals(start=TODAY, end=TODAY)
    assert [(t.category, t.unit, t.quantity) for t in recent] == [
        ("food", "kg", Decimal("100.00")),
        ("food", "items", Decimal("40.00")),
    ]
    assert selectors.goods_received_totals(end=TODAY - datetime.timedelta(days=1))[0].quantity == (
        Decimal("20.50")
    )


def test_totals_by_campaign_and_in_constant_queries(home_page):
    campaign = home_page
    for n in range(5):
        pledge = offer(rice("10"), notebooks("5"), campaign_id=campaign.pk if n % 2 == 0 else None)
        services.pledge_accept(pledge=pledge)
        deliver(pledge, received_line(pledge, 0, "10"), received_line(pledge, 1, "5"))
    with CaptureQueriesContext(connection) as queries:
        totals = selectors.goods_received_totals(campaign_id=campaign.pk)
    assert len(queries) == 1
    assert [(t.unit, t.quantity) for t in totals] == [
        ("kg", Decimal("30")),
        ("items", Decimal("15")),
    ]


def test_wishlist_received_counts_only_the_items_unit():
    item = WishlistItemFactory(unit=GoodsUnit.KG, quantity_needed=Decimal("80"))
    other = WishlistItemFactory(unit=GoodsUnit.ITEMS, category="stationery")
    pledge = offer(rice("50", wishlist_item_id=item.pk))
    services.pledge_accept(pledge=pledge)
    deliver(pledge, received_line(pledge, 0, "40"))
    deliver(pledge, received_line(pledge, 0, "20"), on=TODAY - datetime.timedelta(days=30))
    with CaptureQueriesContext(connection) as queries:
        received = selectors.wishlist_received(item_ids=[item.pk, other.pk])
    assert len(queries) == 1
    assert received == {item.pk: Decimal("60"), other.pk: Decimal("0")}
    assert selectors.wishlist_received(item_ids=[item.pk], start=TODAY)[item.pk] == Decimal("40")
    assert selectors.wishlist_fulfilment(item_ids=[item.pk]) == {item.pk: Decimal("75.0")}


def test_pledge_fulfilment_for_many_pledges_in_two_queries():
    pledges = []
    for _n in range(6):
        pledge = offer(rice("10"), notebooks("10"))
        services.pledge_accept(pledge=pledge)
        deliver(pledge, received_line(pledge, 0, "5"))
        pledges.append(pledge.pk)
    with CaptureQueriesContext(connection) as queries:
        percent = selectors.pledges_fulfilment(pledge_ids=pledges)
    assert len(queries) == 2
    assert set(percent.values()) == {Decimal("25.0")}  # (50 % + 0 %) / 2


# --- Thanks --------------------------------------------------------------------------------------


def test_thanks_once_on_acceptance_and_once_per_delivery():
    pledge = offer(rice("10"), notebooks("10"))
    services.pledge_accept(pledge=pledge)
    assert inkind_emails().filter(key=f"inkind:accepted:{pledge.pk}").count() == 1
    # Running the mail step again (a task retried) sends nothing new.
    thanks.pledge_accepted_thanks_queue(pledge=pledge)
    assert inkind_emails().count() == 1

    first = deliver(pledge, received_line(pledge, 0, "10")).delivery
    second = deliver(pledge, received_line(pledge, 1, "10")).delivery
    delivery_thanks_queue(delivery=first)
    keys = sorted(inkind_emails().values_list("key", flat=True))
    assert keys == sorted(
        [
            f"inkind:accepted:{pledge.pk}",
            f"thanks:inkind_delivery:delivery:{first.pk}",
            f"thanks:inkind_delivery:delivery:{second.pk}",
        ]
    )
    email = inkind_emails().get(key=f"thanks:inkind_delivery:delivery:{first.pk}")
    assert email.to == pledge.supporter.email
    assert "お米 5kg袋: 10" in email.body
    assert ThankYouLog.objects.filter(kind="inkind_delivery").count() == 2


def test_delivery_thanks_use_the_staff_template_with_the_goods_listed():
    ThankYouTemplate.objects.update_or_create(
        kind="inkind_delivery",
        language="ja",
        defaults={"subject": "{name}様 物品ありがとうございました", "body": "{date}受領\n{items}"},
    )
    pledge = offer(rice("10"))
    services.pledge_accept(pledge=pledge)
    delivery = deliver(pledge, received_line(pledge, 0, "4")).delivery
    email = inkind_emails().get(key=f"thanks:inkind_delivery:delivery:{delivery.pk}")
    assert email.subject == f"{pledge.supporter.display_name}様 物品ありがとうございました"
    day = delivery.received_on
    assert email.body.splitlines() == [
        f"{day.year}年{day.month}月{day.day}日受領",
        "- お米 5kg袋: 4 kg",
    ]


# --- The corporate supporters wall ---------------------------------------------------------------


def test_wall_shows_only_companies_whose_current_consent_is_granted():
    shown, withdrawn, never = CompanyFactory(), CompanyFactory(), CompanyFactory()
    for company in (shown, withdrawn, never):
        services.corporate_wall_add(supporter=company)
    consent_record(
        supporter=shown, kind=ConsentRecord.Kind.SUPPORTERS_WALL, granted=True, source="staff"
    )
    consent_record(
        supporter=withdrawn, kind=ConsentRecord.Kind.SUPPORTERS_WALL, granted=True, source="staff"
    )
    consent_record(
        supporter=withdrawn, kind=ConsentRecord.Kind.SUPPORTERS_WALL, granted=False, source="portal"
    )
    with CaptureQueriesContext(connection) as queries:
        entries = selectors.corporate_wall_entries()
    assert len(queries) == 1
    assert [entry.supporter for entry in entries] == [shown]


def test_recurring_due_dates_keep_the_day_at_month_ends():
    """Each date counts from the first: Jan 31 gives Feb 28 (29 in a leap year), then Mar 31."""
    d = datetime.date
    monthly = rules.pledge_due_dates(
        recurrence="monthly", first=d(2027, 1, 31), until=d(2027, 5, 31)
    )
    assert monthly == [
        d(2027, 1, 31),
        d(2027, 2, 28),
        d(2027, 3, 31),
        d(2027, 4, 30),
        d(2027, 5, 31),
    ]
    leap = rules.pledge_due_dates(recurrence="monthly", first=d(2028, 1, 31), until=d(2028, 3, 1))
    assert leap == [d(2028, 1, 31), d(2028, 2, 29)]
    quarterly = rules.pledge_due_dates(
        recurrence="quarterly", first=d(2026, 11, 30), until=d(2027, 12, 31)
    )
    assert quarterly == [
        d(2026, 11, 30),
        d(2027, 2, 28),
        d(2027, 5, 30),
        d(2027, 8, 30),
        d(2027, 11, 30),
    ]
    assert rules.pledge_due_dates(recurrence="once", first=d(2027, 1, 31), until=None) == [
        d(2027, 1, 31)
    ]
