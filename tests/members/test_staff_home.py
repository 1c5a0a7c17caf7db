"""The staff home's members figures: deletion requests, imports needing staff, new supporters."""

import datetime

import pytest
from django.utils import timezone

from members import selectors
from members.groups import FINANCE, MEMBER_STAFF
from members.models import DeletionRequest, MemberImport, Supporter
from ouendan.core.staff_home import this_month
from tests.members.factories import SupporterFactory
from tests.staff_home_helpers import home_items, staff_user

pytestmark = pytest.mark.django_db


def test_deletion_requests_waiting(client, django_user_model):
    for status in ("pending", "pending", "completed", "rejected"):
        DeletionRequest.objects.create(supporter=SupporterFactory(), status=status)
    assert selectors.deletion_requests_waiting_count() == 2

    client.force_login(staff_user(django_user_model, MEMBER_STAFF))
    item = home_items(client)["deletion_requests"]
    assert item["count"] == 2
    listed = client.get(item["url"]).context["object_list"]
    assert {row.status for row in listed} == {"pending"} and len(listed) == 2


def test_imports_running_or_waiting_for_staff(client, django_user_model):
    Status = MemberImport.Status
    now = timezone.now()
    for status, file_deleted_at in [
        (Status.VALIDATING, None),  # running
        (Status.IMPORTING, None),  # running
        (Status.VALIDATED, None),  # waiting for "Import"
        (Status.FAILED, None),  # failed, its file still kept
        (Status.INVALID, now),  # errors, file gone: nothing left to do but upload again
        (Status.DONE, now),
        (Status.CANCELLED, now),
    ]:
        MemberImport.objects.create(
            original_name=f"{status}.csv", status=status, file_deleted_at=file_deleted_at
        )
    assert selectors.member_imports_attention_count() == 4

    client.force_login(staff_user(django_user_model, MEMBER_STAFF))
    item = home_items(client)["member_imports"]
    assert item["count"] == 4
    assert client.get(item["url"]).status_code == 200


def test_new_supporters_this_month(client, django_user_model):
    month = this_month()
    SupporterFactory(created_at=month.start)
    SupporterFactory(created_at=timezone.now())
    SupporterFactory(created_at=timezone.now(), status=Supporter.Status.PENDING)  # not confirmed
    SupporterFactory(created_at=month.start - datetime.timedelta(seconds=1))  # last month
    assert selectors.supporters_new_count(since=month.start) == 2

    for group in (MEMBER_STAFF, FINANCE):
        client.force_login(staff_user(django_user_model, group))
        item = home_items(client)["new_supporters"]
        assert item["count"] == 2
        # The link filters the supporter list on this month's days: the same two people.
        assert len(client.get(item["url"]).context["object_list"]) == 2


def test_finance_see_no_member_work(client, django_user_model):
    client.force_login(staff_user(django_user_model, FINANCE))
    assert not {"deletion_requests", "member_imports"} & set(home_items(client))
