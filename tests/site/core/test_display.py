"""The shared display rules (ouendan.core.display / admin_display) and the outbox screens that
use them: local time, yen, yes/no, "—", labels instead of codes and keys."""

import datetime

import pytest
from django.utils import translation
from wagtail.admin.ui.fields import display_class_registry

from donations.models import Donation
from members.models import Supporter
from ouendan.core import display
from ouendan.core.admin_display import YenColumn
from ouendan.core.models import OutgoingEmail
from ouendan.core.outbox_purposes import outbox_purpose
from tests.display_checks import assert_no_raw_values
from tests.members.factories import SupporterFactory

UTC = datetime.UTC
# 2026-12-01 00:02 UTC is 9:02 in Japan.
MOMENT = datetime.datetime(2026, 12, 1, 0, 2, tzinfo=UTC)


def test_yen_is_grouped_with_the_yen_sign_and_nothing_is_a_dash():
    assert display.yen(3000) == "¥3,000"
    assert display.yen(50000) == "¥50,000"
    assert display.yen(0) == "¥0"
    assert display.yen(-500) == "-¥500"
    assert display.yen(None) == "—"


@pytest.mark.parametrize(
    "language, moment, day",
    [("ja", "2026年12月1日 9:02", "2026年12月1日"), ("en", "1 Dec 2026, 09:02", "1 Dec 2026")],
)
def test_moments_are_local_time_in_one_style_per_language(language, moment, day):
    with translation.override(language):
        assert display.local_datetime(MOMENT) == moment
        assert display.local_date(MOMENT) == day
        assert display.local_date(datetime.date(2026, 12, 1)) == day
        assert display.display(MOMENT) == moment
        assert display.local_datetime(None) == "—"


def test_a_moment_just_before_midnight_utc_is_the_next_day_in_japan():
    with translation.override("ja"):
        late = datetime.datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
        assert display.local_date(late) == "2026年4月1日"


def test_booleans_empties_lists_and_choices_read_as_words():
    with translation.override("en"):
        assert display.display(True) == "Yes"
        assert display.display(False) == "No"
    with translation.override("ja"):
        assert display.yes_no(True) == "はい"
    for empty in (None, "", "  ", [], {}):
        assert display.display(empty) == "—"
    assert display.display(["a", None, 3]) == "a, —, 3"
    with translation.override("en"):
        assert display.choice_label(Donation.Method, "card") == "Card"
        assert display.choice_labels(Donation.Kind.choices, ["monthly", "one_off"]) == (
            "Monthly gift, One-off gift"
        )
    assert display.choice_label(Donation.Method, "gone") == "gone"  # never silently dropped


def test_yen_column_is_right_aligned():
    column = YenColumn("amount_yen", label="amount")
    assert "ouendan-num" in column.classname


@pytest.mark.django_db
def test_every_detail_screen_shows_a_model_field_as_the_list_shows_it():
    """Wagtail's inspect template prints a field through |localize, which does not convert a
    UTC datetime: the shared display every InspectView gets converts it."""
    field = Supporter._meta.get_field("created_at")
    with translation.override("ja"):
        shown = display_class_registry.get(field)(MOMENT).render_html({})
        assert shown == "2026年12月1日 9:02"
    boolean = display_class_registry.get(Supporter._meta.get_field("is_volunteer"))(None)
    assert boolean.render_html({}) == "—"
    money = display_class_registry.get(Donation._meta.get_field("amount_yen"))(3000)
    assert money.render_html({}) == "¥3,000"
    donor = display_class_registry.get(Donation._meta.get_field("supporter"))(None)
    assert donor.render_html({}) == "—"


# --- Outbox: purpose and link, never the key -----------------------------------------------------


@pytest.mark.django_db
def test_outbox_keys_read_as_a_purpose():
    with translation.override("en"):
        assert outbox_purpose("receipt-ready:R2026-0001").label == "Receipt ready"
        assert outbox_purpose("thanks-batch:999999:1").label == "Bulk thanks"
        assert outbox_purpose("thanks:one_off:donation:999999").label == "Thanks for a gift"
        assert outbox_purpose("thanks:campaign_goal_reached:campaign:x:supporter:1").label == (
            "Campaign thanks"
        )
        assert outbox_purpose("something-new:1").label == "Other e-mail"
        # An object that no longer exists: the label, no link.
        assert outbox_purpose("thanks:one_off:donation:999999").url is None


@pytest.mark.django_db
def test_outbox_list_and_detail_show_purpose_local_time_and_link_not_the_key(admin_client):
    supporter = SupporterFactory(family_name="佐藤", given_name="花")
    message = OutgoingEmail.objects.create(
        key=f"login_link:{supporter.pk}:0123456789abcdef",
        to=supporter.email,
        subject="ログイン用のリンク",
        body="本文",
        supporter=supporter,
    )
    OutgoingEmail.objects.filter(pk=message.pk).update(created_at=MOMENT)
    message.refresh_from_db()

    listing = admin_client.get("/admin/outgoing_emails/").content.decode()
    detail = admin_client.get(f"/admin/outgoing_emails/inspect/{message.pk}/").content.decode()

    list_text = assert_no_raw_values(listing, message.key)
    assert "2026年12月1日 9:02" in list_text
    assert (
        "ログイン用リンク" in list_text
    )  # the purpose's label (the subject says ログイン用のリンク)
    # The detail: same local time, the purpose with a link to the supporter; the key is only
    # in the folded technical section.
    technical = detail.index('class="ouendan-technical"')
    assert_no_raw_values(detail[:technical] + detail[detail.index("</details>", technical) :])
    assert "2026年12月1日 9:02" in detail
    assert f'href="/admin/supporter/inspect/{supporter.pk}/"' in detail
    assert message.key in detail[technical:]
