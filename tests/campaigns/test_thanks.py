"""Thanking donors: editable templates, one thank-you per gift, goal reached once, bulk thanks
exactly once per recipient."""

import ast
import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from campaigns.gift_effects import campaign_goal_thanks_unfinished
from campaigns.models import (
    ThankYouBatch,
    ThankYouBatchRecipient,
    ThankYouKind,
    ThankYouLog,
    ThankYouTemplate,
    placeholders_validate,
)
from campaigns.selectors import campaign_progress
from campaigns.tasks import campaign_goal_thanks_sweep, donation_thank
from campaigns.thanks import (
    campaign_goal_check,
    donation_thank_send,
    thank_you_batch_create,
    thank_you_batch_recipients,
    thank_you_batch_run,
)
from donations.effects import (
    donation_effects_pending_ids,
    donation_effects_sweep,
    donation_effects_task,
)
from donations.models import Donation, RecurringDonation
from donations.services import StripeKeys, donation_refund
from members.groups import EDITORS, FINANCE
from members.models import Membership, Supporter
from ouendan.core.models import OutgoingEmail
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory, campaign_gift
from tests.members.factories import MembershipPlanFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(home_page):
    index = CampaignIndexPageFactory(parent=home_page)
    return CampaignPageFactory(parent=index, title="夏休みの食支援", goal_yen=10_000)


def thanks_for(supporter):
    return list(OutgoingEmail.objects.filter(supporter=supporter, key__startswith="thanks"))


# --- Templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message, japanese",
    [
        ("{name} 様 {price}", "Unknown placeholder: {price}", "不明な差し込み項目です: {price}"),
        ("{name.__class__}", "Unknown placeholder", "不明な差し込み項目です"),
        ("{amount:>10}", "Unknown placeholder: {amount}", "不明な差し込み項目です: {amount}"),
        ("{name", "is not closed", "が閉じていません"),
        ("}", "is not closed", "が閉じていません"),
    ],
)
def test_unknown_placeholders_are_refused_with_a_clear_message(text, message, japanese):
    with pytest.raises(ValidationError) as error:
        placeholders_validate(text)
    with translation.override("en"):
        english = " ".join(error.value.messages)
    with translation.override("ja"):
        assert japanese in " ".join(error.value.messages)
    assert message in english
    assert "{name} {amount} {campaign} {date} {organisation} {items}" in english or (
        "not closed" in message
    )


def test_valid_placeholders_and_doubled_braces_pass():
    placeholders_validate("{name} 様、{date}に{amount}円({campaign}) {{そのまま}} {organisation}")


def test_staff_edit_templates_in_the_admin_and_bad_placeholders_lose_nothing(client, admin_user):
    client.force_login(admin_user)
    template = ThankYouTemplate.objects.get(kind=ThankYouKind.ONE_OFF, language="ja")
    url = f"/admin/snippets/campaigns/thankyoutemplate/edit/{template.pk}/"
    bad = {"kind": "one_off", "language": "ja", "subject": "ありがとう", "body": "{nmae} 様"}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "不明な差し込み項目です: {nmae}" in response.content.decode()
    assert "{nmae} 様" in response.content.decode()  # what was typed is still in the form
    template.refresh_from_db()
    assert "{nmae}" not in template.body

    good = {**bad, "body": "{name} 様、{amount}円ありがとうございます。"}
    assert client.post(url, good).status_code == 302
    supporter = SupporterFactory(family_name="山田", given_name="花子")
    gift = campaign_gift(supporter, None, 3000)
    donation_thank_send(donation_id=gift.pk)
    assert thanks_for(supporter)[0].body == "山田 花子 様、3,000円ありがとうございます。"


# --- One thank-you per gift --------------------------------------------------------------------


def test_a_gift_is_thanked_once_even_if_the_task_runs_twice(campaign):
    supporter = SupporterFactory(family_name="山田", given_name="花子")
    gift = campaign_gift(supporter, campaign, 3000)

    donation_thank(gift.pk)
    donation_thank(gift.pk)
    donation_thank_send(donation_id=gift.pk)

    emails = thanks_for(supporter)
    assert len(emails) == 1
    assert emails[0].subject == "ご寄付ありがとうございます"
    assert "山田 花子 様" in emails[0].body and "3,000円" in emails[0].body
    assert ThankYouLog.objects.filter(object_key=f"donation:{gift.pk}").count() == 1


def test_recording_a_gift_queues_exactly_one_thank_you(
    campaign, django_capture_on_commit_callbacks
):
    supporter = SupporterFactory()
    with django_capture_on_commit_callbacks(execute=True):
        campaign_gift(supporter, campaign, 3000, stripe_keys=StripeKeys(checkout_session_id="cs_1"))
    with django_capture_on_commit_callbacks(execute=True):  # the same webhook delivered again
        campaign_gift(supporter, campaign, 3000, stripe_keys=StripeKeys(checkout_session_id="cs_1"))
    assert len(thanks_for(supporter)) == 1


def test_english_speakers_get_the_english_template_and_deleted_templates_fall_back():
    supporter = SupporterFactory(given_name="Hana", family_name="Yamada", preferred_language="en")
    ThankYouTemplate.objects.filter(kind=ThankYouKind.ONE_OFF).delete()
    gift = campaign_gift(supporter, None, 10_000, paid_at=timezone.now())
    donation_thank_send(donation_id=gift.pk)
    (email,) = thanks_for(supporter)
    assert email.subject == "Thank you for your gift"
    assert "¥10,000" in email.body and "Dear Yamada Hana" in email.body


def test_first_monthly_gift_is_thanked_and_later_payments_are_not():
    supporter = SupporterFactory()
    recurring = RecurringDonation.objects.create(
        supporter=supporter, amount_yen=1000, stripe_subscription_id="sub_1"
    )
    now = timezone.now()
    first = campaign_gift(
        supporter, None, 1000, kind=Donation.Kind.MONTHLY, paid_at=now - datetime.timedelta(days=25)
    )
    second = campaign_gift(supporter, None, 1000, kind=Donation.Kind.MONTHLY, paid_at=now)
    Donation.objects.filter(pk__in=[first.pk, second.pk]).update(recurring=recurring)

    donation_thank_send(donation_id=second.pk)
    donation_thank_send(donation_id=first.pk)

    (email,) = thanks_for(supporter)
    assert email.subject == "毎月のご寄付をはじめていただき、ありがとうございます"
    assert ThankYouLog.objects.get().object_key == f"donation:{first.pk}"


def test_membership_fee_is_thanked_as_joined_then_renewed():
    supporter = SupporterFactory()
    membership = Membership.objects.create(
        supporter=supporter, plan=MembershipPlanFactory(), amount_yen=3000
    )
    now = timezone.now()
    joined = campaign_gift(
        supporter,
        None,
        3000,
        kind=Donation.Kind.MEMBERSHIP,
        membership=membership,
        paid_at=now - datetime.timedelta(days=20),
    )
    renewed = campaign_gift(
        supporter, None, 3000, kind=Donation.Kind.MEMBERSHIP, membership=membership, paid_at=now
    )
    donation_thank_send(donation_id=joined.pk)
    donation_thank_send(donation_id=renewed.pk)
    kinds = list(ThankYouLog.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [ThankYouKind.MEMBERSHIP_JOINED, ThankYouKind.MEMBERSHIP_RENEWED]
    assert len(thanks_for(supporter)) == 2


def test_old_refunded_or_address_less_gifts_send_nothing():
    old = campaign_gift(
        SupporterFactory(), None, 3000, paid_at=timezone.now() - datetime.timedelta(days=90)
    )
    refunded = campaign_gift(SupporterFactory(), None, 3000)
    donation_refund(donation=refunded, refunded_total_yen=3000)
    postal = campaign_gift(SupporterFactory(email=""), None, 3000)
    for gift in (old, refunded, postal):
        donation_thank_send(donation_id=gift.pk)
    assert not OutgoingEmail.objects.exists()
    assert ThankYouLog.objects.get().status == ThankYouLog.Status.NO_EMAIL  # the postal donor


def test_goal_reached_thanks_every_donor_once(campaign, django_capture_on_commit_callbacks):
    donors = SupporterFactory.create_batch(3)
    campaign_gift(donors[0], campaign, 4000)
    campaign_gift(donors[1], campaign, 4000)
    assert not campaign_goal_check(campaign_id=campaign.pk)
    last = campaign_gift(donors[2], campaign, 2000)
    campaign_gift(donors[0], campaign, 1000)

    with django_capture_on_commit_callbacks(execute=True):  # huey runs inline in tests
        donation_thank_send(donation_id=last.pk)  # thanks for the gift, then the goal
    assert not campaign_goal_check(campaign_id=campaign.pk)  # already celebrated

    goal_mails = OutgoingEmail.objects.filter(key__startswith="thanks:campaign_goal_reached")
    assert sorted(goal_mails.values_list("to", flat=True)) == sorted(d.email for d in donors)
    assert "「夏休みの食支援」が目標を達成しました" in goal_mails.first().subject


# --- Bulk thanks -------------------------------------------------------------------------------


@pytest.fixture
def finance(django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


def test_bulk_thanks_go_once_to_each_donor_even_if_run_again(
    campaign, django_capture_on_commit_callbacks
):
    donors = SupporterFactory.create_batch(3)
    for donor in donors:
        campaign_gift(donor, campaign, 1000)
    campaign_gift(donors[0], campaign, 2000)  # gave twice: thanked once
    SupporterFactory()  # not a donor
    recipients = thank_you_batch_recipients(campaign=campaign)
    assert recipients.count() == 3

    with django_capture_on_commit_callbacks(execute=True):  # the task runs inline in tests
        batch = thank_you_batch_create(
            recipients=recipients,
            campaign=campaign,
            paid_from=None,
            paid_to=None,
            subject="「{campaign}」へのご支援ありがとうございました",
            body="{name} 様",
        )
    assert thank_you_batch_run(batch_id=batch.pk) == 0
    # A crashed run may leave a row pending after its e-mail was queued: still one e-mail.
    ThankYouBatchRecipient.objects.filter(supporter=donors[1]).update(
        status=ThankYouBatchRecipient.Status.PENDING
    )
    assert thank_you_batch_run(batch_id=batch.pk) == 1

    emails = OutgoingEmail.objects.filter(key__startswith=f"thanks-batch:{batch.pk}:")
    assert sorted(emails.values_list("to", flat=True)) == sorted(d.email for d in donors)
    assert emails.first().subject == "「夏休みの食支援」へのご支援ありがとうございました"
    assert set(emails.values_list("category", flat=True)) == {OutgoingEmail.Category.MONEY}
    batch.refresh_from_db()
    assert batch.status == ThankYouBatch.Status.DONE and batch.total == 3
    # A second batch for the same campaign leaves out everyone already thanked.
    assert thank_you_batch_recipients(campaign=campaign).count() == 0
    assert thank_you_batch_recipients(campaign=campaign, skip_already_thanked=False).count() == 3


def test_bulk_thanks_admin_preview_count_confirm_and_status(
    client, finance, campaign, django_capture_on_commit_callbacks
):
    donors = [
        SupporterFactory(family_name="山田", given_name="花子"),
        SupporterFactory(email=""),
        SupporterFactory(status=Supporter.Status.ANONYMISED),
    ]
    for donor in donors:
        campaign_gift(donor, campaign, 1000)
    client.force_login(finance)
    form = {
        "campaign": campaign.pk,
        "skip_already_thanked": "on",
        "subject": "「{campaign}」ありがとう",
        "body": "{name} 様、ありがとうございました。",
        "subject_en": "",
        "body_en": "",
    }
    assert client.get(f"/admin/campaign-thanks/new/?campaign={campaign.pk}").status_code == 200

    preview = client.post("/admin/campaign-thanks/new/", {**form, "action": "preview"})
    html = preview.content.decode()
    assert preview.context["preview"].count == 2  # the erased donor is left out
    assert "山田 花子 様、ありがとうございました。" in html
    assert "「夏休みの食支援」ありがとう" in html

    unconfirmed = client.post(
        "/admin/campaign-thanks/new/", {**form, "action": "send", "expected_count": "2"}
    )
    assert unconfirmed.status_code == 200 and not ThankYouBatch.objects.exists()

    bad = client.post(
        "/admin/campaign-thanks/new/",
        {**form, "body": "{nmae}", "action": "send", "confirm": "1", "expected_count": "2"},
    )
    assert "不明な差し込み項目です: {nmae}" in bad.content.decode()
    assert not ThankYouBatch.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/admin/campaign-thanks/new/",
            {**form, "action": "send", "confirm": "1", "expected_count": "2"},
        )
    batch = ThankYouBatch.objects.get()
    assert sent.status_code == 302 and sent["Location"].endswith(f"/campaign-thanks/{batch.pk}/")
    detail = client.get(sent["Location"]).content.decode()
    assert (
        'data-recipient-status="queued"' in detail and 'data-recipient-status="no_email"' in detail
    )
    progress = client.get(f"/admin/campaign-thanks/{batch.pk}/progress/").json()
    assert progress["finished"] and progress["percent"] == 100
    assert progress["counts"]["queued"] == 1 and progress["counts"]["no_email"] == 1
    assert OutgoingEmail.objects.filter(key__startswith="thanks-batch").count() == 1


def test_bulk_thanks_are_for_finance_only(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="pw")
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    refused = client.get("/admin/campaign-thanks/new/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert client.get("/admin/snippets/campaigns/thankyoutemplate/").status_code == 200


# --- Side effects of a gift are recoverable (donations/effects.py) -----------------------------


def age(gift, minutes=10):
    Donation.objects.filter(pk=gift.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_a_gift_whose_task_was_lost_is_thanked_by_the_sweeper_once(
    campaign, django_capture_on_commit_callbacks
):
    supporter = SupporterFactory()
    with django_capture_on_commit_callbacks(execute=False):  # the worker dies: task lost
        gift = campaign_gift(supporter, campaign, 3000)
    gift.refresh_from_db()
    assert gift.effects_done_at is None and thanks_for(supporter) == []
    assert donation_effects_pending_ids() == []  # a fresh gift still has its own task coming

    age(gift)
    assert donation_effects_pending_ids() == [gift.pk]
    with django_capture_on_commit_callbacks(execute=True):
        donation_effects_sweep.call_local()
        donation_effects_sweep.call_local()  # a second sweep, or the lost task after all
        donation_effects_task.call_local(gift.pk)
    gift.refresh_from_db()
    assert gift.effects_done_at is not None
    assert len(thanks_for(supporter)) == 1
    assert ThankYouLog.objects.filter(object_key=f"donation:{gift.pk}").count() == 1


def test_a_failing_side_effect_leaves_the_gift_for_the_sweeper(
    campaign, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("campaigns.gift_effects.donation_thank_send", broken)
    with django_capture_on_commit_callbacks(execute=True):  # huey logs the error, retries later
        gift = campaign_gift(SupporterFactory(), campaign, 3000)
    gift = Donation.objects.get()
    assert gift.effects_done_at is None  # not marked done: nothing is lost

    monkeypatch.undo()
    age(gift)
    with django_capture_on_commit_callbacks(execute=True):
        donation_effects_sweep.call_local()
    gift.refresh_from_db()
    assert gift.effects_done_at is not None and len(thanks_for(gift.supporter)) == 1


def test_recorded_gifts_refresh_campaign_progress_through_the_signal(
    campaign, django_capture_on_commit_callbacks
):
    assert campaign_progress(campaign=campaign).raised_yen == 0  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        gift = campaign_gift(SupporterFactory(), campaign, 3000)
    assert campaign_progress(campaign=campaign).raised_yen == 3000
    with django_capture_on_commit_callbacks(execute=True):
        donation_refund(donation=gift, refunded_total_yen=1000)
    assert campaign_progress(campaign=campaign).raised_yen == 2000


def test_donations_does_not_import_campaigns():
    """Upward events go through donations.signals; the ledger knows nothing of campaigns."""
    for module in ("donations/services.py", "donations/effects.py", "donations/signals.py"):
        tree = ast.parse((settings.BASE_DIR / module).read_text())
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not any(name and name.startswith("campaigns") for name in imported), module


def test_goal_thanks_whose_task_was_lost_are_sent_by_the_sweeper(
    campaign, monkeypatch, django_capture_on_commit_callbacks
):
    donors = SupporterFactory.create_batch(2)
    campaign_gift(donors[0], campaign, 6000)
    last = campaign_gift(donors[1], campaign, 4000)
    monkeypatch.setattr("campaigns.tasks.campaign_goal_thank_task", lambda campaign_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_goal_check(campaign_id=campaign.pk)  # claimed, but its task is lost
    monkeypatch.undo()
    goal = OutgoingEmail.objects.filter(key__startswith="thanks:campaign_goal_reached")
    assert not goal.exists()
    assert campaign_goal_thanks_unfinished() == []  # too recent: the task may still come

    ThankYouLog.objects.filter(kind=ThankYouKind.CAMPAIGN_GOAL_REACHED).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    Donation.objects.filter(pk=last.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaign_goal_thanks_sweep.call_local()
        campaign_goal_thanks_sweep.call_local()
    assert sorted(goal.values_list("to", flat=True)) == sorted(d.email for d in donors)
    assert campaign_goal_thanks_unfinished() == []
