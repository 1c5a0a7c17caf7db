"""MAIL_PROVIDER: every mail (transactional and newsletters) through a provider's API with
django-anymail instead of SMTP. Each provider reads its own environment variables, named as
anymail names its settings (ANYMAIL["MAILGUN_API_KEY"] comes from MAILGUN_API_KEY), and its
tracking webhooks at /anymail/<provider>/tracking/ must be verifiable: by the provider's
signature where anymail checks one (Mailgun, SendGrid), otherwise by ANYMAIL_WEBHOOK_SECRET,
the "user:password" basic auth put in the webhook URL given to the provider. Start-up refuses a
provider without its key or a way to verify its webhooks. Empty values are left out: an empty
signing key must never verify anything.

Read by base.py only (plain Python, no Django apps: settings load before them).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Provider:
    backend: str
    # ANYMAIL key -> environment variable (the same name, as anymail documents them).
    names: tuple[str, ...]
    required: tuple[str, ...]
    # Any one of these verifies the tracking webhooks.
    webhook_verifiers: tuple[str, ...] = ("WEBHOOK_SECRET",)
    # Environment variable -> key in ANYMAIL["AMAZON_SES_CLIENT_PARAMS"] (boto3's client).
    client_params: dict[str, str] = field(default_factory=dict)


PROVIDERS = {
    "amazon_ses": Provider(
        backend="anymail.backends.amazon_ses.EmailBackend",
        names=("AMAZON_SES_CONFIGURATION_SET_NAME",),
        required=("AMAZON_SES_REGION_NAME",),
        # SNS notifications carry no signature anymail checks: basic auth only.
        client_params={
            "AMAZON_SES_REGION_NAME": "region_name",
            # Keys of their own (not AWS_ACCESS_KEY_ID, which is the storage bucket's); empty:
            # boto3's usual chain (an instance role).
            "AMAZON_SES_ACCESS_KEY_ID": "aws_access_key_id",
            "AMAZON_SES_SECRET_ACCESS_KEY": "aws_secret_access_key",
        },
    ),
    "brevo": Provider(
        backend="anymail.backends.brevo.EmailBackend",
        names=("BREVO_API_KEY",),
        required=("BREVO_API_KEY",),
    ),
    "mailgun": Provider(
        backend="anymail.backends.mailgun.EmailBackend",
        names=(
            "MAILGUN_API_KEY",
            "MAILGUN_WEBHOOK_SIGNING_KEY",
            "MAILGUN_SENDER_DOMAIN",
            "MAILGUN_API_URL",  # EU: https://api.eu.mailgun.net/v3
        ),
        required=("MAILGUN_API_KEY",),
        webhook_verifiers=("MAILGUN_WEBHOOK_SIGNING_KEY",),
    ),
    "postmark": Provider(
        backend="anymail.backends.postmark.EmailBackend",
        names=("POSTMARK_SERVER_TOKEN", "POSTMARK_MESSAGE_STREAM"),
        required=("POSTMARK_SERVER_TOKEN",),
    ),
    "sendgrid": Provider(
        backend="anymail.backends.sendgrid.EmailBackend",
        names=("SENDGRID_API_KEY", "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY"),
        required=("SENDGRID_API_KEY",),
        webhook_verifiers=("SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY", "WEBHOOK_SECRET"),
    ),
}


def mail_provider_settings(provider: str, environ) -> tuple[str | None, dict]:
    """(EMAIL_BACKEND or None, ANYMAIL) for MAIL_PROVIDER; `environ(name, default=...)` reads
    the environment (django-environ's Env). Without a provider the EMAIL_URL (SMTP) or console
    backend stays and ANYMAIL keeps only what is set."""

    def read(name: str) -> str:
        return environ(name, default="")

    if not provider:
        mailgun = PROVIDERS["mailgun"].names
        anymail = {name: read(name) for name in mailgun}
        anymail["WEBHOOK_SECRET"] = read("ANYMAIL_WEBHOOK_SECRET")
        return None, {key: value for key, value in anymail.items() if value}
    spec = PROVIDERS.get(provider)
    if spec is None:
        raise ImproperlyConfigured(
            f"MAIL_PROVIDER={provider!r} is not known: use one of {', '.join(sorted(PROVIDERS))}"
            " (or leave it empty for EMAIL_URL)."
        )
    anymail = {name: read(name) for name in spec.names}
    anymail["WEBHOOK_SECRET"] = read("ANYMAIL_WEBHOOK_SECRET")
    client = {param: read(name) for name, param in spec.client_params.items()}
    present = {name for name in (*spec.names, *spec.client_params) if read(name)}
    missing = [name for name in spec.required if name not in present]
    if missing:
        raise ImproperlyConfigured(f"MAIL_PROVIDER={provider} needs {', '.join(missing)}.")
    if not any(anymail.get(name) for name in spec.webhook_verifiers):
        options = " or ".join(
            "ANYMAIL_WEBHOOK_SECRET" if name == "WEBHOOK_SECRET" else name
            for name in spec.webhook_verifiers
        )
        raise ImproperlyConfigured(
            f"MAIL_PROVIDER={provider} needs {options}: its tracking webhooks at"
            f" /anymail/{provider}/tracking/ must be verified."
        )
    anymail = {key: value for key, value in anymail.items() if value}
    client = {key: value for key, value in client.items() if value}
    if client:
        anymail["AMAZON_SES_CLIENT_PARAMS"] = client
    return spec.backend, anymail
