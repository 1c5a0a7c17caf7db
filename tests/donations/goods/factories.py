"""Factories for in-kind goods (donations/goods/)."""

import datetime
from decimal import Decimal

import factory

from donations.goods.models import Pledge, PledgeLine, WishlistItem
from donations.goods.vocabulary import GoodsCategory, GoodsUnit
from members.models import Supporter
from tests.members.factories import SupporterFactory


class CompanyFactory(SupporterFactory):
    kind = Supporter.Kind.ORGANISATION
    family_name = ""
    given_name = ""
    family_name_kana = ""
    given_name_kana = ""
    organisation_name = factory.Sequence(lambda n: f"さくら食品株式会社{n}")
    organisation_name_kana = factory.Sequence(lambda n: "サクラショクヒン" + "ア" * (n % 5))
    contact_person = "佐藤 一郎"
    email = factory.Sequence(lambda n: f"company{n}@example.co.jp")


class WishlistItemFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"お米{n}")
    category = GoodsCategory.FOOD
    unit = GoodsUnit.KG
    quantity_needed = Decimal("100")

    class Meta:
        model = WishlistItem


class PledgeFactory(factory.django.DjangoModelFactory):
    supporter = factory.SubFactory(CompanyFactory)
    state = Pledge.State.OFFERED

    class Meta:
        model = Pledge


class PledgeLineFactory(factory.django.DjangoModelFactory):
    pledge = factory.SubFactory(PledgeFactory)
    category = GoodsCategory.FOOD
    description = "お米 5kg袋"
    quantity = Decimal("50")
    unit = GoodsUnit.KG
    estimated_value_yen = 20000
    best_before = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=180))

    class Meta:
        model = PledgeLine
