"""Batch entry: anonymous rows (a collection box, 募金箱: no donor) and the batch's programme.

An anonymous gift is booked with no supporter: it counts towards its campaign, programme and
the funding figures, but nobody is thanked or receipted, and no donor is counted for it."""

import csv
import datetime
import io

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation

from campaigns.models import ThankYouLog
from campaigns.selectors import campaign_progress
from donations.funding.selectors import lapsed_donors, revenue_by_source
from donations.models import ANONYMOUS_DONOR, MOST_NEEDED, Donation, Programme
from donations.offline_gifts import donation_record_offline
from donations.receipts.selectors import receipt_eligible_gifts
from members.groups import FINANCE
from tests.donations.test_gift_batch import URL, batch_data, row, staff, yesterday
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def anonymous_row(amount, campaign=None, **changes):
    return {
        "anonymous": "on",
        "amount_yen": str(amount),
        "paid_on": yesterday().isoformat(),
        "method": "cash",
        "campaign": str(campaign.pk) if campaign else "",
        **changes,
    }


@pytest.fixture
def finance(client, django_user_model):
    user = staff(django_user_model, FINANCE)
    client.force_login(user)
    return user


@pytest.fixture
def programmes():
    food = Programme.objects.create(name_ja="フードバンク", name_en="Food bank", sort_order=1)
    place = Programme.objects.create(name_ja="子どもの居場所", name_en="Children's places")
    return food, place


def test_a_collection_box_is_booked_without_a_donor_and_counts_but_is_not_thanked(
    client, finance, campaign, programmes, django_capture_on_commit_callbacks
):
    food, place = programmes
    hanako = SupporterFactory()
    rows = [
        anonymous_row(8200, campaign, note="駅前の募金箱"),
        row(hanako, 3000, campaign),
        anonymous_row(1500, programme=str(place.pk)),  # this row names another programme
        anonymous_row(700, programme="none"),  # and this one: where most needed
    ]
    batch = {"batch-programme": str(food.pk)}
    response = client.post(URL, batch_data(rows, **batch))
    assert response.context["step"] == "confirm", response.context["formset"].errors
    html = response.content.decode()
    assert "¥13,400" in html
    with translation.override("ja"):
        anonymous = str(ANONYMOUS_DONOR)
    cells = [form.donor_label() for _n, form in response.context["rows"]]
    assert cells == [anonymous, str(hanako), anonymous, anonymous]
    programmes_shown = [form.effective_programme() for _n, form in response.context["rows"]]
    assert [str(shown or MOST_NEEDED) for shown in programmes_shown] == [
        "フードバンク",
        "フードバンク",
        "子どもの居場所",
        str(MOST_NEEDED),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, batch_data(rows, action="record", **batch))
    assert response.status_code == 302
    gifts = list(Donation.objects.order_by("pk"))
    assert [(g.supporter, g.amount_yen, g.programme) for g in gifts] == [
        (None, 8200, food),
        (hanako, 3000, food),
        (None, 1500, place),
        (None, 700, None),
    ]
    assert all(g.effects_done_at for g in gifts)  # the effects ran, without a donor
    assert gifts[0].note == "駅前の募金箱"

    # Counted: the campaign's money (but no donor for the box), the funding figures.
    progress = campaign_progress(campaign=campaign)
    assert progress.raised_yen == 11200
    assert progress.donor_count == 1
    month = yesterday().replace(day=1)
    assert revenue_by_source(start=month, end=month)[0].one_off_gifts == 13400
    # Thanked and receipted: only the named donor.
    assert ThankYouLog.objects.filter(object_key=f"donation:{gifts[1].pk}").exists()
    for gift in (gifts[0], gifts[2], gifts[3]):
        assert not ThankYouLog.objects.filter(object_key=f"donation:{gift.pk}").exists()
    assert set(receipt_eligible_gifts()) == {gifts[1]}


def test_funding_counts_a_collection_box_as_income_not_as_a_donor():
    last_year = timezone.localdate().year - 1
    paid_at = timezone.make_aware(datetime.datetime(last_year, 6, 1, 12))
    donation_record_offline(
        supporter=None, kind="one_off", method="cash", amount_yen=5000, paid_at=paid_at
    )
    start = datetime.date(last_year, 6, 1)
    assert revenue_by_source(start=start, end=start)[0].one_off_gifts == 5000
    lapsed = lapsed_donors(year=last_year + 1)
    assert lapsed.last_year_donors == 0 and not lapsed.lybunt


def test_a_row_is_either_a_donor_or_anonymous(client, finance):
    hanako = SupporterFactory()
    rows = [{**row(hanako, 1000), "anonymous": "on"}, {**row(hanako, 2000), "supporter": ""}]
    response = client.post(URL, batch_data(rows))
    assert response.context["step"] == "edit"
    forms = response.context["formset"].forms
    assert list(forms[0].errors) == ["anonymous"]
    assert list(forms[1].errors) == ["supporter"]
    assert not Donation.objects.exists()


def test_identical_collection_boxes_need_one_confirmation_for_the_whole_batch(client, finance):
    paid_at = timezone.make_aware(datetime.datetime.combine(yesterday(), datetime.time(15)))
    donation_record_offline(
        supporter=None, kind="one_off", method="cash", amount_yen=4321, paid_at=paid_at
    )
    hanako = SupporterFactory()
    rows = [anonymous_row(4321), anonymous_row(999), anonymous_row(999), row(hanako, 999)]

    response = client.post(URL, batch_data(rows))
    assert response.context["duplicates"] == 2  # the box in the ledger, and row 3 = row 2
    flagged = {n: bool(form.duplicate_warning) for n, form in response.context["rows"]}
    assert flagged == {1: True, 2: False, 3: True, 4: False}

    response = client.post(URL, batch_data(rows, action="record"))
    assert response.status_code == 200 and Donation.objects.count() == 1
    response = client.post(URL, batch_data(rows, action="record", confirm_duplicates="on"))
    assert response.status_code == 302
    assert Donation.objects.filter(supporter__isnull=True).count() == 4


def test_the_ledger_names_an_anonymous_gift_and_exports_it(client, finance):
    gift = donation_record_offline(
        supporter=None, kind="one_off", method="cash", amount_yen=2500, paid_at=timezone.now()
    )
    with translation.override("ja"):
        anonymous = str(ANONYMOUS_DONOR)
    listing = client.get("/admin/donation/").content.decode()
    assert anonymous in listing
    detail = client.get(f"/admin/donation/inspect/{gift.pk}/").content.decode()
    assert anonymous in detail
    response = client.get("/admin/donation/", {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2 and "2500" in rows[1]


def test_only_an_offline_one_off_gift_may_be_anonymous():
    with pytest.raises(ValueError):
        donation_record_offline(
            supporter=None,
            kind="membership",
            method="cash",
            amount_yen=3000,
            paid_at=timezone.now(),
        )
    with pytest.raises(IntegrityError):
        Donation.objects.create(
            supporter=None, kind="one_off", method="card", amount_yen=3000, paid_at=timezone.now()
        )
