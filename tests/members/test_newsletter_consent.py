"""`Supporter.newsletter_consent` is the newest newsletter record's answer on every path that
writes consent history (sign-up, portal, unsubscribe, merge, a back-dated record, the migration
that fills it), survives a stale full save, and the mail-news audience built on it is exactly
the people `supporter_mailable` lets a newsletter reach."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from campaigns.newsletter.selectors import news_audience
from members.mail import MailPurpose, supporter_mailable
from members.merge import supporter_merge
from members.models import ConsentRecord, DeletionRequest, Supporter
from members.services import consent_record, consents_update
from ouendan.core.models import SuppressedAddress
from ouendan.core.suppression import address_suppress
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db

NEWSLETTER = ConsentRecord.Kind.NEWSLETTER


def flag(supporter: Supporter) -> bool:
    return Supporter.objects.values_list("newsletter_consent", flat=True).get(pk=supporter.pk)


def newest_in_history(supporter: Supporter) -> bool:
    newest = (
        ConsentRecord.objects.filter(supporter=supporter, kind=NEWSLETTER)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    return bool(newest and newest.granted)


def grant(supporter, granted=True, source=ConsentRecord.Source.JOIN_FORM):
    consent_record(supporter=supporter, kind=NEWSLETTER, granted=granted, source=source)


def test_grant_withdraw_and_grant_again_move_the_flag():
    supporter = SupporterFactory()
    assert flag(supporter) is False
    grant(supporter)
    assert flag(supporter) is True
    grant(supporter, False, ConsentRecord.Source.UNSUBSCRIBE)
    assert flag(supporter) is False
    consents_update(
        supporter=supporter, granted={NEWSLETTER: True}, source=ConsentRecord.Source.PORTAL
    )
    assert flag(supporter) is True


def test_other_consent_kinds_leave_it_alone():
    supporter = SupporterFactory()
    grant(supporter)
    consent_record(
        supporter=supporter,
        kind=ConsentRecord.Kind.SUPPORTERS_WALL,
        granted=False,
        source=ConsentRecord.Source.PORTAL,
    )
    assert flag(supporter) is True


def test_a_back_dated_record_does_not_override_a_newer_one():
    supporter = SupporterFactory()
    grant(supporter)
    ConsentRecord(
        supporter=supporter,
        kind=NEWSLETTER,
        granted=False,
        source=ConsentRecord.Source.IMPORT,
        recorded_at=timezone.now() - datetime.timedelta(days=400),
    ).save()
    assert flag(supporter) is True == newest_in_history(supporter)


def test_a_stale_full_save_keeps_the_flag():
    supporter = SupporterFactory()
    loaded = Supporter.objects.get(pk=supporter.pk)  # loaded before the consent
    grant(supporter)
    loaded.given_name = "花子"
    loaded.save()
    assert flag(supporter) is True


@pytest.mark.parametrize("who_consented", ["duplicate", "survivor_withdrew_earlier"])
def test_a_merge_takes_the_newest_record_of_both(who_consented):
    survivor = SupporterFactory(email="")
    duplicate = SupporterFactory()
    if who_consented == "survivor_withdrew_earlier":
        grant(survivor, False, ConsentRecord.Source.PORTAL)
        ConsentRecord.objects.filter(supporter=survivor).update(
            recorded_at=timezone.now() - datetime.timedelta(days=3)
        )
    grant(duplicate)
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    assert flag(survivor) is True == newest_in_history(survivor)
    assert flag(duplicate) is False  # a stub has no records left


def test_the_migration_fills_it_from_the_history():
    granted, withdrawn, never = SupporterFactory(), SupporterFactory(), SupporterFactory()
    grant(granted)
    grant(withdrawn)
    grant(withdrawn, False, ConsentRecord.Source.UNSUBSCRIBE)
    Supporter.objects.update(newsletter_consent=False)
    Supporter.objects.filter(pk=never.pk).update(newsletter_consent=True)
    migration = importlib.import_module("members.migrations.0017_supporter_newsletter_consent")
    migration.fill_newsletter_consent(apps, None)
    assert (flag(granted), flag(withdrawn), flag(never)) == (True, False, False)


def test_the_audience_is_exactly_who_may_get_marketing_mail():
    people = []
    for n in range(12):
        supporter = SupporterFactory(
            status=Supporter.Status.PENDING if n == 3 else Supporter.Status.ACTIVE,
            email="" if n == 4 else f"person{n}@example.jp",
        )
        if n % 5 != 1:
            grant(supporter)
        if n == 6:
            grant(supporter, False, ConsentRecord.Source.UNSUBSCRIBE)
        people.append(supporter)
    DeletionRequest.objects.create(supporter=people[7])
    address_suppress(email="PERSON8@example.jp", reason=SuppressedAddress.Reason.BOUNCED)
    address_suppress(email=people[9].email, reason=SuppressedAddress.Reason.COMPLAINED)
    expected = {
        s.pk
        for s in Supporter.objects.filter(pk__in=[p.pk for p in people])
        if supporter_mailable(s, purpose=MailPurpose.MARKETING)
    }
    assert set(news_audience().values_list("pk", flat=True)) == expected
    assert len(expected) == 4  # 0, 2, 5 and 10: the rest are excluded for one reason each
