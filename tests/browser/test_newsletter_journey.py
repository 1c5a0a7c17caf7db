"""Mail news, end to end in chromium: an editor writes an issue, publishes it, sends a test to
herself and schedules it for an audience; a supporter unsubscribes from the mail's link (a
button, POST, no login)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.models import Site
from wagtail.users.models import UserProfile

from campaigns.newsletter.models import (
    AudienceSegment,
    Mailing,
    NewsletterIndexPage,
    NewsletterPage,
)
from campaigns.newsletter.services import mailing_send_batch, mailing_start
from members.groups import EDITORS
from members.models import ConsentRecord
from members.selectors import consents_current
from tests.campaigns.newsletter.factories import subscriber

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_editor_writes_tests_and_schedules_an_issue_and_a_reader_unsubscribes(
    live_server, page, django_user_model, settings, screenshot
):
    settings.NEWSLETTER_MAILS_PER_SECOND = 10_000
    home = Site.objects.get(is_default_site=True).root_page
    index = NewsletterIndexPage(title="メールニュース", slug="mail-news")
    home.add_child(instance=index)
    index.save_revision().publish()
    reader = subscriber(family_name="佐藤", given_name="花子", email="hanako@example.jp")
    segment = AudienceSegment.objects.create(name="全員")
    editor = django_user_model.objects.create_user(
        "editor", password="pw-editor", email="editor@example.jp", first_name="桜"
    )
    editor.groups.add(Group.objects.get(name=EDITORS))
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "en"
    profile.save()

    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("pw-editor")
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/admin/")

    # Write and publish the issue.
    page.goto(f"{live_server.url}/admin/pages/add/newsletter/newsletterpage/{index.pk}/")
    page.locator("#id_title").fill("{name}さん、8月号です")
    page.locator("#id_greeting").fill("{name} 様")
    page.locator("footer [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("published")
    issue = NewsletterPage.objects.live().get()

    # Test to herself, then schedule for the audience.
    page.goto(f"{live_server.url}/admin/mailings/send/{issue.pk}/")
    page.get_by_label("Audience").select_option(str(segment.pk))
    page.get_by_role("button", name="Send a test to myself").click()
    expect(page.locator(".messages")).to_contain_text("editor@example.jp")
    assert [m.to for m in mail.outbox] == [["editor@example.jp"]]
    page.get_by_label("Audience").select_option(str(segment.pk))
    page.get_by_label("At a set time").check()
    page.locator("#id_send_at").fill("2099-08-01 09:00")
    page.get_by_role("button", name="Count the audience").click()
    expect(page.locator("[data-recipient-count]")).to_contain_text("1")
    page.get_by_label(re.compile("Yes, send this issue")).check()
    page.get_by_role("button", name="Send or schedule").click()
    expect(page.locator("[data-job-status]")).to_have_text("Scheduled")
    screenshot("scheduled")
    mailing = Mailing.objects.get()
    assert mailing.send_at.year == 2099 and mailing.created_by == editor

    # Its time comes (the sweeper's job), the reader gets it and unsubscribes from the link. The
    # staff tab leaves the report first: its progress poller would reload it mid-navigation.
    page.goto("about:blank")
    Mailing.objects.filter(pk=mailing.pk).update(send_at=timezone.now())
    mailing_start(mailing_id=mailing.pk)
    mailing_send_batch(mailing_id=mailing.pk)
    sent = next(m for m in mail.outbox if m.to == [reader.email])
    assert sent.subject == "佐藤 花子さん、8月号です"
    link = re.search(r"\((http://\S+/unsubscribe/\S+/)\)", sent.body).group(1)
    page.context.clear_cookies()
    page.goto(link)
    assert consents_current(supporter=reader)[ConsentRecord.Kind.NEWSLETTER].granted
    page.get_by_role("button", name=re.compile("^(Unsubscribe|配信を停止する)$")).click()
    expect(page.get_by_role("status")).to_be_visible()
    record = consents_current(supporter=reader)[ConsentRecord.Kind.NEWSLETTER]
    assert (record.granted, record.source) == (False, ConsentRecord.Source.UNSUBSCRIBE)
