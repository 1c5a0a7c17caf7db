"""A finished member import says what it did, not the supporter timeline's "インポートで登録"."""

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from members.import_progress import member_import_status_label
from members.imports import member_import_create, member_import_run, member_import_validate
from members.models import MemberImport, Supporter
from members.selectors import supporter_timeline

Status = MemberImport.Status


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


def imported() -> MemberImport:
    Supporter.objects.create(
        family_name="既存", family_name_kana="キゾン", email="old@example.org", status="active"
    )
    content = "姓,セイ,メールアドレス\r\n山田,ヤマダ,\r\n佐藤,サトウ,\r\n"
    content += "既存,キゾン,old@example.org\r\n"
    upload = SimpleUploadedFile("members.csv", content.encode())
    member_import = member_import_create(upload=upload, user=None)
    member_import_validate(member_import_id=member_import.pk)
    done = member_import_run(member_import_id=member_import.pk)
    assert (done.status, done.created_count, done.updated_count) == (Status.DONE, 2, 1)
    return done


@pytest.mark.django_db
def test_a_finished_import_reads_as_imported_with_its_counts(admin_client):
    done = imported()
    with translation.override("en"):
        label = member_import_status_label(member_import=done)
        assert label == "Imported: 2 new, 1 updated"
        response = admin_client.get(f"/admin/member-imports/{done.pk}/progress/")
    progress = json.loads(response.content)
    assert progress["finished"] is True
    detail = admin_client.get(f"/admin/member-imports/{done.pk}/").content.decode()
    listing = admin_client.get("/admin/member-imports/").content.decode()
    for text in (progress["status_label"], detail, listing):
        assert "インポートで登録" not in text
    # The admin speaks Japanese: the label there is the Japanese one, with both counts.
    with translation.override("ja"):
        japanese = member_import_status_label(member_import=done)
    assert japanese == progress["status_label"]
    assert "2" in japanese and "1" in japanese
    assert f"<span data-job-status>{japanese}</span>" in detail
    assert f"<td>{japanese}</td>" in listing


@pytest.mark.django_db
def test_the_status_and_the_timelines_imported_entry_are_translated_apart():
    # Both were the one msgid "Imported"; the timeline keeps "インポートで登録".
    with translation.override("ja"):
        assert str(Status.DONE.label) != "インポートで登録"
        supporter = Supporter.objects.create(
            family_name="山田", family_name_kana="ヤマダ", source=Supporter.Source.IMPORT
        )
        entries = supporter_timeline(supporter=supporter)
        assert str(entries[-1].title) == "インポートで登録"
    # Unfinished statuses keep their own labels.
    other = MemberImport(status=Status.VALIDATED)
    assert member_import_status_label(member_import=other) == str(Status.VALIDATED.label)
