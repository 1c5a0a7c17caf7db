"""MAIL_PROVIDER picks a django-anymail backend with its own environment variables (no network):
each provider gives anymail's backend path and ANYMAIL keys, start-up refuses an unknown
provider, a missing key or webhooks nobody could verify, and each provider's tracking webhook
is routed and refuses unverified calls."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import resolve

from ouendan.core.models import SuppressedAddress
from ouendan.settings.mail_providers import PROVIDERS, mail_provider_settings

# A public key for SendGrid's signed event webhook, as SendGrid shows it (base64 DER, no PEM
# armour): anymail loads it when the webhook view is made.
SENDGRID_KEY = base64.b64encode(
    ec.generate_private_key(ec.SECP256R1())
    .public_key()
    .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
).decode()

ENVIRONMENTS = {
    "amazon_ses": {
        "AMAZON_SES_REGION_NAME": "ap-northeast-1",
        "AMAZON_SES_ACCESS_KEY_ID": "AKIA-ses-only",
        "AMAZON_SES_SECRET_ACCESS_KEY": "ses-secret",
        "AMAZON_SES_CONFIGURATION_SET_NAME": "ouendan-tracking",
        "ANYMAIL_WEBHOOK_SECRET": "hook:secret",
    },
    "brevo": {"BREVO_API_KEY": "xkeysib-1", "ANYMAIL_WEBHOOK_SECRET": "hook:secret"},
    "mailgun": {"MAILGUN_API_KEY": "key-1", "MAILGUN_WEBHOOK_SIGNING_KEY": "sign-1"},
    "postmark": {"POSTMARK_SERVER_TOKEN": "pm-token", "ANYMAIL_WEBHOOK_SECRET": "hook:secret"},
    "sendgrid": {
        "SENDGRID_API_KEY": "SG.key",
        "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": SENDGRID_KEY,
    },
}

EXPECTED = {
    "amazon_ses": (
        "anymail.backends.amazon_ses.EmailBackend",
        {
            "AMAZON_SES_CONFIGURATION_SET_NAME": "ouendan-tracking",
            "AMAZON_SES_CLIENT_PARAMS": {
                "region_name": "ap-northeast-1",
                "aws_access_key_id": "AKIA-ses-only",
                "aws_secret_access_key": "ses-secret",
            },
            "WEBHOOK_SECRET": "hook:secret",
        },
    ),
    "brevo": (
        "anymail.backends.brevo.EmailBackend",
        {"BREVO_API_KEY": "xkeysib-1", "WEBHOOK_SECRET": "hook:secret"},
    ),
    "mailgun": (
        "anymail.backends.mailgun.EmailBackend",
        {"MAILGUN_API_KEY": "key-1", "MAILGUN_WEBHOOK_SIGNING_KEY": "sign-1"},
    ),
    "postmark": (
        "anymail.backends.postmark.EmailBackend",
        {"POSTMARK_SERVER_TOKEN": "pm-token", "WEBHOOK_SECRET": "hook:secret"},
    ),
    "sendgrid": (
        "anymail.backends.sendgrid.EmailBackend",
        {"SENDGRID_API_KEY": "SG.key", "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": SENDGRID_KEY},
    ),
}


def reader(values: dict[str, str]):
    """django-environ's Env call signature over a plain dict."""
    return lambda name, default="": values.get(name, default)


def test_every_provider_the_issue_names_is_set_up():
    assert set(PROVIDERS) == {"amazon_ses", "brevo", "mailgun", "postmark", "sendgrid"}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_provider_gives_anymails_backend_and_keys(provider):
    assert mail_provider_settings(provider, reader(ENVIRONMENTS[provider])) == EXPECTED[provider]


def test_ses_without_keys_uses_boto3s_own_chain_not_the_bucket_keys():
    values = {"AMAZON_SES_REGION_NAME": "us-east-1", "ANYMAIL_WEBHOOK_SECRET": "a:b"}
    values["AWS_ACCESS_KEY_ID"] = "bucket-key"  # the storage bucket's: never used for mail
    _, anymail = mail_provider_settings("amazon_ses", reader(values))
    assert anymail["AMAZON_SES_CLIENT_PARAMS"] == {"region_name": "us-east-1"}


def test_without_a_provider_smtp_stays():
    assert mail_provider_settings("", reader({})) == (None, {})


def test_an_unknown_provider_fails_clearly_at_start_up():
    with pytest.raises(ImproperlyConfigured, match=r"MAIL_PROVIDER='sparkpost' is not known.*"):
        mail_provider_settings("sparkpost", reader({}))
    with pytest.raises(ImproperlyConfigured, match="amazon_ses, brevo, mailgun, postmark"):
        mail_provider_settings("Mailgun", reader(ENVIRONMENTS["mailgun"]))


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_provider_without_its_key_fails_at_start_up(provider):
    values = dict(ENVIRONMENTS[provider])
    for name in PROVIDERS[provider].required:
        values.pop(name)
    with pytest.raises(ImproperlyConfigured, match=f"MAIL_PROVIDER={provider} needs"):
        mail_provider_settings(provider, reader(values))


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_provider_whose_webhooks_nobody_could_verify_fails_at_start_up(provider):
    values = dict(ENVIRONMENTS[provider])
    values.pop("ANYMAIL_WEBHOOK_SECRET", None)
    values.pop("MAILGUN_WEBHOOK_SIGNING_KEY", None)
    values.pop("SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY", None)
    with pytest.raises(ImproperlyConfigured, match=f"/anymail/{provider}/tracking/"):
        mail_provider_settings(provider, reader(values))


# Unverified calls: SES (SNS) is asked for basic auth first, the others are refused outright.
REFUSED = {"amazon_ses": 401, "brevo": 400, "mailgun": 400, "postmark": 400, "sendgrid": 400}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_providers_tracking_webhook_is_routed_and_refuses_unverified_calls(provider, client):
    url = f"/anymail/{provider}/tracking/"
    assert resolve(url).url_name == f"{provider}_tracking_webhook"
    _, anymail = mail_provider_settings(provider, reader(ENVIRONMENTS[provider]))
    with override_settings(ANYMAIL=anymail):
        response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == REFUSED[provider]


@pytest.mark.django_db
def test_a_postmark_bounce_with_the_webhook_secret_suppresses_the_address(client):
    """Postmark's webhooks carry no signature: the basic auth in the URL is what verifies them."""
    _, anymail = mail_provider_settings("postmark", reader(ENVIRONMENTS["postmark"]))
    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": "gone@example.jp",
        "BouncedAt": "2026-04-27T16:28:50.0-04:00",
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 user unknown",
    }
    auth = "Basic " + base64.b64encode(b"hook:secret").decode()
    with override_settings(ANYMAIL=anymail):
        wrong = client.post(
            "/anymail/postmark/tracking/",
            data=json.dumps(bounce),
            content_type="application/json",
            HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"hook:guess").decode(),
        )
        assert wrong.status_code == 400
        assert not SuppressedAddress.objects.exists()
        right = client.post(
            "/anymail/postmark/tracking/",
            data=json.dumps(bounce),
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )
    assert right.status_code == 200
    suppressed = SuppressedAddress.objects.get()
    assert (suppressed.email, suppressed.reason, suppressed.provider) == (
        "gone@example.jp",
        SuppressedAddress.Reason.BOUNCED,
        "Postmark",
    )
