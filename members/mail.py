"""E-mail to a supporter: the one way to render a message in their language and queue it.

Every mail to a supporter (receipts, payment failed, pledge and gift thanks, bulk thanks, links,
reminders) goes through `supporter_email_queue`, which

1. decides whether the supporter may be mailed for that purpose (`supporter_mailable`, one rule
   for the whole site), and queues nothing when not;
2. returns the message already queued under the key, if any, without rendering again (so a
   single-use link is not issued twice for one mail);
3. renders subject and body inside `translation.override(supporter_language(supporter))`;
4. queues it in the outbox (`ouendan.core.mail.email_queue`): unique key, the caller's category
   (MONEY for anything about money: Finance-only), and a single-use link sent but stored
   redacted in the body staff can read.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation

from ouendan.core.mail import email_queue, email_redact
from ouendan.core.models import OutgoingEmail, SuppressedAddress
from ouendan.core.suppression import address_suppression

from .access_links import access_token_issue
from .models import AccessToken, ConsentRecord, DeletionRequest, Supporter


class MailPurpose(models.TextChoices):
    """Why a supporter is mailed; `supporter_mailable` decides per purpose."""

    # What the supporter did or asked for, or owes/is owed: receipts, payment failed, pledge and
    # sign-up confirmations, login links, renewal reminders.
    TRANSACTIONAL = "transactional"
    # Thanking for a gift, a fee or goods the supporter gave.
    THANKS = "thanks"
    # Newsletters, appeals: only to those who asked for them.
    MARKETING = "marketing"


# Statuses that may be mailed at all. An allow-list: a status added later is not mailed until
# someone decides it should be.
MAILABLE_STATUSES = (Supporter.Status.PENDING, Supporter.Status.ACTIVE)


def supporter_mailable(supporter: Supporter, *, purpose: str) -> bool:
    """Whether `supporter` may be e-mailed for `purpose` (a MailPurpose). The one rule:

    Never, whatever the purpose, when the supporter
    - has no e-mail address;
    - was merged into another record (members/merge.py: status "merged", `merged_into`);
    - is anonymised (status, or an `anonymised_at` date), or asked to be deleted: status
      "deletion requested", or a deletion request still waiting for review (checked in the
      table too, so a status edited by hand cannot reopen the mailbox of someone waiting to
      be erased);
    - has any status other than PENDING or ACTIVE (an allow-list).

    TRANSACTIONAL and THANKS: allowed otherwise, including PENDING supporters (donors and
    pledgers whose address is not confirmed yet are still told about their own gift). Thanks
    need no consent: they answer something the supporter did, and no consent kind covers them
    (the newsletter consent is about the newsletter).

    MARKETING: only ACTIVE supporters (address confirmed: double opt-in) whose newsletter consent
    in force (the newest record) is granted.

    Suppressed addresses (the mail provider reported them, ouendan.core.suppression): a
    bounced address gets nothing (it does not arrive); one that marked our mail as spam gets no
    MARKETING (its receipts and sign-in links still go).
    """
    if purpose not in MailPurpose.values:
        raise ValueError(f"Unknown mail purpose: {purpose!r}")
    if not supporter.email or supporter.anonymised_at is not None:
        return False
    if supporter.merged_into_id is not None:  # a merged stub: the survivor is mailed instead
        return False
    if supporter.status not in MAILABLE_STATUSES:
        return False
    if DeletionRequest.objects.filter(
        supporter=supporter, status=DeletionRequest.Status.PENDING
    ).exists():
        return False
    suppressed = address_suppression(supporter.email)
    if suppressed == SuppressedAddress.Reason.BOUNCED:
        return False
    if purpose == MailPurpose.MARKETING:
        if suppressed is not None:
            return False
        if supporter.status != Supporter.Status.ACTIVE:
            return False
        newest = (
            ConsentRecord.objects.filter(supporter=supporter, kind=ConsentRecord.Kind.NEWSLETTER)
            .order_by("-recorded_at", "-pk")
            .values_list("granted", flat=True)
            .first()
        )
        return bool(newest)
    return True


def supporter_language(supporter: Supporter) -> str:
    """The language to write to the supporter in: their preferred one when the site has it,
    else the site's default (Japanese)."""
    language = supporter.preferred_language
    if language in dict(settings.LANGUAGES):
        return language
    return settings.LANGUAGE_CODE


@dataclass(frozen=True)
class MailText:
    """A rendered message. `secrets` (a single-use link, its token) are in the body as sent
    and replaced by a placeholder in the copy staff can read."""

    subject: str
    body: str
    secrets: tuple[str, ...] = ()


def mail_template_render(
    *, template: str, context: dict, secrets: tuple[str, ...] = ()
) -> MailText:
    """Render `<template>_subject.txt` and `<template>_body.txt` (in the active language)."""
    return MailText(
        subject=render_to_string(f"{template}_subject.txt", context).strip(),
        body=render_to_string(f"{template}_body.txt", context),
        secrets=secrets,
    )


@dataclass(frozen=True)
class QueuedEmail:
    message: OutgoingEmail
    created: bool  # False: the key was queued before, nothing new is sent


def supporter_email_queue(
    *,
    supporter: Supporter,
    key: str,
    purpose: str,
    category: str,
    template: str | None = None,
    context: dict | None = None,
    render: Callable[[str], MailText] | None = None,
) -> QueuedEmail | None:
    """Queue one message to a supporter, once per `key`, in their language.

    Give either `template` (a path without the `_subject.txt`/`_body.txt` ending) with its
    `context`, or `render`: called with the language code, inside that language, only when the
    supporter may be mailed and the key is new. Build there whatever must be in the
    supporter's language (URLs, labels) and issue single-use links there (returned in
    `MailText.secrets`), so nothing is issued for a mail that is not sent.

    `category` is the outbox category: MONEY for gifts, payments, fees, receipts (Finance only).
    Returns None, and queues nothing, when `supporter_mailable(supporter, purpose=purpose)` is
    False. Queuing an existing key returns that message with created=False.
    """
    if (template is None) == (render is None):
        raise TypeError("Give either template (with context) or render.")
    if not supporter_mailable(supporter, purpose=purpose):
        return None
    existing = OutgoingEmail.objects.filter(key=key).first()
    if existing is not None:
        return QueuedEmail(message=existing, created=False)
    language = supporter_language(supporter)
    with translation.override(language):
        if render is not None:
            text = render(language)
        else:
            text = mail_template_render(template=template, context=context or {})
    subject = text.subject.replace("\n", " ").strip()
    subject = subject[: OutgoingEmail._meta.get_field("subject").max_length]
    redacted = email_redact(text=text.body, secrets=list(text.secrets))
    message, created = email_queue(
        key=key,
        to=supporter.email,
        subject=subject,
        body=redacted,
        secret_body=text.body if redacted != text.body else None,
        supporter=supporter,
        category=category,
    )
    return QueuedEmail(message=message, created=created)


def access_link_send(*, supporter: Supporter, purpose: str, template: str, url: str) -> bool:
    """Issue a single-use link and e-mail it, when the supporter may be mailed (no link is issued
    otherwise). The outbox key names the link itself, so each new link is sent exactly once,
    however often the surrounding code runs. Staff never see the link: a login link read in the
    outbox would let them in as the supporter. Returns whether a mail was queued."""
    if not supporter_mailable(supporter, purpose=MailPurpose.TRANSACTIONAL):
        return False
    secret = access_token_issue(supporter=supporter, purpose=purpose)
    link = url.format(token=secret)
    queued = supporter_email_queue(
        supporter=supporter,
        key=f"{template}:{supporter.pk}:{AccessToken.hash(secret)[:16]}",
        purpose=MailPurpose.TRANSACTIONAL,
        category=OutgoingEmail.Category.GENERAL,
        render=lambda language: mail_template_render(
            template=f"members/email/{template}",
            context={"supporter": supporter, "url": link},
            secrets=(link, secret),
        ),
    )
    return queued is not None
