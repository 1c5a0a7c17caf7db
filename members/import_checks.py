"""Checking the rows of an uploaded supporter list (members/imports.py runs the import).

Each row is normalised (members/normalise.py) and matched against existing supporters and the
earlier rows of the file; every problem is reported by spreadsheet line and column, worded in
English and Japanese.
"""

import functools
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .addresses import MSG_UNKNOWN_POSTAL_CODE, Address, address_normalise, postal_address
from .fields import SUPPORTER_KANA_FIELDS
from .import_reading import ImportFileError, cell_text, restore_leading_zero
from .models import Supporter
from .names import KANA_OF, kana_required
from .normalise import (
    PostalAddress,
    email_plainly_valid,
    normalise_email,
    normalise_kana,
    normalise_phone,
    normalise_postal_code,
    normalise_text,
    to_halfwidth,
)
from .resources import IMPORT_COLUMNS, SupporterResource, header_key

# Free text where full-width digits and Latin letters become half-width, as on the join form.
HALFWIDTH_FIELDS = {
    "organisation_name",
    "department",
    "contact_person",
    "prefecture",
    "city",
    "address_line",
    "building",
}
PERSON_REQUIRED = ("family_name", "family_name_kana")
ORGANISATION_REQUIRED = ("organisation_name", "organisation_name_kana")
FORMULA_ESCAPES = ("'=", "'+", "'-", "'@")
# Columns whose cleaned value the checker remembers by the cell as written: names, kana, kinds,
# postal codes and places repeat down a staff list, and normalising kana (jaconv) or an address
# per cell was most of the check's time (bench/members_import.py --profile). Not e-mail, phone
# and notes, which differ on nearly every row. At most MEMO_LIMIT values a column, then afresh.
NOT_MEMOISED = frozenset({"email", "phone", "notes"})
MEMO_LIMIT = 20_000
_MISSING = object()

MSG_KANA = _("Please write this in kana (katakana or hiragana).")
MSG_POSTAL = _("Enter a postal code of seven digits, like 123-4567.")
MSG_PHONE = _("Enter a valid phone number, like 090-1234-5678.")
MSG_EMAIL = _("Enter a valid e-mail address.")
MSG_TOO_LONG = _("Too long: at most %(max)s characters (this has %(length)s).")
MSG_KIND = _("Write 個人 (person) or 法人 (organisation).")
MSG_YES_NO = _("Write はい (yes) or いいえ (no).")
MSG_REQUIRED_PERSON = _("Required for a person.")
MSG_REQUIRED_ORGANISATION = _("Required for an organisation.")
MSG_DUPLICATE_EMAIL = _("The same e-mail address is on line %(line)s.")
MSG_DUPLICATE_KANA_PHONE = _("The same kana name and phone number are on line %(line)s.")
MSG_SAME_SUPPORTER = _("Line %(line)s updates the same existing supporter.")
MSG_ANONYMISED = _("This e-mail address belonged to a deleted supporter.")
MSG_MORE_ERRORS = _("%(count)s more errors are not listed.")
MSG_MORE_WARNINGS = _("%(count)s more warnings are not listed.")
MSG_DATA_CHANGED = _("The file no longer passes the check; nothing was imported.")
MSG_RUN_FAILED = _("The import failed and nothing was written: %(error)s")


MSG_NO_ROWS = _("The file has no data rows under the header line.")
MSG_FILE_TYPE = _("Upload a .csv or .xlsx file.")
MSG_MISSING_COLUMNS = _("Required columns are missing: %(columns)s.")
MSG_DUPLICATE_COLUMN = _("The column %(column)s appears twice.")
MSG_MISSING_FILE = _("The uploaded file is missing.")


# --- Errors in both languages ------------------------------------------------------------------


def _error(line: int | None, column: str, message, params: dict | None = None) -> dict:
    """One error as stored in MemberImport.errors, worded in English and Japanese."""
    texts = {}
    for language in ("en", "ja"):
        with translation.override(language):
            texts[language] = str(message) % params if params else str(message)
    return {"line": line, "column": column, "en": texts["en"], "ja": texts["ja"]}


class ErrorSink(Protocol):
    """Where the checker reports a problem (members.imports._Errors)."""

    def add(self, line: int | None, column: str, message, params: dict | None = None) -> None: ...


# --- Checking rows -----------------------------------------------------------------------------


def _columns(headers: list[str]) -> dict[str, tuple[int, str]]:
    """Model field → (cell index, header as written). Unknown columns are ignored."""
    known = SupporterResource.import_headers()
    columns: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(headers):
        name = known.get(header_key(header))
        if name is None:
            continue
        if name in columns:
            raise ImportFileError(MSG_DUPLICATE_COLUMN, column=str(header).strip())
        columns[name] = (index, str(header).strip())
    if "kind" in columns:
        complete = all(n in columns for n in PERSON_REQUIRED) or all(
            n in columns for n in ORGANISATION_REQUIRED
        )
        missing = [] if complete else [*PERSON_REQUIRED, *ORGANISATION_REQUIRED]
    else:
        missing = [n for n in PERSON_REQUIRED if n not in columns]
    if missing:
        headers_by_field = dict(IMPORT_COLUMNS)
        listed = "、".join(f"{headers_by_field[n]} ({n})" for n in missing if n not in columns)
        raise ImportFileError(MSG_MISSING_COLUMNS, columns=listed)
    return columns


@functools.cache
def _max_lengths() -> dict[str, int]:
    return {
        f.name: f.max_length
        for f in Supporter._meta.get_fields()
        if getattr(f, "max_length", None) and f.concrete
    }


def _address(postal_code: str) -> PostalAddress | None:
    return postal_address(postal_code)


_address.cache_clear = postal_address.cache_clear  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Failure:
    """A cell's problem, remembered like a cleaned value (see NOT_MEMOISED)."""

    message: object
    params: dict | None


@dataclass
class _Row:
    line: int
    values: dict
    target: int | None = None  # pk of the existing supporter this row updates


class _Checker:
    """Normalises rows and matches them against the database and the earlier rows of the file."""

    def __init__(self, columns: dict[str, tuple[int, str]], errors: ErrorSink, warnings: ErrorSink):
        self.columns = columns
        self.errors = errors
        self.warnings = warnings
        self.kind_widget = SupporterResource.import_widget("kind")
        self.yes_no_widget = SupporterResource.import_widget("is_volunteer")
        self.max_lengths = _max_lengths()
        # Existing supporters' keys, loaded once (supporter_find_duplicate semantics, no query
        # per row). Anonymised supporters never match, but their old address is refused.
        self.by_email: dict[str, int] = {}
        self.by_kana_phone: dict[tuple[str, str], int] = {}
        self.anonymised_emails: set[str] = set()
        existing = Supporter.objects.order_by("pk").values_list(
            "pk",
            "status",
            "email",
            "family_name_kana",
            "given_name_kana",
            "organisation_name_kana",
            "phone",
        )
        for pk, status, email, family, given, organisation, phone in existing.iterator(5000):
            if status == Supporter.Status.ANONYMISED:
                if email:
                    self.anonymised_emails.add(email.lower())
                continue
            if email:
                self.by_email.setdefault(email.lower(), pk)
            if phone:
                if family:
                    self.by_kana_phone.setdefault((_person_kana(family, given), phone), pk)
                if organisation:
                    self.by_kana_phone.setdefault((organisation, phone), pk)
        # (field, cell index, header, memo of cleaned values or None), in the columns' order.
        self.plan = [
            (name, index, header, None if name in NOT_MEMOISED else {})
            for name, (index, header) in columns.items()
        ]
        self.addresses: dict[tuple[str, str, str, str], Address] = {}
        self.seen_email: dict[str, int] = {}
        self.seen_kana_phone: dict[tuple[str, str], int] = {}
        self.seen_target: dict[int, int] = {}
        self.data_rows = 0

    def check(self, line: int, cells: list) -> _Row | None:
        """The row's normalised values, or None (with errors recorded) when it has problems.

        Every problem of the row is reported in one pass, duplicates of earlier lines included
        whatever else is wrong with either line, so a corrected file does not show new errors.
        """
        for cell in cells:
            if cell is not None and (cell if type(cell) is str else cell_text(cell)).strip():
                break
        else:
            return None  # blank lines between data are skipped, not errors
        self.data_rows += 1
        values: dict = {}
        failed: set[str] = set()
        width = len(cells)
        for name, index, header, memo in self.plan:
            cell = cells[index] if index < width else ""
            raw = cell if type(cell) is str else cell_text(cell)
            if memo is None:
                result = self._cleaned(name, raw)
            else:
                result = memo.get(raw, _MISSING)
                if result is _MISSING:
                    if len(memo) >= MEMO_LIMIT:
                        memo.clear()
                    result = memo[raw] = self._cleaned(name, raw)
            if type(result) is _Failure:
                self.errors.add(line, header, result.message, result.params)
                failed.add(name)
            else:
                values[name] = result
        complete = self._complete(line, values, failed)
        unique = self._unique(line, values, failed)
        if failed or not complete or not unique:
            return None
        self._address(line, values)
        return self._target(line, values)

    def _cleaned(self, name: str, raw: str):
        """The cell's cleaned value, or its problem as a _Failure."""
        try:
            return self._clean(name, raw)
        except ValidationError as exc:
            message = getattr(exc, "message", None) or exc.messages[0]
            return _Failure(message, getattr(exc, "params", None))
        except ValueError:
            return _Failure(MSG_KIND if name == "kind" else MSG_YES_NO, None)

    def _clean(self, name: str, raw: str):
        if name == "kind":
            return self.kind_widget.clean(raw)
        if name == "is_volunteer":
            # None: a blank cell, which leaves an existing supporter's flag as it is.
            return self.yes_no_widget.clean(raw) if raw.strip() else None
        if raw.startswith(FORMULA_ESCAPES):
            raw = raw[1:]  # our own export's protection against formulas: take it off again
        if name in SUPPORTER_KANA_FIELDS:
            value = normalise_kana(raw)
        elif name == "email":
            value = normalise_email(raw)
            if value and not email_plainly_valid(value):
                try:
                    validate_email(value)
                except ValidationError:
                    raise ValidationError(MSG_EMAIL) from None
            if value and value in self.anonymised_emails:
                raise ValidationError(MSG_ANONYMISED)
        elif name == "phone":
            value = normalise_phone(restore_leading_zero(name, to_halfwidth(normalise_text(raw))))
        elif name == "postal_code":
            value = normalise_postal_code(restore_leading_zero(name, raw.strip()))
        elif name == "notes":
            value = raw.strip()
        elif name in HALFWIDTH_FIELDS:
            value = to_halfwidth(normalise_text(raw))
        else:
            value = normalise_text(raw)
        limit = self.max_lengths.get(name)
        if limit and len(value) > limit:
            raise ValidationError(MSG_TOO_LONG, params={"max": limit, "length": len(value)})
        return value

    def _complete(self, line: int, values: dict, failed: set[str]) -> bool:
        if "kind" in failed:
            return False  # which names are required is unknown
        kind = values.get("kind", Supporter.Kind.PERSON)
        if kind == Supporter.Kind.ORGANISATION:
            required, message = ORGANISATION_REQUIRED, MSG_REQUIRED_ORGANISATION
        else:
            required, message = PERSON_REQUIRED, MSG_REQUIRED_PERSON
        ok = True
        for name in required:
            if name in KANA_OF and not kana_required(values.get(KANA_OF[name])):
                continue  # a name in Latin script is read as written (members/names.py)
            if not values.get(name) and name not in failed:  # a bad value is reported already
                header = self.columns[name][1] if name in self.columns else name
                self.errors.add(line, header, message)
                ok = False
        return ok

    def _address(self, line: int, values: dict) -> None:
        """Split a whole address written in 住所 and fill from the postal code, each part once."""
        get = values.get
        key = (
            get("postal_code", ""),
            get("prefecture", ""),
            get("city", ""),
            get("address_line", ""),
        )
        if not any(key):
            return
        address = self.addresses.get(key)
        if address is None:  # remembered like cells' values (NOT_MEMOISED); the same each time
            if len(self.addresses) >= MEMO_LIMIT:
                self.addresses.clear()
            address = self.addresses[key] = address_normalise(
                postal_code=key[0], prefecture=key[1], city=key[2], address_line=key[3]
            )
        for name in ("prefecture", "city", "address_line"):
            value = getattr(address, name)[: self.max_lengths[name]]
            if value or name in values:
                values[name] = value
        for note in address.notes:
            column = "postal_code" if note.message is MSG_UNKNOWN_POSTAL_CODE else "address_line"
            header = self._header(column) or self._header("postal_code")
            self.warnings.add(line, header, note.message, note.params)

    def _unique(self, line: int, values: dict, failed: set[str]) -> bool:
        """Report a repeat of an earlier line's e-mail or kana name and phone. Runs on every line,
        also one with other errors, and the first line with a key stays its owner."""
        email = values.get("email", "")
        phone = values.get("phone", "")
        if "kind" in failed:
            kana = ""
        elif values.get("kind", Supporter.Kind.PERSON) == Supporter.Kind.ORGANISATION:
            kana = values.get("organisation_name_kana", "")
        else:
            kana = _person_kana(values.get("family_name_kana", ""), values.get("given_name_kana"))
        ok = True
        if email:
            earlier = self.seen_email.setdefault(email, line)
            if earlier != line:
                self.errors.add(line, self._header("email"), MSG_DUPLICATE_EMAIL, {"line": earlier})
                ok = False
        if kana and phone:
            earlier = self.seen_kana_phone.setdefault((kana, phone), line)
            if earlier != line:
                self.errors.add(
                    line, self._header("phone"), MSG_DUPLICATE_KANA_PHONE, {"line": earlier}
                )
                ok = False
        return ok

    def _target(self, line: int, values: dict) -> _Row | None:
        """The existing supporter the row updates (by e-mail, else kana name and phone)."""
        email = values.get("email", "")
        phone = values.get("phone", "")
        if values.get("kind", Supporter.Kind.PERSON) == Supporter.Kind.ORGANISATION:
            kana = values.get("organisation_name_kana", "")
        else:
            kana = _person_kana(values.get("family_name_kana", ""), values.get("given_name_kana"))
        target = self.by_email.get(email) if email else None
        if target is None and kana and phone:
            target = self.by_kana_phone.get((kana, phone))
        if target is not None:
            earlier = self.seen_target.setdefault(target, line)
            if earlier != line:
                self.errors.add(line, "", MSG_SAME_SUPPORTER, {"line": earlier})
                return None
        return _Row(line=line, values=values, target=target)

    def _header(self, name: str) -> str:
        return self.columns[name][1] if name in self.columns else ""


def _person_kana(family: str, given: str | None) -> str:
    # The full kana name as supporter_find_duplicate takes it: family, ideographic space, given.
    return f"{family}\u3000{given}" if given else family
