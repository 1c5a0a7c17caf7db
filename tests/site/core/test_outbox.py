"""The e-mail outbox: queued once per key, sent at most once, swept up after a lost task."""

import datetime
import importlib
import re
import threading

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from ouendan.core.mail import (
    LINK_HIDDEN,
    MAX_ATTEMPTS,
    email_queue,
    email_redact,
    outgoing_email_resend,
    outgoing_email_send,
)
from ouendan.core.models import OutgoingEmail
from ouendan.core.selectors import outgoing_email_pending_ids
from ouendan.core.tasks import outgoing_email_deliver, outgoing_email_sweep


def queue(key="thanks:1", **overrides):
    fields = {"key": key, "to": "hana@example.jp", "subject": "ありがとう", "body": "本文"}
    return email_queue(**{**fields, **overrides})


@pytest.mark.django_db
def test_queued_mail_is_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message, created = queue()
    assert created and message.status == OutgoingEmail.Status.PENDING
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.sent_at
    assert [m.subject for m in mail.outbox] == ["ありがとう"]


@pytest.mark.django_db
def test_the_same_key_is_queued_and_sent_only_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created_first = queue()
        again, created_again = queue(subject="別の件名")
    assert created_first and not created_again and again.pk == first.pk
    assert OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sending_twice_sends_once():
    message = OutgoingEmail.objects.create(key="k", to="a@example.jp", subject="s", body="b")
    assert outgoing_email_send(email_id=message.pk) == OutgoingEmail.Status.SENT
    assert outgoing_email_send(email_id=message.pk) == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failures_are_recorded_retried_and_finally_given_up(monkeypatch):
    def refuse(self):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    message = OutgoingEmail.objects.create(key="k", to="a@example.jp", subject="s", body="b")

    with pytest.raises(RuntimeError):  # the task raises so huey retries it
        outgoing_email_deliver.call_local(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert "smtp down" in message.last_error

    for _ in range(MAX_ATTEMPTS - 1):
        outgoing_email_send(email_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutgoingEmail.Status.FAILED, MAX_ATTEMPTS)


@pytest.mark.django_db
def test_sweeper_resends_mail_whose_task_was_lost():
    stale = OutgoingEmail.objects.create(key="stale", to="a@example.jp", subject="s", body="b")
    fresh = OutgoingEmail.objects.create(key="fresh", to="b@example.jp", subject="s", body="b")
    OutgoingEmail.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert outgoing_email_pending_ids() == [stale.pk]

    outgoing_email_sweep.call_local()

    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    fresh.refresh_from_db()
    assert fresh.status == OutgoingEmail.Status.PENDING


def run_concurrently(target, count=10):
    barrier = threading.Barrier(count)
    errors = []

    def worker():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


# serialized_rollback: an earlier transactional test's flush also emptied content types.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_queue_and_send_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent inserts are checked on PostgreSQL")
    run_concurrently(lambda: email_queue(key="race", to="a@example.jp", subject="s", body="b"))
    assert OutgoingEmail.objects.filter(key="race").count() == 1

    message = OutgoingEmail.objects.create(
        key="send-race", to="b@example.jp", subject="s", body="b"
    )
    run_concurrently(lambda: outgoing_email_send(email_id=message.pk))
    assert len([m for m in mail.outbox if m.to == ["b@example.jp"]]) == 1
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 1


# --- At most once: the row is claimed (committed) before the send ------------------------------


class WorkerKilled(BaseException):
    """Stands for kill -9 during the SMTP conversation: nothing after it runs, no except clause
    catches it."""


@pytest.mark.django_db
def test_a_worker_killed_mid_send_leaves_the_mail_being_sent_and_never_resends_it(monkeypatch):
    message = OutgoingEmail.objects.create(key="k", to="a@example.jp", subject="s", body="b")
    OutgoingEmail.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    seen_during_send = []

    def killed(self):
        seen_during_send.append(OutgoingEmail.objects.get(pk=message.pk).status)
        raise WorkerKilled

    monkeypatch.setattr("django.core.mail.EmailMessage.send", killed)
    with pytest.raises(WorkerKilled):
        outgoing_email_send(email_id=message.pk)
    assert seen_during_send == [OutgoingEmail.Status.SENDING]  # marked before the send
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutgoingEmail.Status.SENDING, 1)

    monkeypatch.undo()  # the worker restarts: neither the sweeper nor a late task re-sends it
    assert outgoing_email_pending_ids() == []
    outgoing_email_sweep.call_local()
    assert outgoing_email_send(email_id=message.pk) == OutgoingEmail.Status.SENDING
    assert mail.outbox == []


@pytest.mark.django_db
def test_staff_can_queue_a_mail_left_being_sent_again_once(django_capture_on_commit_callbacks):
    message = OutgoingEmail.objects.create(
        key="k", to="a@example.jp", subject="s", body="b", status=OutgoingEmail.Status.SENDING
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert outgoing_email_resend(email_id=message.pk) is True
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1
    assert outgoing_email_resend(email_id=message.pk) is False  # only from "being sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_send_goes_back_to_pending_not_being_sent(monkeypatch):
    def refuse(self):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    message = OutgoingEmail.objects.create(key="k", to="a@example.jp", subject="s", body="b")
    assert outgoing_email_send(email_id=message.pk) == OutgoingEmail.Status.PENDING
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutgoingEmail.Status.PENDING, 1)


# --- Single-use links: sent, never stored readable ----------------------------------------------


@pytest.mark.django_db
def test_secret_body_is_what_is_sent_and_is_emptied_once_sent():
    message = OutgoingEmail.objects.create(
        key="login_link:1:x",
        to="a@example.jp",
        subject="s",
        body=f"open {LINK_HIDDEN}",
        secret_body="open https://example.jp/portal/login/SECRET/",
    )
    outgoing_email_send(email_id=message.pk)
    assert mail.outbox[0].body == "open https://example.jp/portal/login/SECRET/"
    message.refresh_from_db()
    assert (message.status, message.secret_body) == (OutgoingEmail.Status.SENT, "")
    assert "SECRET" not in message.body


@pytest.mark.django_db
def test_secret_body_is_emptied_when_the_mail_finally_fails(monkeypatch):
    monkeypatch.setattr(
        "django.core.mail.EmailMessage.send", lambda self: (_ for _ in ()).throw(OSError("down"))
    )
    message = OutgoingEmail.objects.create(
        key="k", to="a@example.jp", subject="s", body="b", secret_body="link", attempts=4
    )
    assert outgoing_email_send(email_id=message.pk) == OutgoingEmail.Status.FAILED
    message.refresh_from_db()
    assert message.secret_body == ""


@pytest.mark.django_db
def test_login_link_mail_is_stored_with_the_link_hidden(django_capture_on_commit_callbacks):
    from members.services import supporter_send_login_link
    from tests.members.factories import SupporterFactory

    SupporterFactory(email="hana@example.jp", status="active")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        supporter_send_login_link(
            email="hana@example.jp", login_url="https://example.jp/portal/login/{token}/"
        )
    message = OutgoingEmail.objects.get()
    assert LINK_HIDDEN in message.body and "/portal/login/" not in message.body
    link = re.search(r"https://example.jp/portal/login/[\w-]+/", message.secret_body).group(0)
    for callback in callbacks:
        callback()
    assert link in mail.outbox[0].body  # the supporter still gets a working link
    message.refresh_from_db()
    assert message.secret_body == "" and link not in message.body


@pytest.mark.django_db
def test_email_redact_hides_the_whole_link_and_its_token():
    text = "a https://x.jp/join/confirm/TOKEN/ b TOKEN c"
    redacted = email_redact(text=text, secrets=["TOKEN", "https://x.jp/join/confirm/TOKEN/", ""])
    assert redacted == f"a {LINK_HIDDEN} b {LINK_HIDDEN} c"


def test_unknown_category_is_refused():
    with pytest.raises(ValueError):
        email_queue(key="k", to="a@example.jp", subject="s", body="b", category="secret")


# --- Data migration home/0010: existing rows ---------------------------------------------------


def migration_0010():
    return importlib.import_module("home.migrations.0010_outbox_money_permission_redact_links")


class OutboxStillInHome:
    """The app registry as home/0010 saw it: the outbox was home's (it is core's since 0011)."""

    def get_model(self, app_label, model_name):
        if (app_label, model_name) == ("home", "OutgoingEmail"):
            app_label = "core"
        return django_apps.get_model(app_label, model_name)


@pytest.mark.django_db
def test_migration_redacts_links_of_existing_rows_and_keeps_unsent_ones_working():
    sent = OutgoingEmail.objects.create(
        key="login_link:3:abc",
        to="a@example.jp",
        subject="s",
        body="Login:\n\nhttps://ouendan.example.jp/portal/login/Zx_9-k/\n\nbye",
        status=OutgoingEmail.Status.SENT,
    )
    pending = OutgoingEmail.objects.create(
        key="payment-failed:in_1:1",
        to="b@example.jp",
        subject="s",
        body="Card: http://localhost:8000/donations/update-card/Q-w_e/ now",
    )
    confirm = OutgoingEmail.objects.create(
        key="confirm_signup:4:def",
        to="c@example.jp",
        subject="s",
        body="https://x.jp/en/join/confirm/abc123/",
        status=OutgoingEmail.Status.FAILED,
    )
    other = OutgoingEmail.objects.create(
        key="receipt-ready:R2026-1", to="d@example.jp", subject="s", body="https://x.jp/portal/"
    )
    migration_0010().redact_links(OutboxStillInHome(), None)

    for row in (sent, pending, confirm, other):
        row.refresh_from_db()
    assert sent.body == f"Login:\n\n{LINK_HIDDEN}\n\nbye" and sent.secret_body == ""
    assert pending.body == f"Card: {LINK_HIDDEN} now"
    assert "update-card/Q-w_e/" in pending.secret_body  # still sent with its link
    assert confirm.body == LINK_HIDDEN and confirm.secret_body == ""
    assert other.body == "https://x.jp/portal/"  # no single-use link: untouched


@pytest.mark.django_db
def test_migration_sets_the_category_of_existing_rows_from_their_keys():
    keys = {
        "thanks:one_off:donation:1": "money",
        "thanks:campaign_goal_reached:campaign:abc:supporter:2": "money",
        "thanks:inkind_delivery:delivery:3": "general",
        "thanks-batch:1:2": "money",
        "payment-failed:in_1:1": "money",
        "receipt-ready:R2026-000001": "money",
        "renewal-reminder:30:5:2027-04-01": "money",
        "login_link:1:abc": "general",
        "inkind:accepted:4": "general",
    }
    for key in keys:
        OutgoingEmail.objects.create(key=key, to="a@example.jp", subject="s", body="b")
    migration_0010().categorise(OutboxStillInHome(), None)
    assert dict(OutgoingEmail.objects.values_list("key", "category")) == keys


# --- Who may read what: money mail is queued as MONEY ------------------------------------------


@pytest.mark.django_db
def test_payment_failed_mail_is_money_and_its_card_link_is_hidden(
    django_capture_on_commit_callbacks,
):
    from donations.models import RecurringDonation, StripeEvent
    from donations.webhooks import _invoice_payment_failed
    from tests.members.factories import SupporterFactory

    supporter = SupporterFactory(email="taro@example.jp")
    RecurringDonation.objects.create(
        supporter=supporter, amount_yen=2000, stripe_subscription_id="sub_9"
    )
    event = StripeEvent.objects.create(
        stripe_id="evt_9", type="invoice.payment_failed", stripe_created=timezone.now(), payload={}
    )
    invoice = {
        "id": "in_9",
        "attempt_count": 1,
        "parent": {"subscription_details": {"subscription": "sub_9"}},
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _invoice_payment_failed(invoice, event)
    message = OutgoingEmail.objects.get(key="payment-failed:in_9:1")
    assert message.category == OutgoingEmail.Category.MONEY
    assert "/donations/update-card/" not in message.body and LINK_HIDDEN in message.body
    assert "/donations/update-card/" in message.secret_body
    for callback in callbacks:
        callback()
    assert "/donations/update-card/" in mail.outbox[0].body


@pytest.mark.django_db
def test_gift_thanks_are_money_and_goods_thanks_are_not(django_capture_on_commit_callbacks):
    from campaigns.models import ThankYouKind
    from campaigns.thanks import thanks_queue
    from tests.members.factories import SupporterFactory

    supporter = SupporterFactory()
    for kind, key in [(ThankYouKind.ONE_OFF, "donation:1"), (ThankYouKind.INKIND_DELIVERY, "d:1")]:
        thanks_queue(kind=kind, supporter=supporter, context={}, key=key)
    categories = dict(OutgoingEmail.objects.values_list("key", "category"))
    assert categories == {
        "thanks:one_off:donation:1": OutgoingEmail.Category.MONEY,
        "thanks:inkind_delivery:d:1": OutgoingEmail.Category.GENERAL,
    }


@pytest.mark.django_db
def test_renewal_reminders_and_receipt_mails_are_money():
    from donations.receipts.services import receipt_issue_for_donation, receipt_notify
    from members.models import Membership, MembershipPlan
    from members.reminders import membership_reminders_queue
    from tests.donations.receipts.factories import donor, gift

    today = timezone.localdate()
    member = donor(email="member@example.jp")
    Membership.objects.create(
        supporter=member,
        plan=MembershipPlan.objects.create(name="個人会員", period="year", amount_yen=3000),
        amount_yen=3000,
        status=Membership.Status.ACTIVE,
        renews_on=today + datetime.timedelta(days=30),
    )
    assert membership_reminders_queue(today=today) == 1
    giver = donor(email="giver@example.jp")
    receipt, _created = receipt_issue_for_donation(donation=gift(giver, 5000))
    assert receipt_notify(receipt=receipt)

    categories = dict(OutgoingEmail.objects.values_list("to", "category"))
    assert categories == {
        "member@example.jp": OutgoingEmail.Category.MONEY,
        "giver@example.jp": OutgoingEmail.Category.MONEY,
    }
