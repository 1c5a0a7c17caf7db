"""The member import's blank template (CSV and XLSX) and the allowed values on the import screen,
all read off the definitions the importer checks with."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from members.import_preview import EXAMPLE_EMAIL
from members.import_template import import_template_columns
from members.imports import member_import_create, member_import_run, member_import_validate
from members.models import MemberImport, Supporter, User
from members.resources import IMPORT_COLUMNS, KindWidget, SupporterResource, YesNoWidget

Status = MemberImport.Status
HEADERS = [header for _name, header in IMPORT_COLUMNS]


@pytest.fixture(autouse=True)
def _cache():
    cache.clear()
    yield
    cache.clear()


def check(content: bytes, name: str = "members.csv") -> MemberImport:
    member_import = member_import_create(upload=SimpleUploadedFile(name, content), user=None)
    return member_import_validate(member_import_id=member_import.pk)


def csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def staff_user(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username=username, password="pw")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["wagtailadmin", "members"],
            codename__in=["access_admin", *codenames],
        )
    )
    return user


def row(**values) -> list[str]:
    return [values.get(name, "") for name, _header in IMPORT_COLUMNS]


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_csv_template_has_the_importers_headers_and_an_example_that_imports(client):
    client.force_login(staff_user("importer", "add_supporter"))
    response = client.get("/admin/member-imports/template/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())  # BOM: Excel reads the Japanese right
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == HEADERS
    assert len(lines) == 2
    known = SupporterResource.import_headers()
    from members.resources import header_key

    assert [known[header_key(h)] for h in lines[0]] == [n for n, _h in IMPORT_COLUMNS]

    # Downloaded and uploaded as it is: valid, with a warning about the example row left in.
    as_is = check(response.content)
    assert as_is.status == Status.VALIDATED, as_is.errors
    assert [w["line"] for w in as_is.warnings] == [2]
    assert EXAMPLE_EMAIL in as_is.warnings[0]["en"]

    # Filled in: the example row replaced by staff's own rows imports with no error or warning.
    filled = lines[:1] + [
        row(kind="個人", family_name="佐藤", family_name_kana="サトウ", email="sato@example.jp"),
        row(
            kind="法人",
            organisation_name="株式会社さくら",
            organisation_name_kana="カブシキガイシャサクラ",
            postal_code="530-0001",
            is_volunteer="いいえ",
        ),
    ]
    member_import = check(csv_bytes(filled))
    assert member_import.status == Status.VALIDATED, member_import.errors
    assert (member_import.errors, member_import.warnings) == ([], [])
    member_import_run(member_import_id=member_import.pk)
    assert (
        Supporter.objects.filter(kind=Supporter.Kind.ORGANISATION, city="大阪市北区").count() == 1
    )
    assert Supporter.objects.count() == 2


# --- XLSX ----------------------------------------------------------------------------------------


def _validations(sheet) -> dict[str, tuple[str, str]]:
    """Column letter → (list formula, error style) of the sheet's drop-down lists."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        for cell_range in validation.sqref.ranges:
            assert cell_range.min_row == 2 and cell_range.max_row >= 100_001
            found[cell_range.coord.split(":")[0].rstrip("0123456789")] = (
                validation.formula1,
                validation.errorStyle,
            )
    return found


def _listed(values_sheet, formula: str) -> list[str]:
    cells = formula.split("!")[1].replace("$", "")
    return [cell.value for (cell,) in values_sheet[cells.split(":")[0] : cells.split(":")[1]]]


@pytest.mark.django_db
def test_the_xlsx_template_has_drop_downs_and_a_sheet_of_allowed_values(client):
    client.force_login(staff_user("importer", "add_supporter"))
    response = client.get("/admin/member-imports/template/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, values_sheet = workbook.worksheets
    assert [c.value for c in sheet[1]] == HEADERS
    assert [c.value for c in sheet[2]][HEADERS.index("メールアドレス")] == EXAMPLE_EMAIL

    validations = _validations(sheet)
    letters = {header: openpyxl.utils.get_column_letter(i) for i, header in enumerate(HEADERS, 1)}
    assert set(validations) == {letters["種別"], letters["ボランティア"], letters["都道府県"]}
    kind_formula, kind_style = validations[letters["種別"]]
    assert values_sheet.title in kind_formula
    assert _listed(values_sheet, kind_formula) == ["個人", "法人"]
    assert kind_style == "stop"  # the importer refuses anything else
    assert _listed(values_sheet, validations[letters["ボランティア"]][0]) == ["はい", "いいえ"]
    prefectures, style = validations[letters["都道府県"]]
    assert len(_listed(values_sheet, prefectures)) == 47
    assert style == "warning"  # a suggestion: other text is kept as written
    # The second sheet also names the other spellings the importer takes.
    sheet_text = " ".join(str(c) for r in values_sheet.iter_rows(values_only=True) for c in r)
    for spelling in ("団体", "organisation", "yes", "○", "なし"):
        assert spelling in sheet_text

    # Staff fill the template in Excel (the example row replaced) and upload it.
    sheet.delete_rows(2)
    sheet.append(
        row(kind="法人", organisation_name="NPO法人ひだまり", organisation_name_kana="ヒダマリ")
    )
    sheet.append(
        row(
            kind="個人",
            family_name="田中",
            family_name_kana="タナカ",
            prefecture="埼玉県",
            city="新座市",
            address_line="野火止1-2-3",
            is_volunteer="はい",
        )
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    member_import = check(buffer.getvalue(), "filled.xlsx")
    assert member_import.status == Status.VALIDATED, member_import.errors
    assert (member_import.errors, member_import.warnings, member_import.created_count) == (
        [],
        [],
        2,
    )
    member_import_run(member_import_id=member_import.pk)
    tanaka = Supporter.objects.get(family_name="田中")
    assert (tanaka.is_volunteer, tanaka.prefecture) == (True, "埼玉県")


# --- Every allowed value is accepted -------------------------------------------------------------


@pytest.mark.django_db
def test_every_allowed_value_listed_is_accepted_by_the_importer():
    columns = {column.name: column for column in import_template_columns()}
    assert {name for name, column in columns.items() if column.strict} == {"kind", "is_volunteer"}
    rows = [HEADERS]
    expected: list[tuple[str, object]] = []  # (family name, what the row must store)
    kind = KindWidget()
    for allowed in columns["kind"].allowed:
        meaning = kind.clean(allowed.value)
        for spelling in (allowed.value, *allowed.also):
            name = f"種別{len(rows)}"
            extra = {"organisation_name": "団体", "organisation_name_kana": "ダンタイ"}
            rows.append(row(kind=spelling, family_name=name, family_name_kana="テスト", **extra))
            expected.append((name, ("kind", meaning)))
    for allowed in columns["is_volunteer"].allowed:
        meaning = YesNoWidget().clean(allowed.value)
        for spelling in (allowed.value, *allowed.also):
            name = f"ボランティア{len(rows)}"
            rows.append(row(is_volunteer=spelling, family_name=name, family_name_kana="テスト"))
            expected.append((name, ("is_volunteer", meaning)))
    for allowed in columns["prefecture"].allowed:
        name = f"県{len(rows)}"
        rows.append(row(prefecture=allowed.value, family_name=name, family_name_kana="テスト"))
        expected.append((name, ("prefecture", allowed.value)))
    assert len(expected) > 47 + 4

    member_import = check(csv_bytes(rows))
    assert member_import.status == Status.VALIDATED, member_import.errors[:5]
    assert member_import.errors == []
    member_import_run(member_import_id=member_import.pk)
    stored = {s.family_name: s for s in Supporter.objects.all()}
    for name, (field, value) in expected:
        assert getattr(stored[name], field) == value, (name, field)
    # Both meanings are really there, and a value off the list is refused (the test can fail).
    assert {value for _n, (f, value) in expected if f == "kind"} == set(Supporter.Kind.values)
    refused = check(
        csv_bytes([HEADERS, row(kind="会社", family_name="x", family_name_kana="エックス")])
    )
    assert refused.status == Status.INVALID


# --- The import screen --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_upload_screen_lists_every_column_and_allowed_value_and_links_the_templates(client):
    client.force_login(staff_user("importer", "add_supporter"))
    page = client.get("/admin/member-imports/upload/").content.decode()
    assert "/admin/member-imports/template/?format=xlsx" in page
    assert "/admin/member-imports/template/?format=csv" in page
    for column in import_template_columns():
        assert f'data-column="{column.name}"' in page
        for allowed in column.allowed:
            assert f"<strong>{allowed.value}</strong>" in page
            for spelling in allowed.also:
                assert spelling in page
    listing = client.get("/admin/member-imports/").content.decode()
    assert "/admin/member-imports/template/?format=xlsx" in listing


@pytest.mark.django_db
def test_the_template_is_refused_to_staff_who_cannot_import(client):
    client.force_login(staff_user("viewer", "view_supporter"))
    for kind in ("csv", "xlsx"):
        response = client.get(f"/admin/member-imports/template/?format={kind}")
        assert (response.status_code, response.get("Location")) in {(403, None), (302, "/admin/")}
    client.logout()
    response = client.get("/admin/member-imports/template/?format=csv")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
