"""Wagtail's Japanese gaps: the msgids of Wagtail's own catalogues (its English source
catalogues list them all) that neither Wagtail's installed Japanese catalogues nor our
supplement (settings.WAGTAIL_JA_SUPPLEMENT, a LOCALE_PATHS entry) translate. A small reader of
.po files, so the check needs nothing beyond Django (no polib in production)."""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import wagtail
from django.conf import settings

_LINE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr)


def po_entries(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` ones left out), the header too."""
    entries, current, last, flags = [], None, None, ""
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if line.startswith("#,"):
                flags += line
            if current is not None and not line.startswith("#~"):
                entries.append(current)
                current, last = None, None
            continue
        if line.startswith('"') and current is not None and last:
            _append(current, last, ast.literal_eval(line))
            continue
        match = _LINE.match(line)
        if match is None:
            continue
        keyword, value = match.group(1), ast.literal_eval(match.group(2))
        if current is None:
            current, flags = Entry(fuzzy="fuzzy" in flags), ""
        if keyword.startswith("msgstr"):
            current.msgstr.append("")
        _append(current, keyword, value)
        last = keyword
    return [entry for entry in entries if entry.msgid]


def _append(entry: Entry, keyword: str, value: str) -> None:
    if keyword == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + value
    elif keyword == "msgid":
        entry.msgid += value
    elif keyword == "msgid_plural":
        entry.msgid_plural += value
    else:
        entry.msgstr[-1] += value


def wagtail_catalogues(language: str) -> list[Path]:
    root = Path(wagtail.__file__).parent
    return sorted(root.glob(f"**/locale/{language}/LC_MESSAGES/django.po"))


def _translated(paths) -> set[tuple[str | None, str]]:
    return {e.key for path in paths for e in po_entries(path) if e.translated}


def supplement_catalogue() -> Path:
    return Path(settings.WAGTAIL_JA_SUPPLEMENT) / "ja/LC_MESSAGES/django.po"


def wagtail_ja_missing() -> list[tuple[str, Entry]]:
    """(Wagtail app folder, entry) of every Wagtail msgid without Japanese anywhere."""
    root = Path(wagtail.__file__).parent.parent
    covered = _translated(wagtail_catalogues("ja"))
    if supplement_catalogue().exists():
        covered |= _translated([supplement_catalogue()])
    missing, seen = [], set()
    for path in wagtail_catalogues("en"):
        app = str(path.relative_to(root)).split("/locale/")[0]
        for entry in po_entries(path):
            if entry.key not in covered and entry.key not in seen:
                seen.add(entry.key)
                missing.append((app, entry))
    return missing
