"""The places import: check first (the preview), then all or nothing; formula-safe both ways."""

import io

import pytest

from members.models import Area
from members.places.imports import places_export, places_import
from members.places.models import Place

from .conftest import place_make

pytestmark = pytest.mark.django_db
HEADER = "名前,スラッグ,種類,校区,定期開催,内容,郵便番号,住所,緯度,経度\n"


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(("\ufeff" + HEADER + text).encode("utf-8"))


def test_check_then_import_creates_and_updates_by_slug():
    place_make(slug="hidamari")
    Area.objects.create(name="北小学校区", kind=Area.Kind.SCHOOL_DISTRICT)
    rows = (
        "子ども食堂 ひだまり,hidamari,子ども食堂,中央小学校区,はい,食・遊,3520011,新座市,"
        "35.79,139.56\n"
        "学習支援 まなびば,manabiba,study,北小学校区,,学,,,'=1+1,\n"
    )
    report = places_import(upload=_csv(rows), name="p.csv", commit=False)
    assert report.errors and report.errors[0]["line"] == 3  # '=1+1 is not a number
    rows = rows.replace("'=1+1", "35.8")
    report = places_import(upload=_csv(rows), name="p.csv", commit=False)
    assert (report.errors, report.created, report.updated) == (
        [],
        ["学習支援 まなびば"],
        ["子ども食堂 ひだまり"],
    )
    assert not Place.objects.filter(slug="manabiba").exists()  # a check writes nothing
    report = places_import(upload=_csv(rows), name="p.csv", commit=True)
    assert report.written
    hidamari = Place.objects.get(slug="hidamari")
    assert hidamari.is_regular and hidamari.offers == ["food", "play"]
    assert hidamari.postal_code == "352-0011"
    assert Place.objects.get(slug="manabiba").district.name == "北小学校区"


def test_one_bad_line_writes_nothing():
    place_make(slug="hidamari")
    rows = (
        "新しい場所,atarashii,play,中央小学校区,,,,,,\n"
        "ない校区,nai,play,どこか小学校区,,,,,,\n"
        "二重,atarashii,play,中央小学校区,,,,,,\n"
    )
    report = places_import(upload=_csv(rows), name="p.csv", commit=True)
    assert not report.written
    assert {error["line"] for error in report.errors} == {3, 4}
    assert not Place.objects.filter(slug="atarashii").exists()


def test_the_export_is_formula_safe_and_reads_back():
    place_make(slug="hidamari", name="=HYPERLINK(1)")
    content, _type = places_export(file_format="csv")
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "名前" in text.splitlines()[0]
    report = places_import(upload=io.BytesIO(content), name="p.csv", commit=True)
    assert report.errors == [] and report.updated == ["=HYPERLINK(1)"]
    assert Place.objects.get(slug="hidamari").name == "=HYPERLINK(1)"
