"""An issue as mail: rendered once per language and mailing (HTML with absolute links and a
plain-text part), then personalised per recipient with the thank-you placeholders ({name} …,
campaigns/thanks.py) and their own unsubscribe link."""

import datetime
import html
import re
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from campaigns.thanks import thank_you_format, thank_you_values
from members.models import Supporter
from ouendan.core.models import OrganisationSettings

from .models import NewsletterPage

UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
# Where each recipient's own unsubscribe address goes in the rendered issue.
UNSUBSCRIBE_MARK = "https://unsubscribe.invalid/mark"
TEST_TOKEN = "test"  # noqa: S105  (not a secret) the link in a test send: the page says it was a test, nothing changes


@dataclass(frozen=True)
class RenderedIssue:
    language: str
    subject: str  # placeholders not yet filled in
    html: str
    text: str


def public_url(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def unsubscribe_token(recipient_id: int) -> str:
    """A signed, never-expiring token naming one mailing recipient (links keep working)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(recipient_id))


def unsubscribe_token_read(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_url(token: str, language: str) -> str:
    with translation.override(language):
        return public_url(reverse("newsletter_unsubscribe", args=[token]))


_RELATIVE = re.compile(r'(\s(?:href|src|srcset)=")/(?!/)')


def _absolute(markup: str) -> str:
    """Links and images pointing at this site, made absolute (mail has no base address)."""
    return _RELATIVE.sub(lambda m: m.group(1) + settings.PUBLIC_BASE_URL.rstrip("/") + "/", markup)


_LINK = re.compile(r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.S | re.I)
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|section|div|ul|ol|figure|blockquote)>", re.I)


def html_to_text(markup: str) -> str:
    """The plain-text part: paragraphs, list items with a bullet, links as "text (address)"."""
    markup = re.sub(r"<(head|style|script)\b.*?</\1>", "", markup, flags=re.S | re.I)

    def link(match):
        text = re.sub(r"<[^>]+>", "", match.group(2)).strip()
        address = html.unescape(match.group(1))
        return f"{text} ({address})" if text and text != address else address

    markup = _LINK.sub(link, markup)
    markup = re.sub(r"<br\s*/?>", "\n", markup, flags=re.I)
    markup = re.sub(r"<li\b[^>]*>", "・", markup, flags=re.I)
    markup = _BLOCK_END.sub("\n\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def organisation_name(language: str) -> str:
    organisation = OrganisationSettings.for_default_site()
    return (organisation.name_en if language == "en" else "") or organisation.name


def issue_render(page: NewsletterPage, *, language: str) -> RenderedIssue:
    """The issue in one language, with UNSUBSCRIBE_MARK where each recipient's link goes."""
    with translation.override(language):
        context = {
            "page": page,
            "organisation": organisation_name(language),
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "archive_url": public_url(page.url) if page.is_public and page.url else "",
            "tracking": settings.NEWSLETTER_TRACK_OPENS_CLICKS,
        }
        markup = _absolute(render_to_string("newsletter/email/issue.html", context))
        text = html_to_text(markup)
    return RenderedIssue(language=language, subject=page.title, html=markup, text=text)


def placeholder_values(
    *, supporter: Supporter, language: str, organisation: str, day: datetime.date
) -> dict[str, str]:
    """The thank-you placeholders (campaigns/thanks.py, same rules and values); a newsletter
    names no gift, so {amount}, {campaign} and {items} are empty."""
    return thank_you_values(
        supporter=supporter, language=language, organisation=organisation, day=day
    )


def _fill(markup: str, values: dict[str, str], *, escape: bool) -> str:
    for key, value in values.items():
        markup = markup.replace("{" + key + "}", html.escape(value) if escape else value)
    return markup


def mailto_unsubscribe() -> str:
    address = settings.NEWSLETTER_UNSUBSCRIBE_MAILTO or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"mailto:{address}?subject=unsubscribe"


def issue_message(
    issue: RenderedIssue, *, to: str, values: dict[str, str], token: str, subject_prefix=""
) -> EmailMultiAlternatives:
    """One recipient's message: personalised, with its unsubscribe link in the body and the
    RFC 8058 one-click headers."""
    link = unsubscribe_url(token, issue.language)
    subject, _body = thank_you_format(subject=issue.subject, body="", values=values)
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject=subject_prefix + subject,
        body=_fill(issue.text, values, escape=False).replace(UNSUBSCRIBE_MARK, link),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{link}>, <{mailto_unsubscribe()}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": make_msgid(domain=domain),
        },
    )
    markup = _fill(issue.html, values, escape=True).replace(UNSUBSCRIBE_MARK, html.escape(link))
    message.attach_alternative(markup, "text/html")
    # Read by django-anymail's backends only (SMTP ignores them).
    message.track_opens = message.track_clicks = settings.NEWSLETTER_TRACK_OPENS_CLICKS
    message.tags = ["newsletter"]
    return message
