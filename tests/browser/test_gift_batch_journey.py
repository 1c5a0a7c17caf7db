"""Finance types in a bank statement: three offline gifts on the batch screen, donors found with
the chooser's search, one row already in the ledger, and a collection box (anonymous: no donor);
the whole batch goes to one programme; the warning is confirmed and the gifts are in the
ledger."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from playwright.sync_api import expect

from donations.models import ANONYMOUS_DONOR, Donation, Programme
from donations.offline_gifts import donation_record_offline
from members.groups import FINANCE
from members.models import Supporter

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def person(family, given, family_kana, given_kana, email):
    return Supporter.objects.create(
        family_name=family,
        given_name=given,
        family_name_kana=family_kana,
        given_name_kana=given_kana,
        email=email,
        status=Supporter.Status.ACTIVE,
    )


def choose_donor(page, row: int, query: str, email: str):
    """Open the row's donor chooser, search, and pick the person with this e-mail."""
    page.locator(f"#id_gifts-{row}-supporter-chooser .unchosen button").click()
    modal = page.locator(".modal-content")
    expect(modal.locator("a[data-chooser-modal-choice]").first).to_be_visible()
    # The search results replace the unfiltered list some time after typing; a click on a row
    # of the old list just as it is removed chooses nothing. So the old rows are marked, and
    # only a row of the results is clicked.
    modal.locator("tr").evaluate_all("rows => rows.forEach(row => row.dataset.old = '')")
    modal.locator("input[name=q]").fill(query)
    choice = modal.locator("tr:not([data-old])", has_text=email).locator(
        "a[data-chooser-modal-choice]"
    )
    choice.click()
    expect(page.locator(f"#id_gifts-{row}-supporter-chooser [data-chooser-title]")).to_contain_text(
        email
    )


def test_finance_records_a_bank_statement_with_a_duplicate(
    live_server, home_page, page, screenshot, django_user_model
):
    staff = django_user_model.objects.create_user("keiri", password="pw-keiri")
    staff.groups.add(Group.objects.get(name=FINANCE))
    suzuki_tokyo = person("鈴木", "一郎", "スズキ", "イチロウ", "ichiro@tokyo.example.jp")
    suzuki_osaka = person("鈴木", "一郎", "スズキ", "イチロウ", "ichiro@osaka.example.jp")
    tanaka = person("田中", "花子", "タナカ", "ハナコ", "hanako@example.jp")
    food_bank = Programme.objects.create(name_ja="フードバンク", name_en="Food bank")
    paid_on = timezone.localdate() - datetime.timedelta(days=1)
    donation_record_offline(  # already typed in from the statement last time
        supporter=tanaka,
        kind=Donation.Kind.ONE_OFF,
        method=Donation.Method.BANK_TRANSFER,
        amount_yen=5000,
        paid_at=timezone.make_aware(datetime.datetime.combine(paid_on, datetime.time(10))),
    )

    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("keiri")
    page.locator("#id_password").fill("pw-keiri")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(live_server.url + "/admin/donation/")
    page.locator("a[data-gift-batch]").click()
    expect(page).to_have_url(live_server.url + "/admin/donation/batch/")

    # Two 鈴木 一郎: the chooser finds both by kana typed in hiragana, the e-mail tells them apart.
    choose_donor(page, 0, "すずき いちろう", "ichiro@osaka.example.jp")
    choose_donor(page, 1, "ｽｽﾞｷ", "ichiro@tokyo.example.jp")
    choose_donor(page, 2, "hanako@", "hanako@example.jp")
    page.locator("#id_gifts-3-anonymous").check()  # the collection box: nobody to name
    for row, amount in enumerate(["10000", "3000", "5000", "2345"]):
        page.locator(f"#id_gifts-{row}-amount_yen").fill(amount)
        page.locator(f"#id_gifts-{row}-paid_on").fill(paid_on.isoformat())
    page.locator("#id_gifts-1-method").select_option("cash")
    page.locator("#id_gifts-3-method").select_option("cash")
    page.locator("#id_gifts-0-note").fill("11月 振込明細")
    page.locator("#id_batch-programme").select_option(str(food_bank.pk))
    screenshot("rows")
    page.locator("button[data-batch-review]").click()

    # The check: four rows, the total, and the row already in the ledger flagged.
    with translation.override("ja"):
        anonymous = str(ANONYMOUS_DONOR)
    expect(page.locator("[data-batch-total]")).to_have_text("¥20,345")
    expect(page.locator("tr[data-row='4'] [data-donor]")).to_contain_text(anonymous)
    expect(page.locator("[data-programme]")).to_have_text(["フードバンク"] * 4)
    expect(page.locator("tr[data-duplicate]")).to_have_count(1)
    expect(page.locator("tr[data-row='3'] [data-duplicate-warning]")).to_contain_text("¥5,000")
    assert Donation.objects.count() == 1  # nothing recorded yet
    screenshot("check")

    page.locator("button[data-batch-record]").click()  # without the tick: refused
    expect(page.locator("[data-duplicates]")).to_be_visible()
    assert Donation.objects.count() == 1
    page.locator("input[name=confirm_duplicates]").check()
    page.locator("button[data-batch-record]").click()

    expect(page).to_have_url(live_server.url + "/admin/donation/")
    expect(page.locator(".messages")).to_contain_text("¥20,345")
    listing = page.locator("main table tbody")
    expect(listing.locator("tr", has_text="鈴木 一郎")).to_have_count(2)
    expect(listing.locator("tr", has_text="田中 花子")).to_have_count(2)
    expect(listing.locator("tr", has_text=anonymous)).to_have_count(1)
    for amount in (r"10,?000", r"3,?000"):
        expect(listing).to_contain_text(re.compile(amount))
    screenshot("ledger")

    recorded = Donation.objects.filter(recorded_by=staff).order_by("pk")
    assert [(g.supporter_id, g.amount_yen, g.method, g.programme) for g in recorded] == [
        (suzuki_osaka.pk, 10000, "bank_transfer", food_bank),
        (suzuki_tokyo.pk, 3000, "cash", food_bank),
        (tanaka.pk, 5000, "bank_transfer", food_bank),
        (None, 2345, "cash", food_bank),
    ]
    assert Donation.objects.filter(supporter=tanaka, amount_yen=5000).count() == 2
    assert page.console_errors == []
    assert page.foreign_requests == []
