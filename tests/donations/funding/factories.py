"""Helpers for the funding report and impact tests: ledger rows through the ledger services,
goods received through the in-kind models, moments in Tokyo time."""

import datetime
from decimal import Decimal

from donations.funding.models import GrantIncome
from donations.goods.models import Delivery, DeliveryLine, Pledge
from donations.models import Donation
from donations.services import donation_record, donation_refund
from members.models import MembershipPlan, Supporter
from members.services import membership_start
from tests.members.factories import MembershipPlanFactory, SupporterFactory

JST = datetime.timezone(datetime.timedelta(hours=9))


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """A moment in Japan time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=JST)


def person(**kwargs) -> Supporter:
    return SupporterFactory(**kwargs)


def company(**kwargs) -> Supporter:
    return SupporterFactory(
        kind=Supporter.Kind.ORGANISATION,
        family_name="",
        given_name="",
        organisation_name=kwargs.pop("organisation_name", "さくら野フーズ株式会社"),
        **kwargs,
    )


def gift(
    supporter: Supporter,
    amount: int,
    paid_at: datetime.datetime,
    *,
    kind: str = Donation.Kind.ONE_OFF,
    method: str = Donation.Method.CARD,
    refunded: int = 0,
    membership=None,
) -> Donation:
    donation, _created = donation_record(
        supporter=supporter,
        kind=kind,
        method=method,
        amount_yen=amount,
        paid_at=paid_at,
        membership=membership,
    )
    if refunded:
        donation = donation_refund(donation=donation, refunded_total_yen=refunded)
    return donation


def monthly(supporter, amount, paid_at, **kwargs) -> Donation:
    return gift(supporter, amount, paid_at, kind=Donation.Kind.MONTHLY, **kwargs)


def membership_fee(
    supporter, paid_at, *, amount: int, period: str = MembershipPlan.Period.YEAR, units: int = 1
) -> Donation:
    plan = MembershipPlanFactory(period=period, amount_yen=amount // units, per_unit=units > 1)
    membership = membership_start(supporter=supporter, plan=plan, units=units)
    return gift(
        supporter,
        membership.amount_yen,
        paid_at,
        kind=Donation.Kind.MEMBERSHIP,
        method=Donation.Method.BANK_TRANSFER,
        membership=membership,
    )


def grant(
    amount: int, received_on: datetime.date, grantor: str = "休眠預金活用事業"
) -> GrantIncome:
    return GrantIncome.objects.create(received_on=received_on, amount_yen=amount, grantor=grantor)


def goods(
    received_on: datetime.date,
    *,
    category: str,
    unit: str,
    quantity: str,
    value: int = 0,
    supporter: Supporter | None = None,
) -> DeliveryLine:
    """Goods received (a delivery of one line)."""
    pledge = Pledge.objects.create(supporter=supporter or company())
    delivery = Delivery.objects.create(pledge=pledge, received_on=received_on, received_by="倉庫")
    return DeliveryLine.objects.create(
        delivery=delivery,
        category=category,
        description="寄付品",
        quantity=Decimal(quantity),
        unit=unit,
        estimated_value_yen=value,
    )
