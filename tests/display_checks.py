"""Checks for staff screens: what staff read (the visible text of a page) holds no raw values."""

import html
import re

RAW_WORDS = re.compile(r"(?<![\w.])(None|True|False)(?![\w])")


def visible_text(page: str) -> str:
    """The page's text as staff read it: no scripts, styles, templates, tags or attributes."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def main_text(page: str) -> str:
    """Only the screen's own content (Wagtail's <main>), not the menu and header."""
    match = re.search(r"<main\b.*?</main>", page, flags=re.S)
    return visible_text(match.group(0) if match else page)


def assert_no_raw_values(page: str, *raw: str) -> str:
    """No None/True/False and none of `raw` (internal keys, codes) in what staff read."""
    text = main_text(page)
    found = RAW_WORDS.findall(text)
    assert not found, f"raw values {found} in: {text[:2000]}"
    for value in raw:
        assert value not in text, f"{value!r} shown in: {text[:2000]}"
    return text
