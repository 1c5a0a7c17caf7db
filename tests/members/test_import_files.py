"""Uploaded member lists: private file modes, deleted once imported, cancelled or 24 hours old."""

import datetime
import os
import stat
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members import imports
from members.import_files import member_import_cancel, member_import_files_purge
from members.imports import (
    member_import_confirm,
    member_import_create,
    member_import_run,
    member_import_validate,
)
from members.models import MemberImport, Supporter, User
from members.tasks import member_import_files_purge_hourly
from ouendan.core.storage import private_storage

Status = MemberImport.Status
GOOD = "姓,セイ\r\n山田,ヤマダ\r\n".encode()
BAD = "姓,セイ\r\n山田,Yamada\r\n".encode()


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def default_umask():
    old = os.umask(0o022)  # what a server process usually runs with
    yield
    os.umask(old)


def uploaded(content: bytes = GOOD) -> MemberImport:
    member_import = member_import_create(
        upload=SimpleUploadedFile("members.csv", content), user=None
    )
    return member_import_validate(member_import_id=member_import.pk)


def on_disk(member_import: MemberImport) -> bool:
    return Path(member_import.file.path).exists()


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- File modes --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_uploaded_lists_are_written_0600(default_umask):
    member_import = uploaded()
    assert mode(member_import.file.path) == 0o600


def test_private_folders_are_created_0700(default_umask, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    storage = private_storage()
    name = storage.save("member-imports/2026/12/list.csv", ContentFile(b"x"))
    assert mode(storage.path(name)) == 0o600
    for folder in ("member-imports/2026/12", "member-imports/2026", "member-imports"):
        assert mode(tmp_path / "private" / folder) == 0o700, folder


# --- Deleted once imported or cancelled --------------------------------------------------------


@pytest.mark.django_db
def test_the_file_is_deleted_once_imported():
    member_import = uploaded()
    assert on_disk(member_import)
    member_import = member_import_run(member_import_id=member_import.pk)
    assert member_import.status == Status.DONE
    assert not on_disk(member_import)
    assert member_import.file_deleted_at is not None
    member_import.refresh_from_db()
    assert member_import.file_deleted_at is not None
    assert Supporter.objects.count() == 1


@pytest.mark.django_db
def test_cancelling_deletes_the_file_and_nothing_can_be_imported_after(admin_client):
    member_import = uploaded()
    response = admin_client.post(f"/admin/member-imports/{member_import.pk}/cancel/")
    assert response.status_code == 302
    member_import.refresh_from_db()
    assert member_import.status == Status.CANCELLED
    assert member_import.file_deleted_at is not None
    assert not on_disk(member_import)
    assert not member_import_confirm(member_import_id=member_import.pk)
    assert member_import_run(member_import_id=member_import.pk).status == Status.CANCELLED
    assert Supporter.objects.count() == 0

    page = admin_client.get(f"/admin/member-imports/{member_import.pk}/").content.decode()
    assert "/confirm/" not in page and "/cancel/" not in page
    assert "data-file-deleted" in page


@pytest.mark.django_db
def test_the_file_of_an_import_with_errors_can_be_deleted_at_once():
    member_import = uploaded(BAD)
    assert member_import.status == Status.INVALID
    assert member_import_cancel(member_import_id=member_import.pk)
    member_import.refresh_from_db()
    assert member_import.status == Status.INVALID  # its errors stay readable
    assert member_import.file_deleted_at is not None and not on_disk(member_import)


@pytest.mark.django_db
def test_an_import_being_written_cannot_be_cancelled():
    member_import = uploaded()
    assert member_import_confirm(member_import_id=member_import.pk) is True
    member_import.refresh_from_db()
    assert member_import.status == Status.IMPORTING
    assert member_import_cancel(member_import_id=member_import.pk) is False
    member_import.refresh_from_db()
    assert member_import.file_deleted_at is None and on_disk(member_import)


@pytest.mark.django_db
def test_cancel_is_refused_to_staff_without_the_import_permission(client):
    member_import = uploaded()
    url = f"/admin/member-imports/{member_import.pk}/cancel/"
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")

    viewer = User.objects.create_user(username="viewer", password="pw")
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["access_admin", "view_supporter"])
    )
    client.force_login(viewer)
    response = client.post(url)
    # Refused (Wagtail sends PermissionDenied to the dashboard), not sent to the login page.
    assert (response.status_code, response.get("Location")) in {(403, None), (302, "/admin/")}
    member_import.refresh_from_db()
    assert member_import.status == Status.VALIDATED and on_disk(member_import)


# --- Deleted after 24 hours, whatever happened -------------------------------------------------


def aged(member_import: MemberImport, hours: float) -> MemberImport:
    created = timezone.now() - datetime.timedelta(hours=hours)
    MemberImport.objects.filter(pk=member_import.pk).update(created_at=created)
    member_import.refresh_from_db()
    return member_import


@pytest.mark.django_db
def test_the_hourly_purge_deletes_every_file_a_day_old_and_is_idempotent():
    invalid = aged(uploaded(BAD), 25)
    waiting = aged(uploaded(), 25)
    failed = aged(uploaded(), 25)
    MemberImport.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    recent_invalid = aged(uploaded(BAD), 23)
    recent_waiting = aged(uploaded(), 1)

    assert member_import_files_purge() == 3

    for item in (invalid, waiting, failed):
        item.refresh_from_db()
        assert item.file_deleted_at is not None, item.status
        assert not on_disk(item)
    assert invalid.status == Status.INVALID
    assert failed.status == Status.FAILED
    # Not confirmed within a day: closed, and staff are told why.
    assert waiting.status == Status.CANCELLED
    assert "24 hours" in waiting.errors[0]["en"]
    assert not member_import_confirm(member_import_id=waiting.pk)
    for item in (recent_invalid, recent_waiting):
        item.refresh_from_db()
        assert item.file_deleted_at is None and on_disk(item)

    assert member_import_files_purge() == 0  # nothing left to do
    later = timezone.now() + datetime.timedelta(hours=24)
    assert member_import_files_purge(now=later) == 2


@pytest.mark.django_db
def test_the_purge_finishes_an_import_whose_file_is_already_gone():
    member_import = aged(uploaded(BAD), 30)
    os.remove(member_import.file.path)  # e.g. a crash between deleting and noting it
    assert member_import_files_purge() == 1
    member_import.refresh_from_db()
    assert member_import.file_deleted_at is not None


@pytest.mark.django_db
def test_the_purge_leaves_an_import_a_worker_is_on_and_closes_a_stuck_one():
    busy = aged(uploaded(), 25)
    stuck = aged(uploaded(), 25)
    MemberImport.objects.filter(pk__in=[busy.pk, stuck.pk]).update(status=Status.IMPORTING)
    cache.set(imports._lock_key(busy.pk), "run", 60)
    assert member_import_files_purge() == 1
    busy.refresh_from_db()
    stuck.refresh_from_db()
    assert (busy.status, busy.file_deleted_at) == (Status.IMPORTING, None)
    assert on_disk(busy)
    assert stuck.status == Status.FAILED and stuck.file_deleted_at is not None


@pytest.mark.django_db
def test_the_purge_runs_every_hour_as_a_periodic_task():
    member_import = uploaded()
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.DONE)
    task = member_import_files_purge_hourly.task_class()
    hours = [
        datetime.datetime(2026, 12, 1, hour, 17) for hour in range(24)
    ]  # validate_datetime takes UTC wall time
    assert all(task.validate_datetime(moment) for moment in hours)
    assert not task.validate_datetime(datetime.datetime(2026, 12, 1, 3, 18))
    member_import_files_purge_hourly()  # immediate mode in tests
    member_import.refresh_from_db()
    assert member_import.file_deleted_at is not None and not on_disk(member_import)


# --- Staff see that the file is gone -----------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_when_the_file_was_deleted_in_local_time(admin_client):
    gone = uploaded()
    kept = uploaded(BAD)
    deleted_at = datetime.datetime(2026, 12, 1, 1, 5, tzinfo=datetime.UTC)  # 10:05 in Tokyo
    MemberImport.objects.filter(pk=gone.pk).update(file_deleted_at=deleted_at)

    listing = admin_client.get("/admin/member-imports/").content.decode()
    assert "2026-12-01 10:05" in listing
    assert listing.count("data-file-deleted") == 1
    assert listing.count("data-file-kept") == 1

    detail = admin_client.get(f"/admin/member-imports/{gone.pk}/").content.decode()
    assert "data-file-deleted" in detail and "2026-12-01 10:05" in detail
    detail = admin_client.get(f"/admin/member-imports/{kept.pk}/").content.decode()
    kept_until = timezone.localtime(kept.created_at + datetime.timedelta(hours=24))
    assert kept_until.strftime("%Y-%m-%d %H:%M") in detail
    assert f'action="/admin/member-imports/{kept.pk}/cancel/"' in detail
