import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Area, Skill, VolunteerProfile
from members.volunteering.imports import volunteer_list_import
from members.volunteering.models import VolunteerTraining
from tests.members.factories import SupporterFactory

from .factories import TrainingFactory

pytestmark = pytest.mark.django_db

HEADER = "メールアドレス,スキル,活動地域,活動できる時間帯,研修,研修修了日\n"


def _file(text: str) -> io.BytesIO:
    return io.BytesIO(("\ufeff" + HEADER + text).encode("utf-8"))


@pytest.fixture
def lists():
    Skill.objects.create(name="調理")
    Skill.objects.create(name="-調理")
    Skill.objects.create(name="運転")
    Area.objects.create(name="中央小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
    return TrainingFactory(name="食品衛生")


def test_check_reports_every_error_and_writes_nothing(lists):
    known = SupporterFactory(email="a@example.jp")
    text = (
        "a@example.jp,調理、料理,中央小学校区,sat-am、fri-night,食品衛生,\n"
        "nobody@example.jp,調理,,,,\n"
    )
    report = volunteer_list_import(upload=_file(text), name="v.csv", commit=True)
    problems = {(e["line"], e["column"]) for e in report.errors}
    assert problems == {
        (2, "スキル"),
        (2, "活動できる時間帯"),
        (2, "研修修了日"),
        (3, "メールアドレス"),
    }
    assert not report.written
    assert not VolunteerProfile.objects.filter(supporter=known).exists()


def test_import_adds_to_profiles_and_trainings_atomically(lists):
    hanako = SupporterFactory(email="hanako@example.jp", is_volunteer=False)
    taro = SupporterFactory(email="taro@example.jp")
    VolunteerProfile.objects.create(supporter=taro, availability=["wed-eve"])
    text = (
        "HANAKO@example.jp,調理、運転,中央小学校区,sat-am,食品衛生,2026/04/01\n"
        "taro@example.jp,'-調理,,sat-pm,,\n"  # our exports' formula guard is taken off again
    )
    preview = volunteer_list_import(upload=_file(text), name="v.csv", commit=False)
    assert preview.errors == [] and preview.rows == 2 and not preview.written
    assert not VolunteerProfile.objects.filter(supporter=hanako).exists()
    report = volunteer_list_import(upload=_file(text), name="v.csv", commit=True)
    assert report.written
    hanako.refresh_from_db()
    assert hanako.is_volunteer
    profile = hanako.volunteer_profile
    assert set(profile.skills.values_list("name", flat=True)) == {"調理", "運転"}
    assert profile.availability == ["sat-am"]
    assert VolunteerTraining.objects.get(volunteer=hanako).expires_on is not None
    taro.refresh_from_db()
    assert taro.volunteer_profile.availability == ["wed-eve", "sat-pm"]
    assert list(taro.volunteer_profile.skills.values_list("name", flat=True)) == ["-調理"]


def test_the_admin_screen_checks_then_imports(client, lists):
    from django.contrib.auth.models import Group

    from members.groups import MEMBER_STAFF

    staff = get_user_model().objects.create_user("staff")
    staff.groups.add(Group.objects.get(name=MEMBER_STAFF))
    client.force_login(staff)
    SupporterFactory(email="hanako@example.jp")
    body = (HEADER + "hanako@example.jp,調理,,,,\n").encode()
    url = reverse("volunteer_import:index")
    html = client.post(
        url, {"action": "check", "file": SimpleUploadedFile("v.csv", body)}
    ).content.decode()
    assert "data-import-ok" in html
    client.post(url, {"action": "import", "file": SimpleUploadedFile("v.csv", body)})
    assert VolunteerProfile.objects.get().skills.get().name == "調理"
