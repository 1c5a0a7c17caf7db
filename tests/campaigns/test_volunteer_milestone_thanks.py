"""Volunteer milestones thanked through the thank-you templates: once per milestone, with the
staff's text, in the volunteer's language, through the outbox."""

import pytest
from django.urls import reverse

from campaigns.models import ThankYouKind, ThankYouLog, ThankYouTemplate
from campaigns.thank_you_defaults import DEFAULTS
from campaigns.thanks_display import thank_you_log_link
from campaigns.volunteer_effects import volunteer_milestone_thanks_queue
from members.volunteering.models import Signup
from members.volunteering.services import attendance_mark
from ouendan.core.models import OutgoingEmail
from tests.members.factories import SupporterFactory
from tests.members.volunteering.factories import PlaceFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db


def serve(volunteer, shifts: int) -> None:
    """The volunteer is marked present at `shifts` past shifts (3 hours each), one re-marked."""
    place = PlaceFactory()
    for day in range(shifts):
        shift = ShiftFactory(place=place, starts_at=in_days(-10 + day))
        signup = Signup.objects.create(shift=shift, volunteer=volunteer, status="confirmed")
        attendance_mark(signup_id=signup.pk, present=True, user=None)
        attendance_mark(signup_id=signup.pk, present=True, user=None)


def milestone_mails(volunteer):
    return OutgoingEmail.objects.filter(
        supporter=volunteer, key__startswith="thanks:volunteer_milestone:"
    )


def test_the_default_template_ships_in_both_languages():
    for language in ("ja", "en"):
        template = ThankYouTemplate.objects.get(
            kind=ThankYouKind.VOLUNTEER_MILESTONE, language=language
        )
        assert (template.subject, template.body) == DEFAULTS[("volunteer_milestone", language)]


def test_a_milestone_is_thanked_once_with_the_template(settings):
    settings.VOLUNTEER_MILESTONES = {"shifts": [3], "hours": [100]}
    volunteer = SupporterFactory(is_volunteer=True, preferred_language="ja")
    serve(volunteer, 2)
    assert not milestone_mails(volunteer).exists()
    serve(volunteer, 2)
    mail = milestone_mails(volunteer).get()
    assert mail.key == f"thanks:volunteer_milestone:volunteer:{volunteer.pk}:shifts:3"
    assert mail.subject == "3回目の活動、ありがとうございます"
    assert f"{volunteer.display_name} 様" in mail.body
    assert "これまでに3回、合計9時間" in mail.body
    assert mail.category == OutgoingEmail.Category.GENERAL  # not money: member staff see it
    log = ThankYouLog.objects.get(kind=ThankYouKind.VOLUNTEER_MILESTONE)
    assert (log.supporter, log.email, log.status) == (volunteer, mail, ThankYouLog.Status.QUEUED)
    # Staff read whom it thanked as a link to the volunteer, not the raw key.
    assert thank_you_log_link(log) == (
        str(volunteer),
        reverse("supporter:inspect", args=[volunteer.pk]),
    )
    # The receiver runs again (a re-sent signal): nothing new.
    _log, created = volunteer_milestone_thanks_queue(
        supporter=volunteer, kind="shifts", count=3, shifts=4, hours=12
    )
    assert not created and milestone_mails(volunteer).count() == 1


def test_the_staff_edited_template_is_used(settings):
    settings.VOLUNTEER_MILESTONES = {"shifts": [], "hours": [6]}
    ThankYouTemplate.objects.filter(kind=ThankYouKind.VOLUNTEER_MILESTONE, language="ja").update(
        subject="{milestone}達成!", body="{name}さん、{shifts}回・{hours}時間のご協力に感謝します。"
    )
    volunteer = SupporterFactory(is_volunteer=True, preferred_language="ja")
    serve(volunteer, 2)
    mail = milestone_mails(volunteer).get()
    assert mail.subject == "活動時間6時間達成!"
    assert mail.body == f"{volunteer.display_name}さん、2回・6時間のご協力に感謝します。"


def test_an_english_volunteer_gets_the_english_text(settings):
    settings.VOLUNTEER_MILESTONES = {"shifts": [2], "hours": []}
    volunteer = SupporterFactory(is_volunteer=True, preferred_language="en")
    serve(volunteer, 2)
    mail = milestone_mails(volunteer).get()
    assert mail.subject == "Thank you for 2 shifts with us"
    assert mail.body.startswith(f"Dear {volunteer.display_name},")
    assert "2 shifts and 6 hours so far" in mail.body
