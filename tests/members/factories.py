import factory

from members.models import MembershipPlan, Supporter


class SupporterFactory(factory.django.DjangoModelFactory):
    kind = Supporter.Kind.PERSON
    status = Supporter.Status.ACTIVE
    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"花子{n}")
    family_name_kana = "ヤマダ"
    given_name_kana = factory.Sequence(lambda n: "ハナコ" + "ア" * (n % 5))
    email = factory.Sequence(lambda n: f"supporter{n}@example.jp")
    phone = factory.Sequence(lambda n: f"090-{1000 + n % 9000:04d}-{n % 10000:04d}")

    class Meta:
        model = Supporter


class MembershipPlanFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"個人会員{n}")
    period = MembershipPlan.Period.YEAR
    amount_yen = 3000

    class Meta:
        model = MembershipPlan
