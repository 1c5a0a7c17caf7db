"""The member import's first check: every duplicate at once, whole addresses, unknown postal codes.

Also the same address rule on the join form and the portal's profile form, which share
members/addresses.py with the import.
"""

import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from members.addresses import address_normalise
from members.forms import ProfileForm
from members.imports import member_import_create, member_import_run, member_import_validate
from members.models import MemberImport, Supporter

Status = MemberImport.Status


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


def check(rows: list[list]) -> MemberImport:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    upload = SimpleUploadedFile("members.csv", buffer.getvalue().encode())
    member_import = member_import_create(upload=upload, user=None)
    return member_import_validate(member_import_id=member_import.pk)


def errors_by_line(member_import: MemberImport) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for error in member_import.errors:
        found.setdefault(error["line"], []).append(error)
    return found


# --- Every duplicate in the first pass ---------------------------------------------------------


@pytest.mark.django_db
def test_duplicate_emails_are_reported_even_when_the_first_line_has_another_error():
    rows = [
        ["姓", "セイ", "メールアドレス", "電話番号"],
        ["山田", "ヤマダ", "hanako@example.jp", "12345"],  # bad phone: before, line 4 looked fine
        ["佐藤", "サトウ", "sato@example.jp", ""],
        ["山田", "ヤマダ", "Hanako@Example.JP", ""],
        ["鈴木", "Suzuki", "HANAKO@example.jp", ""],  # a second repeat, with its own error
        ["田中", "タナカ", "sato@EXAMPLE.jp", "1"],
    ]
    member_import = check(rows)
    assert member_import.status == Status.INVALID
    found = errors_by_line(member_import)
    assert [e["column"] for e in found[2]] == ["電話番号"]
    assert 3 not in found
    assert [(e["column"], e["en"]) for e in found[4]] == [
        ("メールアドレス", "The same e-mail address is on line 2.")
    ]
    assert "2" in found[4][0]["ja"]
    assert {e["column"] for e in found[5]} == {"セイ", "メールアドレス"}
    assert any("line 2" in e["en"] for e in found[5])
    assert {e["column"] for e in found[6]} == {"電話番号", "メールアドレス"}
    assert any("line 3" in e["en"] for e in found[6])


@pytest.mark.django_db
def test_duplicate_kana_and_phone_are_reported_alongside_other_errors():
    rows = [
        ["姓", "セイ", "電話番号", "郵便番号"],
        ["山田", "ヤマダ", "090-1234-5678", "12-34"],  # bad postal code
        ["山田", "やまだ", "０９０１２３４５６７８", ""],
    ]
    found = errors_by_line(check(rows))
    assert [e["column"] for e in found[2]] == ["郵便番号"]
    assert [e["en"] for e in found[3]] == ["The same kana name and phone number are on line 2."]


@pytest.mark.django_db
def test_a_row_with_a_bad_kana_is_not_also_reported_as_missing_it():
    found = errors_by_line(check([["姓", "セイ"], ["山田", "Yamada"]]))
    assert [e["column"] for e in found[2]] == ["セイ"]


# --- 住所: a whole address is split, never stored twice ---------------------------------------


def imported(rows: list[list]) -> tuple[MemberImport, Supporter]:
    member_import = check(rows)
    assert member_import.status == Status.VALIDATED, member_import.errors
    member_import = member_import_run(member_import_id=member_import.pk)
    assert member_import.status == Status.DONE, member_import.errors
    return member_import, Supporter.objects.get()


@pytest.mark.django_db
def test_a_whole_address_with_a_postal_code_is_not_stored_twice():
    _import, supporter = imported(
        [
            ["姓", "セイ", "郵便番号", "住所"],
            ["山田", "ヤマダ", "352-0011", "埼玉県新座市野火止1-2-3"],
        ]
    )
    assert (supporter.prefecture, supporter.city, supporter.address_line) == (
        "埼玉県",
        "新座市",
        "野火止1-2-3",
    )
    printed = supporter.prefecture + supporter.city + supporter.address_line
    assert printed == "埼玉県新座市野火止1-2-3"
    assert _import.warnings == []


@pytest.mark.django_db
def test_a_whole_address_without_a_postal_code_is_split_into_prefecture_and_city():
    _import, supporter = imported(
        [["姓", "セイ", "住所"], ["山田", "ヤマダ", "埼玉県 新座市 野火止１－２－３"]]
    )
    assert (supporter.prefecture, supporter.city, supporter.address_line) == (
        "埼玉県",
        "新座市",
        "野火止1-2-3",
    )


@pytest.mark.django_db
def test_full_width_digits_and_a_city_already_in_its_own_column():
    _import, supporter = imported(
        [
            ["姓", "セイ", "郵便番号", "都道府県", "市区町村", "住所"],
            [
                "山田",
                "ヤマダ",
                "〒３５２－００１１",
                "埼玉県",
                "新座市",
                "新座市野火止１丁目２－３",
            ],
        ]
    )
    assert supporter.postal_code == "352-0011"
    assert (supporter.prefecture, supporter.city, supporter.address_line) == (
        "埼玉県",
        "新座市",
        "野火止1丁目2-3",
    )


@pytest.mark.django_db
def test_a_postal_code_for_another_city_keeps_the_written_address_and_warns():
    member_import, supporter = imported(
        [
            ["姓", "セイ", "郵便番号", "住所"],
            ["山田", "ヤマダ", "352-0011", "東京都練馬区豊玉北1-2-3"],
        ]
    )
    assert (supporter.prefecture, supporter.city, supporter.address_line) == (
        "東京都",
        "練馬区",
        "豊玉北1-2-3",
    )
    assert len(member_import.warnings) == 1
    warning = member_import.warnings[0]
    assert (warning["line"], warning["column"]) == (2, "住所")
    assert "352-0011 is for 埼玉県新座市, but the address says 東京都練馬区" in warning["en"]
    assert "352-0011" in warning["ja"]  # worded through the ja catalogue


# --- A postal code that does not exist ---------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_postal_code_is_a_warning_and_fills_nothing():
    rows = [
        ["姓", "セイ", "郵便番号", "町名番地"],
        ["山田", "ヤマダ", "999-9999", "野火止1-2-3"],
        ["佐藤", "サトウ", "100-0001", "千代田1-1"],
    ]
    member_import = check(rows)
    assert member_import.status == Status.VALIDATED  # a warning does not block the import
    assert [(w["line"], w["column"]) for w in member_import.warnings] == [(2, "郵便番号")]
    assert "999-9999 does not exist" in member_import.warnings[0]["en"]
    assert "999-9999" in member_import.warnings[0]["ja"]

    member_import = member_import_run(member_import_id=member_import.pk)
    assert len(member_import.warnings) == 1  # still shown once imported
    yamada = Supporter.objects.get(family_name="山田")
    assert (yamada.postal_code, yamada.prefecture, yamada.city) == ("999-9999", "", "")
    assert yamada.address_line == "野火止1-2-3"
    sato = Supporter.objects.get(family_name="佐藤")
    assert (sato.prefecture, sato.city) == ("東京都", "千代田区")


@pytest.mark.django_db
def test_warnings_are_shown_to_staff_on_the_result_page(admin_client):
    member_import = check([["姓", "セイ", "郵便番号"], ["山田", "ヤマダ", "999-9999"]])
    page = admin_client.get(f"/admin/member-imports/{member_import.pk}/").content.decode()
    assert "<td>2</td><td>郵便番号</td>" in page
    assert "999-9999" in page
    assert f'action="/admin/member-imports/{member_import.pk}/confirm/"' in page


# --- The same rule on the join and profile forms -----------------------------------------------


@pytest.mark.parametrize(
    ("postal_code", "prefecture", "city", "line", "expected"),
    [
        ("352-0011", "", "", "埼玉県新座市野火止1-2-3", ("埼玉県", "新座市", "野火止1-2-3")),
        (
            "352-0011",
            "埼玉県",
            "新座市",
            "埼玉県新座市野火止1-2-3",
            ("埼玉県", "新座市", "野火止1-2-3"),
        ),
        ("", "", "", "新座市野火止1-2-3", ("埼玉県", "新座市", "野火止1-2-3")),
        ("355-0211", "", "", "嵐山町杉山1", ("埼玉県", "比企郡嵐山町", "杉山1")),
        ("330-0063", "", "", "さいたま市浦和区高砂1", ("埼玉県", "さいたま市浦和区", "高砂1")),
        ("510-0001", "", "", "四日市市八田1", ("三重県", "四日市市", "八田1")),
        ("100-0001", "", "", "千代田1番1号", ("東京都", "千代田区", "千代田1番1号")),
        (
            "",
            "埼玉県",
            "さくら野市",
            "埼玉県さくら野市本町1-2",
            ("埼玉県", "さくら野市", "本町1-2"),
        ),
        # 中央区 alone could be Tokyo's, Sapporo's or Osaka's: nothing is guessed.
        ("", "", "", "中央区南1条", ("", "", "中央区南1条")),
        ("999-9999", "", "", "野火止1-2-3", ("", "", "野火止1-2-3")),
    ],
)
def test_address_normalise(postal_code, prefecture, city, line, expected):
    address = address_normalise(
        postal_code=postal_code, prefecture=prefecture, city=city, address_line=line
    )
    assert (address.prefecture, address.city, address.address_line) == expected


def test_two_different_places_keep_every_part_and_warn():
    address = address_normalise(
        postal_code="", prefecture="東京都", city="練馬区", address_line="埼玉県新座市野火止1"
    )
    assert (address.prefecture, address.city, address.address_line) == (
        "東京都",
        "練馬区",
        "埼玉県新座市野火止1",
    )
    assert len(address.notes) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("given", [("", ""), ("埼玉県", "新座市")])
def test_the_profile_form_splits_a_whole_address_typed_as_the_street(given):
    supporter = Supporter.objects.create(family_name="山田", family_name_kana="ヤマダ")
    form = ProfileForm(
        {
            "family_name": "山田",
            "given_name": "花子",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "ハナコ",
            "postal_code": "３５２００１１",
            "prefecture": given[0],
            "city": given[1],
            "address_line": "埼玉県新座市野火止１－２－３",
            "preferred_language": "ja",
        },
        supporter=supporter,
    )
    assert form.is_valid(), form.errors
    values = form.changes()
    assert (values["prefecture"], values["city"], values["address_line"]) == (
        "埼玉県",
        "新座市",
        "野火止1-2-3",
    )
