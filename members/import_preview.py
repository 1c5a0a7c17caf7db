"""What staff see of an import's rows before they confirm it: the first new supporters as a
table and, for the first updated ones, each changed field as old → new.

Collected while the check reads the file (members/imports.py), for the first PREVIEW_ROWS new
and PREVIEW_ROWS updated rows only, however long the file; the supporters those updates touch
are read in one query at the end. Kept on the import (`MemberImport.preview`) and cleared with
the uploaded file (members/import_files.py), since it holds the same personal data.
"""

from django.utils.translation import gettext_lazy as _

from .import_checks import ErrorSink, _Row
from .models import MemberImport, Supporter
from .resources import IMPORT_COLUMNS, SupporterResource

PREVIEW_ROWS = 50  # new rows, and as many updated rows, shown before confirming

# The import template's example row (members/import_template.py) has this address on a reserved
# domain: a file that still holds it gets a warning instead of quietly adding 山田花子.
EXAMPLE_EMAIL = "yamada.hanako@example.jp"
MSG_EXAMPLE_ROW = _(
    "This is the template's example row (%(email)s). Delete it unless you mean to import it."
)

_CODED = ("kind", "is_volunteer")  # shown through the importer's own widgets: 個人, はい...


class ImportPreview:
    """Collects the first rows of each kind during the check; `as_json` gives what is stored."""

    def __init__(self, warnings: ErrorSink, limit: int | None = None):
        self.warnings = warnings
        self.limit = PREVIEW_ROWS if limit is None else limit
        self.new: list[_Row] = []
        self.updated: list[_Row] = []

    def add(self, row: _Row) -> None:
        if row.values.get("email") == EXAMPLE_EMAIL:
            self.warnings.add(row.line, "", MSG_EXAMPLE_ROW, {"email": EXAMPLE_EMAIL})
        rows = self.new if row.target is None else self.updated
        if len(rows) < self.limit:
            rows.append(row)

    def as_json(self) -> dict:
        names = [name for name, _header in IMPORT_COLUMNS]
        current = Supporter.objects.in_bulk([row.target for row in self.updated])
        updated = []
        for row in self.updated:
            supporter = current.get(row.target)
            if supporter is None:
                continue
            changes = []
            for name in names:
                new = row.values.get(name)
                # Blank cells leave what is held (members/imports.py _write): no change.
                if new in ("", None) or getattr(supporter, name) == new:
                    continue
                changes.append({"field": name, "old": getattr(supporter, name), "new": new})
            updated.append(
                {
                    "line": row.line,
                    "supporter": supporter.pk,
                    "name": str(supporter),
                    "changes": changes,
                }
            )
        new = [
            {
                "line": row.line,
                "values": {k: v for k, v in row.values.items() if v not in ("", None)},
            }
            for row in self.new
        ]
        used = {name for row in new for name in row["values"]}
        return {"columns": [n for n in names if n in used], "new": new, "updated": updated}


def _shown(name: str, value) -> str:
    if value in ("", None):
        return ""
    if name in _CODED:
        return str(SupporterResource.import_widget(name).render(value))
    return str(value)


def member_import_preview(*, member_import: MemberImport) -> dict | None:
    """The stored preview, ready for the page: headers and labels, never raw keys. None when
    there is none (not checked yet, had errors, or its file is gone)."""
    stored = member_import.preview or {}
    if not stored.get("new") and not stored.get("updated"):
        return None
    headers = dict(IMPORT_COLUMNS)
    columns = [(name, headers[name]) for name in stored.get("columns", []) if name in headers]
    new_rows = [
        {
            "line": row["line"],
            "cells": [_shown(name, row["values"].get(name)) for name, _header in columns],
        }
        for row in stored.get("new", [])
    ]
    updated_rows = [
        {
            "line": row["line"],
            "name": row["name"],
            "changes": [
                {
                    "header": headers.get(change["field"], change["field"]),
                    "old": _shown(change["field"], change["old"]),
                    "new": _shown(change["field"], change["new"]),
                }
                for change in row["changes"]
            ],
        }
        for row in stored.get("updated", [])
    ]
    return {
        "headers": [header for _name, header in columns],
        "new": new_rows,
        "updated": updated_rows,
        "new_total": member_import.created_count,
        "updated_total": member_import.updated_count,
    }
