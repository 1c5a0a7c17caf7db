"""The members app's e-mails: rendered from members/email/ templates and queued in the outbox.

Single-use links are sent but stored redacted (ouendan.core.mail), so staff reading the outbox
never see a working login link.
"""

from django.template.loader import render_to_string
from django.utils import translation

from ouendan.core.mail import email_queue, email_redact
from ouendan.core.models import OutgoingEmail

from .access_links import access_token_issue
from .models import AccessToken, Supporter


def supporter_email_queue(
    *, supporter: Supporter, key: str, template: str, context: dict, secrets: tuple[str, ...] = ()
) -> None:
    """Render and queue a members e-mail. `secrets` (a single-use link, its token) are sent but
    stored redacted in the body staff can read."""
    with translation.override(supporter.preferred_language):
        subject = render_to_string(f"members/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"members/email/{template}_body.txt", context)
    redacted = email_redact(text=body, secrets=list(secrets))
    email_queue(
        key=key,
        to=supporter.email,
        subject=subject,
        body=redacted,
        secret_body=body if redacted != body else None,
        supporter=supporter,
    )


def access_link_send(*, supporter: Supporter, purpose: str, template: str, url: str) -> None:
    """Issue a single-use link and e-mail it. The outbox key names the link itself, so each new
    link is sent exactly once, however often the surrounding code runs. Staff never see the
    link: a login link read in the outbox would let them in as the supporter."""
    secret = access_token_issue(supporter=supporter, purpose=purpose)
    link = url.format(token=secret)
    supporter_email_queue(
        supporter=supporter,
        key=f"{template}:{supporter.pk}:{AccessToken.hash(secret)[:16]}",
        template=template,
        context={"supporter": supporter, "url": link},
        secrets=(link, secret),
    )


def supporter_emails_erase(*, supporter: Supporter) -> int:
    """Clear the address and body of every e-mail stored for the supporter (anonymisation);
    subject, dates and status stay, so the outbox still shows that something was sent.
    Returns how many messages changed.

    The one place members changes outbox rows. ouendan.core.mail has no service for this yet;
    once it does, this should call it.
    """
    return (
        OutgoingEmail.objects.filter(supporter=supporter)
        .exclude(to="", body="")
        .update(to="", body="", secret_body="")
    )
