"""`manage.py wagtail_ja_missing`: Wagtail msgids that neither Wagtail's ja catalogue nor our
supplement (site/wagtail_ja) translates; the supplement is compiled and used."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ouendan.core.catalogues import po_entries, supplement_catalogue


def _missing(**options) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("wagtail_ja_missing", stdout=out, stderr=err, **options)
    assert "without Japanese" in err.getvalue()
    return out.getvalue().splitlines()


SUPPLEMENT = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Go to the first error"
msgstr "最初のエラーへ移動"

#, fuzzy
msgid "Close dialog"
msgstr "ダイアログを閉じる"
"""


def test_what_the_supplement_translates_is_not_listed_and_fuzzy_does_not_count(tmp_path, settings):
    (tmp_path / "ja/LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ja/LC_MESSAGES/django.po").write_text(SUPPLEMENT, encoding="utf-8")
    settings.WAGTAIL_JA_SUPPLEMENT = tmp_path
    lines = _missing()
    assert 'wagtail/admin: "Close dialog"' in lines  # fuzzy: still missing
    assert 'wagtail/admin: "Search…"' in lines  # Wagtail's ja lacks it, this supplement too
    assert not any('"Go to the first error"' in line for line in lines)
    assert not any(line.endswith(': "Dashboard"') for line in lines)  # Wagtail's ja has it
    # Plural entries name both forms; --app keeps one Wagtail folder.
    assert any(" / " in line for line in lines)
    assert {line.split(":")[0] for line in _missing(app="wagtail/users")} == {"wagtail/users"}


def test_our_supplement_covers_the_main_screens_strings():
    lines = _missing()
    for msgid in ["Search…", "Go to the first error", "In Moderation", "Close dialog"]:
        assert not any(f'"{msgid}"' in line for line in lines), msgid
    assert 'wagtail/admin: "There are no %(model_name)s to display."' not in lines
    assert 'wagtail/admin: "New: %(model_name)s"' not in lines


def test_check_fails_while_anything_is_missing(tmp_path, settings):
    settings.WAGTAIL_JA_SUPPLEMENT = tmp_path  # no supplement at all
    with pytest.raises(CommandError, match="without Japanese"):
        _missing(check=True)


# Wagtail's msgids, kept out of makemessages' reach (they are not strings of this project).
FIRST_ERROR, SEARCH = "Go to the first error", "Search…"


def test_the_supplement_is_well_formed_and_compiled():
    entries = po_entries(supplement_catalogue())
    assert len(entries) > 400 and all(entry.translated for entry in entries if entry.msgid)
    with translation.override("ja"):
        assert translation.gettext(FIRST_ERROR) == "最初のエラーへ移動"
        assert translation.gettext(SEARCH) == "検索…"
    with translation.override("en"):
        assert translation.gettext(FIRST_ERROR) == FIRST_ERROR
