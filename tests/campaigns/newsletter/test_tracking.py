"""Mailgun's tracking webhooks through django-anymail, with payloads shaped as anymail's own
tests show them (tests/test_mailgun_webhooks.py: "event-data" plus a "signature" block, HMAC
SHA-256 of timestamp + token): a verified bounce or complaint suppresses the address and marks
the recipient; an unsigned or badly signed call is refused and changes nothing."""

import hashlib
import hmac
import json

import pytest
from django.conf import settings
from django.core import mail

from campaigns.newsletter.models import Mailing, MailingRecipient
from campaigns.newsletter.selectors import segment_count
from campaigns.newsletter.services import mailing_send_batch, mailing_start
from members.mail import MailPurpose, supporter_mailable
from members.models import ConsentRecord
from members.selectors import consents_current
from ouendan.core.models import SuppressedAddress

from .factories import everyone, issue, subscriber

pytestmark = pytest.mark.django_db
URL = "/anymail/mailgun/tracking/"


def signed(payload: dict, key: str | None = None) -> str:
    key = key or settings.ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"]
    event = payload.get("event-data", {})
    block = payload.setdefault("signature", {})
    token = block.setdefault("token", "651869375b9df3c98fc15c4889b102119add1235c38fc92824")
    timestamp = block.setdefault("timestamp", str(int(float(event.get("timestamp", 1534108637)))))
    block["signature"] = hmac.new(
        key.encode("ascii"), f"{timestamp}{token}".encode("ascii"), hashlib.sha256
    ).hexdigest()
    return json.dumps(payload)


def event(kind: str, recipient: str, message_id: str, **extra) -> dict:
    data = {
        "event": kind,
        "timestamp": 1534110422.389832,
        "recipient": recipient,
        "message": {"headers": {"to": recipient, "message-id": message_id.strip("<>")}},
        "user-variables": {},
        **extra,
    }
    return {"event-data": data}


@pytest.fixture
def sent(home_page, settings):
    settings.NEWSLETTER_MAILS_PER_SECOND = 10_000
    person = subscriber()
    mailing = Mailing.objects.create(page=issue(home_page), segment=everyone())
    mailing_start(mailing_id=mailing.pk)
    mailing_send_batch(mailing_id=mailing.pk)
    assert len(mail.outbox) == 1
    return person, MailingRecipient.objects.get()


def post(client, body: str):
    return client.post(URL, data=body, content_type="application/json")


def test_a_permanent_failure_suppresses_the_address_and_marks_the_recipient(client, sent):
    person, recipient = sent
    payload = event(
        "failed",
        person.email,
        recipient.message_id,
        severity="permanent",
        reason="bounce",
        **{"delivery-status": {"code": 550, "message": "5.1.1 No such user"}},
    )
    assert post(client, signed(payload)).status_code == 200
    suppressed = SuppressedAddress.objects.get()
    assert (suppressed.email, suppressed.reason) == (person.email, "bounced")
    assert "5.1.1" in suppressed.detail
    recipient.refresh_from_db()
    assert recipient.delivery == MailingRecipient.Delivery.BOUNCED
    assert segment_count(everyone(name="後")) == 0
    assert not supporter_mailable(person, purpose=MailPurpose.TRANSACTIONAL)


def test_a_complaint_suppresses_marketing_only(client, sent):
    person, recipient = sent
    assert post(client, signed(event("complained", person.email, recipient.message_id)))
    assert SuppressedAddress.objects.get().reason == "complained"
    assert not supporter_mailable(person, purpose=MailPurpose.MARKETING)
    assert supporter_mailable(person, purpose=MailPurpose.TRANSACTIONAL)
    recipient.refresh_from_db()
    assert recipient.delivery == MailingRecipient.Delivery.COMPLAINED


def test_delivered_then_unsubscribed_at_the_provider(client, sent):
    person, recipient = sent
    post(client, signed(event("delivered", person.email, recipient.message_id)))
    recipient.refresh_from_db()
    assert recipient.delivery == "delivered"
    post(client, signed(event("unsubscribed", person.email, recipient.message_id)))
    recipient.refresh_from_db()
    assert recipient.delivery == "unsubscribed"
    record = consents_current(supporter=person)[ConsentRecord.Kind.NEWSLETTER]
    assert (record.granted, record.source) == (False, "unsubscribe")
    assert not SuppressedAddress.objects.exists()


def test_a_temporary_failure_suppresses_nothing(client, sent):
    person, recipient = sent
    payload = event("failed", person.email, recipient.message_id, severity="temporary")
    assert post(client, signed(payload)).status_code == 200
    assert not SuppressedAddress.objects.exists()


@pytest.mark.parametrize("signing", ["missing", "wrong key"])
def test_unsigned_or_badly_signed_calls_are_refused(client, sent, signing):
    person, recipient = sent
    payload = event("failed", person.email, recipient.message_id, severity="permanent")
    body = json.dumps(payload) if signing == "missing" else signed(payload, key="wrong key")
    assert post(client, body).status_code == 400
    assert not SuppressedAddress.objects.exists()
    recipient.refresh_from_db()
    assert recipient.delivery == ""
