"""Merging two records of one person (members/merge.py): the service, members' own rows, the
stub, the log, refusals, and the staff screens (merge, detail summary, login link)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from donations.models import Donation
from donations.services import donation_record
from members.groups import EDITORS, FINANCE, MEMBER_STAFF
from members.mail import MailPurpose, supporter_mailable
from members.merge import MERGE_LOG_ACTION, supporter_merge
from members.models import (
    AccessToken,
    ConsentRecord,
    DeletionRequest,
    Membership,
    Skill,
    Supporter,
    VolunteerProfile,
)
from members.privacy import ANONYMISED_NAME, supporter_anonymise
from members.selectors import supporter_timeline
from members.services import access_token_issue, consent_record, membership_start
from ouendan.core.mail import email_queue
from ouendan.core.models import OutgoingEmail
from tests.members.factories import MembershipPlanFactory, SupporterFactory
from tests.test_permissions_matrix import outcome

pytestmark = pytest.mark.django_db


def _staff(django_user_model, *groups):
    user = django_user_model.objects.create_user("-".join(groups) or "nobody", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def pair(db):
    survivor = SupporterFactory(given_name="花子", phone="", postal_code="", notes="")
    duplicate = SupporterFactory(
        given_name="花子",
        email="old-hanako@example.jp",
        postal_code="100-0001",
        prefecture="東京都",
        notes="電話で寄付の申し出",
    )
    return survivor, duplicate


def test_members_rows_move_and_are_counted(pair, django_user_model):
    survivor, duplicate = pair
    plan = MembershipPlanFactory()
    membership_start(supporter=duplicate, plan=plan)
    consent_record(
        supporter=duplicate, kind=ConsentRecord.Kind.NEWSLETTER, granted=True, source="portal"
    )
    access_token_issue(supporter=duplicate, purpose=AccessToken.Purpose.LOGIN)
    DeletionRequest.objects.create(supporter=duplicate, status=DeletionRequest.Status.REJECTED)
    email_queue(key="k1", to=duplicate.email, subject="s", body="b", supporter=duplicate)
    older_stub = SupporterFactory(status=Supporter.Status.MERGED, merged_into=duplicate)
    staff = _staff(django_user_model, MEMBER_STAFF)

    result = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=staff)

    counts = result.counts()
    assert counts["members.membership"] == 1
    assert counts["members.consentrecord"] == 1
    assert counts["members.accesstoken"] == 1
    assert counts["members.deletionrequest"] == 1
    assert counts["core.outgoingemail"] == 1
    assert counts["members.supporter"] == 1
    for model in (Membership, ConsentRecord, AccessToken, DeletionRequest, OutgoingEmail):
        assert not model.objects.filter(supporter=duplicate).exists()
        assert model.objects.filter(supporter=survivor).count() == 1
    older_stub.refresh_from_db()
    assert older_stub.merged_into == survivor


def test_every_related_kind_is_moved_by_some_mover(pair):
    """Every foreign key to Supporter in the project is emptied on the duplicate (except the
    batch-recipient conflict case, tested in campaigns)."""
    survivor, duplicate = pair
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    for relation in Supporter._meta._get_fields(forward=False, reverse=True, include_hidden=True):
        model = relation.related_model
        left = model._base_manager.filter(**{relation.field.name: duplicate})
        assert not left.exists(), model._meta.label


def test_stub_state_filled_fields_and_log_entries(pair, django_user_model):
    survivor, duplicate = pair
    old_email, old_phone = duplicate.email, duplicate.phone
    staff = _staff(django_user_model, MEMBER_STAFF)
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=staff)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    merges = [entry for entry in supporter_timeline(supporter=survivor) if entry.kind == "merge"]
    assert [entry.detail for entry in merges] == [str(duplicate)]

    assert duplicate.status == Supporter.Status.MERGED
    assert duplicate.merged_into == survivor and duplicate.merged_at is not None
    assert duplicate.email == "" and duplicate.postal_code == "" and duplicate.notes == ""
    assert duplicate.family_name == "山田"  # the stub keeps its name only
    # Empty survivor fields filled; its own e-mail kept, the other one noted.
    assert survivor.postal_code == "100-0001" and survivor.prefecture == "東京都"
    assert survivor.phone == old_phone  # empty on the survivor: filled from the duplicate
    assert old_email in survivor.notes and "電話で寄付の申し出" in survivor.notes
    assert survivor.email != old_email

    for record in (survivor, duplicate):
        entry = ModelLogEntry.objects.get(object_id=str(record.pk), action=MERGE_LOG_ACTION)
        assert entry.user == staff
        assert entry.data["survivor"] == survivor.pk and entry.data["duplicate"] == duplicate.pk


def test_survivor_without_email_takes_the_duplicates_address_and_confirmation(db):
    survivor = SupporterFactory(email="", status=Supporter.Status.PENDING)
    confirmed = timezone.now() - datetime.timedelta(days=3)
    duplicate = SupporterFactory(email="hanako@example.jp", confirmed_at=confirmed)
    result = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    survivor.refresh_from_db()
    assert survivor.email == "hanako@example.jp" and "email" in result.filled
    assert survivor.confirmed_at == confirmed and survivor.status == Supporter.Status.ACTIVE


def test_volunteer_profiles_are_combined(pair):
    survivor, duplicate = pair
    cooking, driving = Skill.objects.create(name="調理"), Skill.objects.create(name="運転")
    ours = VolunteerProfile.objects.create(supporter=survivor, availability=["sat-am"])
    ours.skills.add(cooking)
    theirs = VolunteerProfile.objects.create(
        supporter=duplicate, availability=["wed-eve"], emergency_contact_name="山田 太郎"
    )
    theirs.skills.add(driving)
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    ours.refresh_from_db()
    assert set(ours.skills.all()) == {cooking, driving}
    assert ours.availability == ["sat-am", "wed-eve"]
    assert ours.emergency_contact_name == "山田 太郎"
    assert not VolunteerProfile.objects.filter(pk=theirs.pk).exists()


def test_newest_consent_across_both_records_is_in_force(pair):
    survivor, duplicate = pair
    consent_record(
        supporter=survivor, kind=ConsentRecord.Kind.NEWSLETTER, granted=True, source="portal"
    )
    later = ConsentRecord.objects.create(
        supporter=duplicate,
        kind=ConsentRecord.Kind.NEWSLETTER,
        granted=False,
        source="portal",
        recorded_at=timezone.now() + datetime.timedelta(seconds=5),
    )
    assert supporter_mailable(survivor, purpose=MailPurpose.MARKETING)
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    survivor.refresh_from_db()
    assert survivor.consents.count() == 2
    assert survivor.consents.order_by("-recorded_at").first() == later
    assert not supporter_mailable(survivor, purpose=MailPurpose.MARKETING)


def test_stub_is_not_mailed_listed_or_chosen(pair, client, django_user_model):
    survivor, duplicate = pair
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    duplicate.refresh_from_db()
    duplicate.email = "given-back-by-hand@example.jp"  # even with an address put back
    duplicate.status = Supporter.Status.ACTIVE
    assert not supporter_mailable(duplicate, purpose=MailPurpose.TRANSACTIONAL)

    client.force_login(_staff(django_user_model, MEMBER_STAFF))
    listed = client.get(reverse("supporter:index")).context["object_list"]
    assert survivor in listed and duplicate not in listed
    chosen = client.get(reverse("supporter_chooser:choose")).context["results"]
    assert survivor in chosen and duplicate not in chosen
    donors = client.get(reverse("donor_chooser:choose")).context["results"]
    assert survivor in donors and duplicate not in donors


def test_refusals_change_nothing(pair):
    survivor, duplicate = pair
    with pytest.raises(ValidationError):
        supporter_merge(survivor=survivor, duplicate=survivor, by_user=None)
    company = SupporterFactory(kind=Supporter.Kind.ORGANISATION, organisation_name="さくら商事")
    with pytest.raises(ValidationError):
        supporter_merge(survivor=company, duplicate=duplicate, by_user=None)
    DeletionRequest.objects.create(supporter=duplicate)  # pending: its review decides
    with pytest.raises(ValidationError):
        supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    DeletionRequest.objects.all().delete()

    other = SupporterFactory()
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError):  # into an already merged stub
        supporter_merge(survivor=duplicate, duplicate=other, by_user=None)
    with pytest.raises(ValidationError):  # the stub again
        supporter_merge(survivor=other, duplicate=duplicate, by_user=None)
    other.refresh_from_db()
    assert other.status == Supporter.Status.ACTIVE and other.merged_into is None


def test_anonymising_the_survivor_blanks_the_stubs_name_too(pair):
    survivor, duplicate = pair
    supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None)
    supporter_anonymise(supporter=survivor, reviewed_by=None)
    duplicate.refresh_from_db()
    assert duplicate.family_name == ANONYMISED_NAME and duplicate.given_name == ""
    assert duplicate.anonymised_at is not None
    assert duplicate.status == Supporter.Status.MERGED


def test_dry_run_reports_and_rolls_back(pair):
    survivor, duplicate = pair
    membership_start(supporter=duplicate, plan=MembershipPlanFactory())
    result = supporter_merge(survivor=survivor, duplicate=duplicate, by_user=None, dry_run=True)
    assert result.counts()["members.membership"] == 1
    duplicate.refresh_from_db()
    assert duplicate.status == Supporter.Status.ACTIVE
    assert Membership.objects.filter(supporter=duplicate).count() == 1
    assert not ModelLogEntry.objects.filter(action=MERGE_LOG_ACTION).exists()


# --- The staff screens ------------------------------------------------------------------------


def test_merge_screens_refuse_finance_and_editors_and_send_anonymous_to_login(
    pair, client, django_user_model
):
    survivor, duplicate = pair
    url = reverse("supporter:merge", args=[duplicate.pk])
    assert outcome(client.get(url)) == "login"
    assert outcome(client.post(url, {"into": survivor.pk})) == "login"
    for group in (FINANCE, EDITORS):
        client.force_login(_staff(django_user_model, group))
        assert outcome(client.get(url)) == "no"
        assert outcome(client.post(url, {"into": survivor.pk})) == "no"
    duplicate.refresh_from_db()
    assert duplicate.status == Supporter.Status.ACTIVE


def test_member_staff_confirm_then_merge(pair, client, django_user_model):
    survivor, duplicate = pair
    donation_record(
        supporter=duplicate,
        kind="one_off",
        method="bank_transfer",
        amount_yen=5000,
        paid_at=timezone.now(),
    )
    client.force_login(_staff(django_user_model, MEMBER_STAFF))
    url = reverse("supporter:merge", args=[duplicate.pk])
    assert client.get(url).status_code == 200
    confirm = client.get(url, {"into": survivor.pk})
    html = confirm.content.decode()
    assert "data-merge-confirm" in html and str(survivor) in html
    # Member staff see no money: no gift count, only that money records move too.
    assert not any("寄付" in label or "donation" in label for label, _n in confirm.context["moved"])
    assert confirm.context["moved_hidden"] is True
    assert Donation.objects.filter(supporter=duplicate).exists()  # the preview changed nothing

    response = client.post(url, {"into": survivor.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("supporter:inspect", args=[survivor.pk])
    assert Donation.objects.filter(supporter=survivor).count() == 1


def test_merge_into_itself_is_refused_on_the_confirm_screen(pair, client, django_user_model):
    _survivor, duplicate = pair
    client.force_login(_staff(django_user_model, MEMBER_STAFF))
    url = reverse("supporter:merge", args=[duplicate.pk])
    response = client.get(url, {"into": duplicate.pk})
    assert "data-merge-confirm" not in response.content.decode()
    assert response.context["form"].errors


def _cells(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    ]


def test_detail_page_summary_raw_fields_and_local_time(client, django_user_model):
    supporter = SupporterFactory(
        created_at=datetime.datetime(2026, 3, 31, 16, 30, tzinfo=datetime.UTC), notes=""
    )
    donation_record(
        supporter=supporter,
        kind="one_off",
        method="bank_transfer",
        amount_yen=12345,
        paid_at=timezone.now(),
    )
    client.force_login(_staff(django_user_model, MEMBER_STAFF, FINANCE))
    html = client.get(reverse("supporter:inspect", args=[supporter.pk])).content.decode()
    summary = html[html.index("data-supporter-summary") : html.index('id="timeline"')]
    assert supporter.display_name in summary and supporter.display_name_kana in summary
    assert (
        "¥12,345" in summary and reverse("donation:add") + f"?supporter={supporter.pk}" in summary
    )
    assert reverse("supporter:edit", args=[supporter.pk]) in summary
    assert reverse("supporter:login_link", args=[supporter.pk]) in summary
    assert html.index('id="timeline"') < html.index("data-raw-fields")
    raw = html[html.index("data-raw-fields") :]
    for raw_value in (">None<", ">True<", ">False<", "None</dd>", "True</dd>", "False</dd>"):
        assert raw_value not in raw
    assert "—" in raw  # empty fields (notes, confirmation...)
    # 16:30 UTC on 31 March is 1 April in Tokyo, shown exactly as the list shows it.
    listed = client.get(reverse("supporter:index")).content.decode()
    created_cell = next(cell for cell in _cells(listed) if "2026" in cell)
    assert "4月1日" in created_cell or "04-01" in created_cell
    assert created_cell in raw


def test_detail_page_shows_member_staff_no_money(client, django_user_model):
    supporter = SupporterFactory()
    donation_record(
        supporter=supporter,
        kind="one_off",
        method="bank_transfer",
        amount_yen=12345,
        paid_at=timezone.now(),
    )
    client.force_login(_staff(django_user_model, MEMBER_STAFF))
    html = client.get(reverse("supporter:inspect", args=[supporter.pk])).content.decode()
    assert "¥12,345" not in html and reverse("donation:add") not in html
    assert reverse("supporter:merge", args=[supporter.pk]) in html


def test_login_link_button_sends_through_the_one_mail_path(pair, client, django_user_model):
    survivor, _duplicate = pair
    url = reverse("supporter:login_link", args=[survivor.pk])
    assert outcome(client.post(url)) == "login"
    client.force_login(_staff(django_user_model, FINANCE))
    assert outcome(client.post(url)) == "no"
    client.force_login(_staff(django_user_model, MEMBER_STAFF))
    response = client.post(url)  # no portal page in this database: nothing is sent
    assert response.status_code == 302
    assert not AccessToken.objects.filter(supporter=survivor).exists()
