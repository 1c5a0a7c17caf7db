"""The rows staff look over before confirming an import: new supporters as a table, and for
updates only the fields that change (old → new); bounded, and built without a query per row."""

import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import import_preview
from members.import_files import member_import_cancel
from members.imports import member_import_create, member_import_run, member_import_validate
from members.models import MemberImport, Supporter

Status = MemberImport.Status
HEADER = ["種別", "姓", "名", "セイ", "メイ", "メールアドレス", "電話番号", "ボランティア", "備考"]


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


def csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def uploaded(rows: list[list]) -> MemberImport:
    upload = SimpleUploadedFile("members.csv", csv_bytes(rows))
    return member_import_create(upload=upload, user=None)


def check(rows: list[list]) -> MemberImport:
    return member_import_validate(member_import_id=uploaded(rows).pk)


def existing(number: int, **values) -> Supporter:
    defaults = {
        "family_name": "既存",
        "given_name": f"{number}",
        "family_name_kana": "キゾン",
        "email": f"old{number}@example.org",
        "phone": "090-0000-0000",
        "status": Supporter.Status.ACTIVE,
    }
    return Supporter.objects.create(**{**defaults, **values})


@pytest.mark.django_db
def test_new_rows_and_the_changed_fields_of_updates_are_shown_before_confirming(admin_client):
    old = existing(1, is_volunteer=False, notes="古いメモ")
    rows = [
        HEADER,
        ["個人", "山田", "花子", "ヤマダ", "ハナコ", "hanako@example.jp", "", "はい", ""],
        # Same e-mail (any case): an update. Phone and volunteer change; notes blank: kept;
        # the name is written as it is held: no change shown.
        ["", "既存", "1", "キゾン", "", "OLD1@example.org", "080-1111-2222", "はい", ""],
    ]
    member_import = check(rows)
    assert member_import.status == Status.VALIDATED, member_import.errors
    (new,) = member_import.preview["new"]
    assert (new["line"], new["values"]["family_name"], new["values"]["is_volunteer"]) == (
        2,
        "山田",
        True,
    )
    (updated,) = member_import.preview["updated"]
    assert updated["supporter"] == old.pk
    assert {c["field"]: (c["old"], c["new"]) for c in updated["changes"]} == {
        "phone": ("090-0000-0000", "080-1111-2222"),
        "is_volunteer": (False, True),
    }

    page = admin_client.get(f"/admin/member-imports/{member_import.pk}/").content.decode()
    assert "data-preview-new" in page and "data-preview-updated" in page
    assert "<td>山田</td>" in page and "<td>hanako@example.jp</td>" in page
    assert "<td>はい</td>" in page  # labels, never True
    assert "<del>090-0000-0000</del>" in page and "<ins>080-1111-2222</ins>" in page
    assert "<del>いいえ</del>" in page and "<ins>はい</ins>" in page
    assert page.count("data-change") == 2  # only what changes; the unchanged name is not listed
    assert "古いメモ" not in page
    # Nothing is written by looking.
    old.refresh_from_db()
    assert (old.phone, Supporter.objects.count()) == ("090-0000-0000", 1)


@pytest.mark.django_db
def test_the_preview_is_bounded_and_says_how_many_rows_it_leaves_out(admin_client, monkeypatch):
    monkeypatch.setattr(import_preview, "PREVIEW_ROWS", 5)
    for number in range(8):
        existing(number)
    rows = [HEADER]
    rows += [["", f"新規{n}", "", "シンキ", "", f"new{n}@example.jp"] for n in range(12)]
    rows += [["", "既存", "", "キゾン", "", f"old{n}@example.org"] for n in range(8)]
    member_import = check(rows)
    assert (member_import.created_count, member_import.updated_count) == (12, 8)
    assert len(member_import.preview["new"]) == 5
    assert len(member_import.preview["updated"]) == 5
    page = admin_client.get(f"/admin/member-imports/{member_import.pk}/").content.decode()
    assert page.count("<td>新規") == 5
    assert "新規5" not in page
    section = page[page.index("data-import-preview") :]
    assert " 5 " in section and " 12 " in section and " 8 " in section


def _queries_to_check(rows: list[list]) -> int:
    member_import = uploaded(rows)
    with CaptureQueriesContext(connection) as queries:
        checked = member_import_validate(member_import_id=member_import.pk)
    assert checked.status == Status.VALIDATED, checked.errors[:3]
    assert checked.preview["new"] and checked.preview["updated"]
    return len(queries)


def _rows(count: int, offset: int) -> list[list]:
    """Half new rows, half updates of existing supporters."""
    rows = [HEADER]
    for n in range(count):
        if n % 2:
            rows.append(["", "既存", "", "キゾン", "", f"old{n}@example.org", "", "", "更新"])
        else:
            rows.append(["", "新規", "", "シンキ", "", f"new{offset + n}@example.jp", "", "", ""])
    return rows


@pytest.mark.django_db
def test_building_the_preview_takes_the_same_queries_for_10_or_300_rows(
    django_assert_max_num_queries, admin_client
):
    Supporter.objects.bulk_create(
        Supporter(
            family_name="既存",
            family_name_kana="キゾン",
            email=f"old{number}@example.org",
            status=Supporter.Status.ACTIVE,
        )
        for number in range(300)
    )
    small = _queries_to_check(_rows(10, 0))
    large = _queries_to_check(_rows(300, 1000))
    assert small == large
    member_import = uploaded(_rows(200, 5000))
    with django_assert_max_num_queries(small):
        member_import_validate(member_import_id=member_import.pk)

    # The page reads the stored preview: its queries do not grow with the rows either.
    pages = []
    for count, offset in ((4, 10_000), (200, 20_000)):
        member_import = check(_rows(count, offset))
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(f"/admin/member-imports/{member_import.pk}/")
        assert response.status_code == 200
        pages.append(len(queries))
    assert pages[0] == pages[1]


@pytest.mark.django_db
def test_the_preview_goes_with_the_file_and_is_not_kept_for_a_file_with_errors(admin_client):
    invalid = check([HEADER, ["", "山田", "", "Yamada", "", "", "", "", ""]])
    assert invalid.status == Status.INVALID
    assert invalid.preview == {}

    cancelled = check([HEADER, ["", "山田", "", "ヤマダ", "", "", "", "", ""]])
    assert cancelled.preview["new"]
    assert member_import_cancel(member_import_id=cancelled.pk)
    cancelled.refresh_from_db()
    assert cancelled.preview == {}

    failed = check([HEADER, ["", "鈴木", "", "スズキ", "", "", "", "", ""]])
    MemberImport.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    page = admin_client.get(f"/admin/member-imports/{failed.pk}/").content.decode()
    assert "data-import-preview" not in page  # nothing "will be written" by a failed import

    done = check([HEADER, ["", "佐藤", "", "サトウ", "", "", "", "", ""]])
    assert done.preview["new"]
    done = member_import_run(member_import_id=done.pk)
    assert done.status == Status.DONE
    done.refresh_from_db()
    assert (done.preview, done.file_deleted_at is not None) == ({}, True)
