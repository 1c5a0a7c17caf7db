"""Merging two supporter records moves the duplicate's mail news recipient rows to the survivor;
one row per mailing and person stays (the unique (mailing, supporter) constraint)."""

import pytest

from campaigns.newsletter.models import Mailing, MailingRecipient
from members.merge import supporter_merge
from tests.members.factories import SupporterFactory

from .factories import everyone, issue

pytestmark = pytest.mark.django_db
Status = MailingRecipient.Status


@pytest.fixture
def mailings(home_page):
    segment = everyone()
    return [
        Mailing.objects.create(page=issue(home_page), segment=segment, recipients_total=2)
        for _ in range(3)
    ]


def row(mailing, supporter, status=Status.SENT, delivery=""):
    return MailingRecipient.objects.create(
        mailing=mailing,
        supporter=supporter,
        email=supporter.email,
        status=status,
        delivery=delivery,
    )


def test_the_duplicates_rows_move_and_a_shared_mailing_keeps_the_survivors_row(mailings):
    survivor = SupporterFactory(email="hanako@example.jp")
    duplicate = SupporterFactory(email="old-hanako@example.jp")
    only_duplicate, shared, only_survivor = mailings
    moved = row(only_duplicate, duplicate, delivery=MailingRecipient.Delivery.DELIVERED)
    kept = row(shared, survivor)
    gone = row(shared, duplicate)
    untouched = row(only_survivor, survivor)

    result = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)

    assert result.counts()["newsletter.mailingrecipient"] == 1
    moved.refresh_from_db()
    # The row keeps what it recorded: the address it went to and its delivery.
    assert (moved.supporter, moved.email, moved.delivery) == (
        survivor,
        "old-hanako@example.jp",
        "delivered",
    )
    assert not MailingRecipient.objects.filter(pk=gone.pk).exists()
    assert set(MailingRecipient.objects.filter(mailing=shared)) == {kept}
    assert set(MailingRecipient.objects.filter(mailing=only_survivor)) == {untouched}
    assert not MailingRecipient.objects.filter(supporter=duplicate).exists()
    # The shared mailing now counts the person once.
    totals = dict(Mailing.objects.values_list("pk", "recipients_total"))
    assert (totals[only_duplicate.pk], totals[shared.pk], totals[only_survivor.pk]) == (2, 1, 2)


def test_a_mail_already_sent_to_the_duplicate_is_not_sent_again_to_the_survivor(mailings):
    """Mid-mailing: the duplicate's copy went out, the survivor's still waits. The waiting
    row goes; the person gets the issue once."""
    survivor = SupporterFactory()
    duplicate = SupporterFactory()
    sent = row(mailings[0], duplicate, status=Status.SENT)
    waiting = row(mailings[0], survivor, status=Status.PENDING)

    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)

    assert not MailingRecipient.objects.filter(pk=waiting.pk).exists()
    sent.refresh_from_db()
    assert (sent.supporter, sent.status) == (survivor, Status.SENT)


def test_both_waiting_keeps_the_survivors_row(mailings):
    survivor = SupporterFactory()
    duplicate = SupporterFactory()
    waiting = row(mailings[0], survivor, status=Status.PENDING)
    row(mailings[0], duplicate, status=Status.PENDING)

    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)

    assert list(MailingRecipient.objects.all()) == [waiting]
