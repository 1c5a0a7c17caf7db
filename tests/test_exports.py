import pytest

from home.exports import spreadsheet_safe, spreadsheet_safe_row


@pytest.mark.parametrize(
    "dangerous",
    ['=HYPERLINK("http://x")', "+81-90", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"],
)
def test_formula_triggers_are_neutralised(dangerous):
    assert spreadsheet_safe(dangerous) == "'" + dangerous


@pytest.mark.parametrize("harmless", ["山田 花子", "090-1234-5678", "a=b", "", "'quoted"])
def test_ordinary_text_is_unchanged(harmless):
    assert spreadsheet_safe(harmless) == harmless


def test_numbers_stay_numbers():
    assert spreadsheet_safe_row([-3000, 0, None, "=1"]) == [-3000, 0, None, "'=1"]
