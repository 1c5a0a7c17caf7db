import pytest
from django.core.exceptions import ValidationError

from members.normalise import (
    address_for_postal_code,
    email_plainly_valid,
    normalise_email,
    normalise_kana,
    normalise_phone,
    normalise_postal_code,
    normalise_text,
    to_halfwidth,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("やまだ", "ヤマダ"),
        ("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ\u3000ハナコ"),
        ("  サトウ　　タロウ ", "サトウ\u3000タロウ"),
        ("カブシキガイシャ　サクラノショクヒン", "カブシキガイシャ\u3000サクラノショクヒン"),
        ("ゆうこー", "ユウコー"),
        ("", ""),
    ],
)
def test_kana_becomes_full_width_katakana(raw, expected):
    assert normalise_kana(raw) == expected


@pytest.mark.parametrize("raw", ["山田", "Yamada", "やまだ1"])
def test_non_kana_is_refused(raw):
    with pytest.raises(ValidationError) as error:
        normalise_kana(raw)
    assert error.value.code == "not_kana"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("〒３５２－０００１", "352-0001"),
        ("3520001", "352-0001"),
        ("352ー0001", "352-0001"),
        ("", ""),
    ],
)
def test_postal_codes(raw, expected):
    assert normalise_postal_code(raw) == expected


@pytest.mark.parametrize("raw", ["352-001", "35200011", "abc-defg"])
def test_bad_postal_codes(raw):
    with pytest.raises(ValidationError):
        normalise_postal_code(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("０９０１２３４５６７８", "090-1234-5678"),
        ("048-123-4567", "048-123-4567"),
        ("0481234567", "048-123-4567"),
        ("+81 90 1234 5678", "090-1234-5678"),
        ("03（1234）5678", "03-1234-5678"),
    ],
)
def test_phone_numbers(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "090-1234", "phone"])
def test_bad_phone_numbers(raw):
    with pytest.raises(ValidationError):
        normalise_phone(raw)


def test_email_and_width():
    assert normalise_email(" Ｈａｎａ.Yamada@Example.JP ") == "hana.yamada@example.jp"
    assert to_halfwidth("ＡＢＣ１２３ヤマダ") == "ABC123ヤマダ"


def test_postal_code_fills_the_address_offline():
    address = address_for_postal_code("〒100-0001")
    assert (address.prefecture, address.city, address.town) == ("東京都", "千代田区", "千代田")
    assert address_for_postal_code("000-0000") is None
    assert address_for_postal_code("not a code") is None


def test_postal_lookup_works_from_other_threads():
    """Request threads and huey thread workers each need their own SQLite connection."""
    import threading

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(address_for_postal_code("352-0001")))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [address.city for address in results] == ["新座市"] * 4


def test_mobile_phone_fast_path_matches_phonenumbers():
    """normalise_phone formats 050/070/080/090 numbers itself: same result as phonenumbers."""
    import random

    import phonenumbers

    rng = random.Random(18)
    for _ in range(2000):
        prefix = rng.choice(["050", "070", "080", "090"])
        digits = f"{prefix}{rng.randint(1000, 9999)}{rng.randint(0, 9999):04d}"
        number = phonenumbers.parse(digits, "JP")
        expected = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        assert normalise_phone(digits) == expected
        assert normalise_phone(f"{digits[:3]}-{digits[3:7]}-{digits[7:]}") == expected


def test_normalise_text_folds_every_white_space_the_old_regex_did():
    """normalise_text uses str.split(); it must fold exactly what re's [\\s\\u3000]+ folded."""
    import re
    import sys

    old = re.compile(r"[\s\u3000]+")
    for code in range(sys.maxunicode + 1):
        value = f"{chr(code)}a{chr(code)}{chr(code)}b{chr(code)}"
        assert normalise_text(value) == old.sub(" ", value).strip(), hex(code)


def test_to_halfwidth_leaves_ascii_as_it_is_and_converts_the_rest():
    assert to_halfwidth("abc 123-@") == "abc 123-@"
    assert to_halfwidth("ＡＢＣ　１２３－＠") == "ABC 123-@"


@pytest.mark.parametrize(
    "value",
    [
        "member1@example.jp",
        "a.b+c_d-e@mail.example.co.jp",
        "x@a-b.jp",
        "a@xn--wgv71a.jp",
        "very.long.name@" + "a" * 63 + ".com",
    ],
)
def test_plain_emails_are_ones_validate_email_accepts(value):
    from django.core.validators import validate_email

    assert email_plainly_valid(value)
    validate_email(value)  # raises if the short cut ever accepted more than Django does


@pytest.mark.parametrize(
    "value",
    [
        "",
        "no-at-sign",
        ".lead@example.jp",
        "double..dot@example.jp",
        "trail.@example.jp",
        "a@-dash.jp",
        "a@dash-.jp",
        "a@example.j",
        "a@example.123",
        "a@localhost",
        '"quoted"@example.jp',
        "a@[127.0.0.1]",
        "a@例え.jp",
        "a" * 320 + "@example.jp",
        "a@" + "b" * 64 + ".jp",
    ],
)
def test_anything_unusual_is_left_to_validate_email(value):
    assert not email_plainly_valid(value)
