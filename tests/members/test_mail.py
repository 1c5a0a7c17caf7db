"""Mail to supporters (members/mail.py): one rule for who may be mailed, their language, the
outbox (key once, category, single-use links hidden from staff), and every caller honouring it:
someone who asked to be deleted, or was, gets no receipt, payment-failed, goods or thank-you mail.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import ThankYouBatchRecipient, ThankYouLog
from campaigns.thanks import donation_thank_send, thank_you_batch_create, thank_you_batch_run
from donations.goods import services as goods_services
from donations.goods import thanks as goods_thanks
from donations.goods.rules import GoodsLine
from donations.goods.vocabulary import GoodsCategory, GoodsUnit
from donations.receipts.services import receipt_issue_for_donation, receipt_notify
from members.mail import (
    MailPurpose,
    MailText,
    mail_template_render,
    supporter_email_queue,
    supporter_language,
    supporter_mailable,
)
from members.models import AccessToken, ConsentRecord, DeletionRequest, Supporter
from members.services import deletion_request_create
from ouendan.core.mail import LINK_HIDDEN
from ouendan.core.models import OutgoingEmail
from tests.campaigns.factories import campaign_gift
from tests.donations.goods.factories import CompanyFactory
from tests.donations.receipts.factories import donor, gift
from tests.members.factories import SupporterFactory
from tests.stripe_events import T0, WebhookPoster, invoice
from tests.stripe_events import subscription as stripe_subscription

pytestmark = pytest.mark.django_db

Status = Supporter.Status
TRANSACTIONAL = MailPurpose.TRANSACTIONAL


def newsletter(supporter, granted: bool, minutes_ago: int = 0):
    ConsentRecord.objects.create(
        supporter=supporter,
        kind=ConsentRecord.Kind.NEWSLETTER,
        granted=granted,
        source=ConsentRecord.Source.STAFF,
        recorded_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


# --- The rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, email, consent, expected",
    [
        # status, e-mail, newsletter consent in force -> (transactional, thanks, marketing)
        (Status.ACTIVE, "a@example.jp", True, (True, True, True)),
        (Status.ACTIVE, "a@example.jp", False, (True, True, False)),
        (Status.ACTIVE, "a@example.jp", None, (True, True, False)),
        (Status.PENDING, "a@example.jp", True, (True, True, False)),  # not confirmed: no ads
        (Status.PENDING, "a@example.jp", None, (True, True, False)),
        (Status.ACTIVE, "", True, (False, False, False)),
        (Status.PENDING, "", None, (False, False, False)),
        (Status.DELETION_REQUESTED, "a@example.jp", True, (False, False, False)),
        (Status.DELETION_REQUESTED, "a@example.jp", None, (False, False, False)),
        (Status.ANONYMISED, "a@example.jp", True, (False, False, False)),
        (Status.ANONYMISED, "", None, (False, False, False)),
    ],
)
def test_who_may_be_mailed_for_what(status, email, consent, expected):
    supporter = SupporterFactory(status=status, email=email)
    if consent is not None:
        newsletter(supporter, not consent, minutes_ago=10)  # the older record is not in force
        newsletter(supporter, consent)
    got = tuple(supporter_mailable(supporter, purpose=p) for p in MailPurpose.values)
    assert got == expected


def test_a_pending_deletion_request_stops_mail_even_if_the_status_was_set_back_by_hand():
    supporter = SupporterFactory()
    newsletter(supporter, True)
    DeletionRequest.objects.create(supporter=supporter)  # status left ACTIVE
    assert [supporter_mailable(supporter, purpose=p) for p in MailPurpose.values] == [False] * 3
    # A rejected request no longer counts.
    DeletionRequest.objects.update(status=DeletionRequest.Status.REJECTED)
    assert [supporter_mailable(supporter, purpose=p) for p in MailPurpose.values] == [True] * 3


def test_an_anonymised_date_alone_stops_mail():
    supporter = SupporterFactory(anonymised_at=timezone.now())
    assert not supporter_mailable(supporter, purpose=TRANSACTIONAL)


def test_an_unknown_purpose_is_refused():
    with pytest.raises(ValueError):
        supporter_mailable(SupporterFactory(), purpose="newsletter")


def test_language_is_the_preferred_one_when_the_site_has_it_else_japanese():
    assert supporter_language(SupporterFactory(preferred_language="en")) == "en"
    assert supporter_language(SupporterFactory(preferred_language="ja")) == "ja"
    assert supporter_language(SupporterFactory(preferred_language="fr")) == "ja"
    assert supporter_language(SupporterFactory(preferred_language="")) == "ja"


# --- Queueing ------------------------------------------------------------------------------------


def _queue(supporter, key="k:1", **kwargs):
    kwargs.setdefault("purpose", TRANSACTIONAL)
    kwargs.setdefault("category", OutgoingEmail.Category.GENERAL)
    kwargs.setdefault("template", "goods/email/accepted")
    kwargs.setdefault("context", {"supporter": supporter, "lines": []})
    return supporter_email_queue(supporter=supporter, key=key, **kwargs)


def test_the_same_key_twice_queues_once_and_renders_once():
    supporter = SupporterFactory()
    renders = []

    def render(language):
        renders.append(language)
        return MailText(subject="件名", body="本文")

    first = _queue(supporter, template=None, context=None, render=render)
    second = _queue(supporter, template=None, context=None, render=render)
    assert first.created and not second.created
    assert first.message == second.message
    assert OutgoingEmail.objects.filter(key="k:1").count() == 1
    assert renders == ["ja"]  # a single-use link in it would have been issued once


def test_nothing_is_queued_or_rendered_for_someone_who_may_not_be_mailed():
    supporter = SupporterFactory(status=Status.DELETION_REQUESTED)

    def render(language):
        raise AssertionError("rendered for someone who may not be mailed")

    assert _queue(supporter, template=None, context=None, render=render) is None
    assert not OutgoingEmail.objects.exists()


def test_each_supporter_is_written_to_in_their_own_language():
    japanese = SupporterFactory(preferred_language="ja")
    english = SupporterFactory(preferred_language="en")
    ja = _queue(japanese, key="k:ja").message
    en = _queue(english, key="k:en").message
    assert ja.subject == "物品のご提供のお申し出ありがとうございます"
    assert en.subject == "Thank you for your offer of goods"
    assert "Thank you for offering goods" in en.body and "Thank you" not in ja.body


def test_a_single_use_link_is_sent_but_hidden_from_staff():
    supporter = SupporterFactory()
    link = "https://example.jp/card/SECRET-TOKEN/"

    def render(language):
        return MailText(subject="s", body=f"こちら: {link}\n", secrets=(link, "SECRET-TOKEN"))

    message = _queue(supporter, template=None, context=None, render=render).message
    assert link not in message.body and LINK_HIDDEN in message.body
    assert link in message.secret_body
    # Without a secret nothing is held back.
    plain = _queue(supporter, key="k:2").message
    assert plain.secret_body == ""


def test_category_and_purpose_are_required_and_template_or_render_not_both():
    supporter = SupporterFactory()
    with pytest.raises(TypeError):
        supporter_email_queue(supporter=supporter, key="k", purpose=TRANSACTIONAL)  # no category
    with pytest.raises(TypeError):
        _queue(supporter, render=lambda language: MailText(subject="s", body="b"))
    with pytest.raises(TypeError):
        _queue(supporter, template=None)
    with pytest.raises(ValueError):
        _queue(supporter, category="secret")  # the outbox refuses unknown categories


def test_mail_template_render_strips_the_subject():
    text = mail_template_render(
        template="donations/email/payment_failed",
        context={"supporter": SupporterFactory(), "recurring": None, "update_url": "u"},
    )
    assert text.subject == text.subject.strip() and text.body


# --- The callers ---------------------------------------------------------------------------------


@pytest.fixture(params=["deletion_requested", "anonymised"])
def gone(request):
    """Builds a supporter who asked to be deleted, or was (e-mail address still on file)."""

    def make(**kwargs):
        supporter = kwargs.pop("factory", SupporterFactory)(**kwargs)
        if request.param == "deletion_requested":
            deletion_request_create(supporter=supporter, reason="退会します")
        else:
            supporter.status = Status.ANONYMISED
            supporter.anonymised_at = timezone.now()
            supporter.save()
        supporter.refresh_from_db()
        return supporter

    return make


def test_no_receipt_ready_mail_after_a_deletion_request_or_anonymisation(gone):
    supporter = gone(factory=donor)
    receipt, _created = receipt_issue_for_donation(donation=gift(supporter, 5000))
    assert receipt_notify(receipt=receipt) is False
    assert not OutgoingEmail.objects.exists()


def test_receipt_ready_mail_is_money_in_the_donors_language():
    japanese, english = donor(email="ja@example.jp"), donor(email="en@example.jp")
    english.preferred_language = "en"
    english.save()
    for supporter in (japanese, english):
        receipt, _created = receipt_issue_for_donation(donation=gift(supporter, 5000))
        assert receipt_notify(receipt=receipt) is True
        assert receipt_notify(receipt=receipt) is True  # again: still one mail
    mails = OutgoingEmail.objects.filter(key__startswith="receipt-ready:")
    assert mails.count() == 2
    assert set(mails.values_list("category", flat=True)) == {OutgoingEmail.Category.MONEY}
    assert mails.get(to="ja@example.jp").subject == "ご寄付の領収書をご用意しました"
    assert mails.get(to="en@example.jp").subject == "Your donation receipt is ready"


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    return WebhookPoster(client, django_capture_on_commit_callbacks).send


def _monthly_gift_fails(deliver, supporter):
    metadata = {"supporter_id": str(supporter.pk)}
    deliver("customer.subscription.created", stripe_subscription(metadata=metadata), at=T0)
    deliver("invoice.payment_failed", invoice(paid=False, attempt_count=1), at=T0 + 1)


def test_no_payment_failed_mail_or_card_link_after_a_deletion_request_or_anonymisation(
    deliver, gone
):
    supporter = gone(email="tsuki@example.jp")
    _monthly_gift_fails(deliver, supporter)
    assert not OutgoingEmail.objects.filter(key__startswith="payment-failed:").exists()
    assert not AccessToken.objects.filter(purpose=AccessToken.Purpose.BILLING).exists()


@pytest.mark.parametrize(
    "language, subject", [("ja", "毎月のご寄付の決済ができませんでした"), ("en", None)]
)
def test_payment_failed_mail_is_money_in_the_donors_language_with_the_link_hidden(
    deliver, language, subject
):
    supporter = SupporterFactory(email="tsuki@example.jp", preferred_language=language)
    _monthly_gift_fails(deliver, supporter)
    message = OutgoingEmail.objects.get(key__startswith="payment-failed:")
    assert message.category == OutgoingEmail.Category.MONEY
    assert message.subject == (subject or "Your monthly gift could not be charged")
    assert LINK_HIDDEN in message.body and "/card/" not in message.body
    assert AccessToken.objects.filter(purpose=AccessToken.Purpose.BILLING).count() == 1


def _accepted_pledge(supporter):
    line = GoodsLine(
        category=GoodsCategory.STATIONERY,
        description="ノート",
        quantity=Decimal("10"),
        unit=GoodsUnit.ITEMS,
        estimated_value_yen=1000,
    )
    pledge = goods_services.pledge_offer(supporter=supporter, lines=[line])
    return goods_services.pledge_accept(pledge=pledge)


def test_no_goods_thanks_after_a_deletion_request_or_anonymisation(gone):
    pledge = _accepted_pledge(CompanyFactory())
    pledge.supporter = gone(factory=CompanyFactory)  # asked to be deleted since it was accepted
    pledge.save(update_fields=["supporter"])
    OutgoingEmail.objects.all().delete()
    assert goods_thanks.pledge_accepted_thanks_queue(pledge=pledge) is None
    assert not OutgoingEmail.objects.exists()


def test_goods_thanks_are_general_not_money():
    company = CompanyFactory(preferred_language="en")
    _accepted_pledge(company)
    message = OutgoingEmail.objects.get(key__startswith="inkind:accepted:")
    assert message.category == OutgoingEmail.Category.GENERAL
    assert message.subject == "Thank you for your offer of goods"


def test_no_campaign_thanks_after_a_deletion_request_or_anonymisation(campaign, gone):
    supporter = gone()
    donation = campaign_gift(supporter, campaign, 1000)
    log = donation_thank_send(donation_id=donation.pk)
    assert log.status == ThankYouLog.Status.NO_EMAIL and log.email is None
    assert not OutgoingEmail.objects.exists()


def test_no_bulk_thanks_for_someone_who_asked_to_be_deleted_after_the_batch_was_made(campaign):
    staying, leaving = SupporterFactory(), SupporterFactory()
    for supporter in (staying, leaving):
        campaign_gift(supporter, campaign, 1000)
    batch = thank_you_batch_create(  # its task is not run: on_commit is not captured
        recipients=Supporter.objects.filter(pk__in=[staying.pk, leaving.pk]),
        campaign=campaign,
        paid_from=None,
        paid_to=None,
        subject="ありがとうございました",
        body="{name} 様",
    )
    deletion_request_create(supporter=leaving)
    assert thank_you_batch_run(batch_id=batch.pk) == 2
    statuses = dict(batch.recipients.values_list("supporter_id", "status"))
    assert statuses == {
        staying.pk: ThankYouBatchRecipient.Status.QUEUED,
        leaving.pk: ThankYouBatchRecipient.Status.NO_EMAIL,
    }
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [staying.email]


def test_campaign_thanks_are_money_in_the_donors_language(campaign):
    japanese = SupporterFactory(preferred_language="ja")
    english = SupporterFactory(preferred_language="en", given_name="Hanako")
    for supporter in (japanese, english):
        donation_thank_send(donation_id=campaign_gift(supporter, campaign, 1000).pk)
    mails = OutgoingEmail.objects.filter(key__startswith="thanks:")
    assert set(mails.values_list("category", flat=True)) == {OutgoingEmail.Category.MONEY}
    assert mails.get(to=japanese.email).subject == "ご寄付ありがとうございます"
    assert mails.get(to=english.email).subject == "Thank you for your gift"
    assert mails.get(to=english.email).body.startswith("Dear 山田 Hanako,")
