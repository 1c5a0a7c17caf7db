"""Member screens on the one display layer (ouendan.core.display): the volunteer profile on the
supporter's page shows availability as days and times, not codes such as "sat-am"; the lists
of membership plans, areas, skills and interests show ¥, はい/いいえ and labels, never
True/False or choice keys."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext

from members.groups import MEMBER_STAFF
from members.models import Area, Interest, MembershipPlan, Skill, VolunteerProfile
from tests.display_checks import assert_no_raw_values
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("members", password="pw")
    user.groups.add(Group.objects.get(name=MEMBER_STAFF))
    client.force_login(user)
    return client


def test_slot_labels_are_weekday_and_time_of_day():
    with translation.override("en"):
        assert VolunteerProfile.slot_label("sat-am") == "Saturday Morning"
        assert VolunteerProfile.slot_label("wed-eve") == "Wednesday Evening"
    with translation.override("ja"):
        assert "土曜日" in VolunteerProfile.slot_label("sat-am")
        assert "sat" not in VolunteerProfile.slot_label("sat-am")
    assert VolunteerProfile.slot_label("someday") == "someday"  # never dropped silently


def test_supporter_page_shows_availability_and_interests_as_labels(staff):
    supporter = SupporterFactory(is_volunteer=True)
    profile = VolunteerProfile.objects.create(
        supporter=supporter, availability=["wed-eve", "sat-am"]
    )
    profile.interests.add(Interest.objects.create(name="食品の仕分け"))
    profile.areas.add(Area.objects.create(name="北小学校区", kind=Area.Kind.SCHOOL_DISTRICT))

    page = staff.get(f"/admin/supporter/inspect/{supporter.pk}/").content.decode()

    text = assert_no_raw_values(page, "sat-am", "wed-eve", "school_district")
    with translation.override("ja"):  # staff screens follow the site's language
        wednesday, saturday = (VolunteerProfile.slot_label(c) for c in ("wed-eve", "sat-am"))
    # In week order, whatever order they were stored in.
    assert f"{wednesday}, {saturday}" in text
    assert "食品の仕分け" in text
    assert "北小学校区" in text


def test_membership_plan_list_shows_yen_and_yes_no(staff):
    MembershipPlan.objects.create(
        name="法人会員",
        audience=MembershipPlan.Audience.ORGANISATION,
        period=MembershipPlan.Period.YEAR,
        amount_yen=10000,
        per_unit=True,
        is_active=False,
    )
    page = staff.get("/admin/membership_plan/").content.decode()

    text = assert_no_raw_values(page, "organisation", "10000")
    assert "¥10,000" in text
    with translation.override("ja"):
        for label in (
            gettext("Yes"),
            gettext("No"),
            MembershipPlan.Audience.ORGANISATION.label,
            MembershipPlan.Period.YEAR.label,
        ):
            assert f" {label} " in text
    assert 'class="ouendan-num"' in page  # the fee is right-aligned


def test_areas_skills_and_interests_show_labels(staff):
    Area.objects.create(name="こども食堂ひまわり", kind=Area.Kind.CHILDRENS_PLACE)
    Skill.objects.create(name="調理")
    Interest.objects.create(name="配布")
    areas = staff.get("/admin/area/").content.decode()
    skills = staff.get("/admin/skill/").content.decode()
    interests = staff.get("/admin/interest/").content.decode()

    with translation.override("ja"):
        place = str(Area.Kind.CHILDRENS_PLACE.label)
    assert place in assert_no_raw_values(areas, "childrens_place")
    assert "調理" in assert_no_raw_values(skills)
    assert "配布" in assert_no_raw_values(interests)
