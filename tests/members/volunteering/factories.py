import datetime

import factory
from django.utils import timezone

from members.models import Area
from members.places.models import Place
from members.volunteering.models import Role, Shift, Training


class AreaFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"第{n}小学校区")
    kind = Area.Kind.SCHOOL_DISTRICT

    class Meta:
        model = Area


class PlaceFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"こどもひろば{n}")
    slug = factory.Sequence(lambda n: f"place-{n}")
    kind = Place.Kind.KODOMO_SHOKUDO
    district = factory.SubFactory(AreaFactory)

    class Meta:
        model = Place


class RoleFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"調理{n}")

    class Meta:
        model = Role


class TrainingFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"食品衛生{n}")
    validity_months = 12

    class Meta:
        model = Training


def in_days(days: int, hour: int = 11) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


class ShiftFactory(factory.django.DjangoModelFactory):
    place = factory.SubFactory(PlaceFactory)
    role = factory.SubFactory(RoleFactory)
    starts_at = factory.LazyFunction(lambda: in_days(7))
    ends_at = factory.LazyAttribute(lambda shift: shift.starts_at + datetime.timedelta(hours=3))
    people_needed = 2
    signup_cutoff_hours = 24

    class Meta:
        model = Shift
