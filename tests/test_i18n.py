"""Japanese first, English second: URLs, the switcher and translated interface strings."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


def html_lang(response) -> str:
    return re.search(r'<html lang="([\w-]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
def test_japanese_is_the_default(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    assert html_lang(response) == "ja"
    assert "本文へスキップ" in response.content.decode()


@pytest.mark.django_db
def test_english_lives_under_en_prefix(client, home_page):
    response = client.get("/en/")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert "Skip to main content" in response.content.decode()


@pytest.mark.django_db
def test_browser_language_does_not_override_the_url(client, home_page):
    # Japanese visitors with an English browser still land on the Japanese site at "/".
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert html_lang(response) == "ja"


@pytest.mark.django_db
def test_switcher_moves_between_translated_pages(client, demo_site):
    to_english = client.post("/i18n/setlang/", {"language": "en", "next": "/about/"})
    assert to_english.status_code == 302
    assert to_english["Location"] == "/en/about/"
    assert client.get(to_english["Location"]).context["page"].title == "About us"

    to_japanese = client.post("/en/i18n/setlang/", {"language": "ja", "next": "/en/news/"})
    assert to_japanese["Location"] == "/news/"
    assert client.get("/news/").context["page"].title == "活動報告"


@pytest.mark.django_db
def test_switcher_is_a_plain_form_with_one_button_per_language(client, home_page):
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert re.search(r'value="en"[^>]*>English</button>', html)
    assert re.search(r'value="ja"[^>]*aria-current="true" disabled>日本語</button>', html)


def test_settings_are_japanese_first():
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert [code for code, _ in settings.LANGUAGES] == ["ja", "en"]


def test_every_interface_string_has_a_japanese_translation():
    po = (LOCALE_DIR / "ja/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', po)
    untranslated = [
        msgid for msgid, msgstr in entries if msgid.strip() != '""' and msgstr.strip() == '""'
    ]
    assert entries and not untranslated
    assert not re.search(r"#, fuzzy\n(?!msgid \"\"\nmsgstr \"\"\n\"Project)", po)


def test_compiled_catalogue_is_used():
    with translation.override("ja"):
        assert translation.gettext("Skip to main content") == "本文へスキップ"
    with translation.override("en"):
        assert translation.gettext("Skip to main content") == "Skip to main content"


def test_catalogue_has_every_string_in_the_code(tmp_path, monkeypatch):
    """Extract the strings afresh (as `makemessages` does) in a scratch copy of the code: every
    one of them must already be in the committed Japanese catalogue, so none shows up
    untranslated."""
    import shutil

    import polib

    skip = shutil.ignore_patterns(
        ".*", "data", "static_collected", "test-results", "bench", "__pycache__", "*.mo"
    )
    scratch = tmp_path / "src"
    shutil.copytree(settings.BASE_DIR, scratch, ignore=skip)
    shutil.rmtree(scratch / "locale")  # a fresh catalogue, not the committed one
    (scratch / "locale/ja").mkdir(parents=True)
    monkeypatch.chdir(scratch)
    with override_settings(LOCALE_PATHS=[scratch / "locale"]):
        call_command("makemessages", locale=["ja"], verbosity=0)
    extracted = polib.pofile(str(scratch / "locale/ja/LC_MESSAGES/django.po"))
    committed = polib.pofile(str(LOCALE_DIR / "ja/LC_MESSAGES/django.po"))
    known = {(e.msgctxt, e.msgid) for e in committed if not e.obsolete}
    found = {(e.msgctxt, e.msgid) for e in extracted if not e.obsolete}
    assert len(found) > 1000
    assert sorted(found - known, key=str) == []
