"""The supporters' spreadsheet columns (django-import-export), shared by export and import.

`SupporterResource` names every column the way staff write it (姓, セイ, メールアドレス...), so an
exported file can be edited and imported again. The bulk importer (members/imports.py) takes its
column list and value widgets from here; the export runs every cell through `spreadsheet_safe`,
because django-import-export's own formula escaping only strips a leading "=".
"""

import unicodedata

from django.utils import translation
from import_export import fields, resources, widgets

from ouendan.core.exports import spreadsheet_safe

from .models import Supporter
from .normalise import normalise_text

# (model field, column header as staff write it), in spreadsheet order.
IMPORT_COLUMNS: list[tuple[str, str]] = [
    ("kind", "種別"),
    ("family_name", "姓"),
    ("given_name", "名"),
    ("family_name_kana", "セイ"),
    ("given_name_kana", "メイ"),
    ("organisation_name", "団体名"),
    ("organisation_name_kana", "団体名カナ"),
    ("department", "部署"),
    ("contact_person", "担当者"),
    ("email", "メールアドレス"),
    ("phone", "電話番号"),
    ("postal_code", "郵便番号"),
    ("prefecture", "都道府県"),
    ("city", "市区町村"),
    ("address_line", "町名番地"),
    ("building", "建物名"),
    ("is_volunteer", "ボランティア"),
    ("notes", "備考"),
]

# Other headers seen in staff spreadsheets, already in `header_key` form.
EXTRA_HEADERS = {
    "メール": "email",
    "eメール": "email",
    "e-mail": "email",
    "電話": "phone",
    "〒": "postal_code",
    "郵便": "postal_code",
    "住所": "address_line",
    "番地": "address_line",
    "建物": "building",
    "建物名・部屋番号": "building",
    "法人名": "organisation_name",
    "法人名カナ": "organisation_name_kana",
    "団体名フリガナ": "organisation_name_kana",
    "フリガナ(姓)": "family_name_kana",
    "フリガナ(名)": "given_name_kana",
    "セイ(カナ)": "family_name_kana",
    "メイ(カナ)": "given_name_kana",
    "メモ": "notes",
}


def header_key(header: object) -> str:
    """Compare headers loosely: width, case, spaces and a "(必須)" / "*" marker do not matter."""
    text = unicodedata.normalize("NFKC", str(header or "")).lower()
    for marker in ("(必須)", "(任意)", "*", "※"):
        text = text.replace(marker, "")
    return "".join(text.split())


class KindWidget(widgets.Widget):
    """個人 / 法人 (or person / organisation) ⇄ Supporter.Kind; blank means a person."""

    VALUES = {
        "": Supporter.Kind.PERSON,
        "個人": Supporter.Kind.PERSON,
        "person": Supporter.Kind.PERSON,
        "法人": Supporter.Kind.ORGANISATION,
        "団体": Supporter.Kind.ORGANISATION,
        "法人・団体": Supporter.Kind.ORGANISATION,
        "organisation": Supporter.Kind.ORGANISATION,
        "organization": Supporter.Kind.ORGANISATION,
    }

    def clean(self, value, row=None, **kwargs):
        key = normalise_text(unicodedata.normalize("NFKC", str(value or ""))).lower()
        if key not in self.VALUES:
            raise ValueError(value)
        return self.VALUES[key]

    def render(self, value, obj=None, **kwargs):
        return "法人" if value == Supporter.Kind.ORGANISATION else "個人"


class YesNoWidget(widgets.BooleanWidget):
    """はい / いいえ as well as 1 / 0, true / false and ○ / ×; blank is "no"."""

    TRUE_VALUES = ["はい", "1", 1, True, "true", "yes", "y", "○", "◯", "〇", "✓", "有", "あり"]
    FALSE_VALUES = ["いいえ", "0", 0, False, "false", "no", "n", "×", "✕", "無", "なし", ""]
    NULL_VALUES: list = []

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = normalise_text(value).lower()
        if value is None:
            return False
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(value)

    def render(self, value, obj=None, **kwargs):
        return "はい" if value else "いいえ"


class SupporterResource(resources.ModelResource):
    id = fields.Field(attribute="id", column_name="ID", readonly=True)
    kind = fields.Field(attribute="kind", column_name="種別", widget=KindWidget())
    is_volunteer = fields.Field(
        attribute="is_volunteer", column_name="ボランティア", widget=YesNoWidget()
    )
    status = fields.Field(attribute="status", column_name="状態", readonly=True)
    created_at = fields.Field(
        attribute="created_at",
        column_name="登録日",
        readonly=True,
        widget=widgets.DateTimeWidget(format="%Y-%m-%d %H:%M"),
    )

    class Meta:
        model = Supporter
        fields = ("id", *(name for name, _ in IMPORT_COLUMNS), "status", "created_at")
        export_order = fields
        # The library's own (row-by-row) import path matches on e-mail; the admin uses the bulk
        # importer in members/imports.py, which also dedupes case-insensitively and by kana+phone.
        import_id_fields = ("email",)
        skip_unchanged = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        headers = dict(IMPORT_COLUMNS)
        for name, field in self.fields.items():
            if name in headers:
                field.column_name = headers[name]

    def export_field(self, field, instance, **kwargs):
        # Every exported cell, dehydrated or not, is made safe for Excel/LibreOffice here.
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))

    def dehydrate_status(self, supporter: Supporter) -> str:
        return str(supporter.get_status_display())

    @classmethod
    def import_headers(cls) -> dict[str, str]:
        """`header_key` of every accepted column header → model field name."""
        headers: dict[str, str] = {}
        resource = cls()
        with translation.override("en"):
            for name, _header in IMPORT_COLUMNS:
                field = resource.fields[name]
                verbose = Supporter._meta.get_field(name).verbose_name
                for alias in (field.column_name, name, str(verbose)):
                    headers[header_key(alias)] = name
        for alias, name in EXTRA_HEADERS.items():
            headers.setdefault(header_key(alias), name)
        return headers

    @classmethod
    def import_widget(cls, name: str) -> widgets.Widget:
        return cls().fields[name].widget
