"""RFC 8058 one-click unsubscribe: POST with no login and no CSRF token withdraws the consent
(source "unsubscribe link"); GET only asks; the portal shows it and the owner can restore it."""

import re

import pytest
from django.core import mail
from django.test import Client

from campaigns.newsletter.models import Mailing, MailingRecipient
from campaigns.newsletter.rendering import unsubscribe_token
from campaigns.newsletter.selectors import segment_count
from campaigns.newsletter.services import mailing_send_batch, mailing_start
from members.models import ConsentRecord
from members.selectors import consents_current
from ouendan.core.models import OutgoingEmail
from tests.outbox_helpers import sent_body

from .factories import everyone, issue, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(home_page, settings):
    settings.NEWSLETTER_MAILS_PER_SECOND = 10_000
    person = subscriber()
    mailing = Mailing.objects.create(page=issue(home_page), segment=everyone())
    mailing_start(mailing_id=mailing.pk)
    mailing_send_batch(mailing_id=mailing.pk)
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    link = header.split(">")[0].lstrip("<")
    return person, link


def _path(link: str) -> str:
    return "/" + link.split("://", 1)[-1].split("/", 1)[1]


def newsletter_consent(person):
    return consents_current(supporter=person)[ConsentRecord.Kind.NEWSLETTER]


def test_one_click_post_without_login_or_csrf_token_unsubscribes(sent):
    person, link = sent
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _path(link),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    record = newsletter_consent(person)
    assert record.granted is False
    assert record.source == ConsentRecord.Source.UNSUBSCRIBE
    assert MailingRecipient.objects.get().delivery == MailingRecipient.Delivery.UNSUBSCRIBED
    assert segment_count(everyone(name="後")) == 0
    # Repeating it (the provider retries) adds no second record.
    client.post(_path(link), data={"List-Unsubscribe": "One-Click"})
    assert person.consents.filter(kind="newsletter", granted=False).count() == 1


def test_get_only_shows_a_button(sent):
    person, link = sent
    response = Client().get(_path(link))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert newsletter_consent(person).granted is True


def test_a_forged_token_changes_nothing(sent):
    person, _link = sent
    token = unsubscribe_token(MailingRecipient.objects.get().pk)[:-2] + "xx"
    response = Client(enforce_csrf_checks=True).post(f"/newsletter/unsubscribe/{token}/")
    assert response.status_code == 404
    assert newsletter_consent(person).granted is True


def test_the_portal_shows_the_withdrawal_and_the_owner_restores_it(sent, client, home_page):
    from members.models import MemberPortalPage
    from members.views import SESSION_SUPPORTER

    person, link = sent
    home_page.add_child(instance=MemberPortalPage(title="マイページ", slug="portal"))
    Client().post(_path(link))
    # The owner signs in with a login link, as the portal asks.
    client.post("/portal/login/", {"email": person.email})
    login = OutgoingEmail.objects.filter(supporter=person).latest("pk")
    client.post(re.search(r"http://testserver(/\S+/login/[\w-]+/)", sent_body(login)).group(1))
    assert client.session[SESSION_SUPPORTER] == person.pk
    html = client.get("/portal/").content.decode()
    assert "配信停止リンク" in html or "Unsubscribe link" in html
    assert client.get("/portal/consents/").context["form"].initial["newsletter"] is False
    client.post("/portal/consents/", {"newsletter": "on"})
    record = newsletter_consent(person)
    assert (record.granted, record.source) == (True, ConsentRecord.Source.PORTAL)
    assert segment_count(everyone(name="戻")) == 1
