"""Staff money screens: Finance only, offline gifts through the ledger service, safe exports."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from donations.models import Donation
from donations.services import StripeKeys, donation_record
from members.groups import EDITORS, FINANCE
from tests.members.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


@pytest.fixture
def outsider(django_user_model):
    """Staff who may use the admin (e.g. page editors) but hold no money permissions."""
    user = django_user_model.objects.create_user("editor", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def gift(supporter, amount=3000, **kwargs):
    donation, _ = donation_record(
        supporter=supporter,
        kind=kwargs.pop("kind", Donation.Kind.ONE_OFF),
        method=kwargs.pop("method", Donation.Method.CARD),
        amount_yen=amount,
        paid_at=kwargs.pop("paid_at", timezone.now() - datetime.timedelta(days=1)),
        **kwargs,
    )
    return donation


def test_finance_records_an_offline_bank_transfer(client, finance):
    supporter = SupporterFactory()
    client.force_login(finance)
    response = client.post(
        "/admin/donation/new/",
        {
            "supporter": supporter.pk,
            "kind": "one_off",
            "method": "bank_transfer",
            "amount_yen": "12000",
            "paid_at": "2026-11-01 10:00",
            "note": "11月分 振込",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    donation = Donation.objects.get()
    assert (donation.amount_yen, donation.method, donation.recorded_by) == (
        12000,
        "bank_transfer",
        finance,
    )
    # The gift's history says who recorded it, as for any object made in the admin.
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(object_id=str(donation.pk), action="wagtail.create")
    assert entry.user == finance


@pytest.mark.parametrize(
    ("field", "value"),
    [("method", "card"), ("amount_yen", "0"), ("amount_yen", "12.5"), ("paid_at", "2999-01-01")],
)
def test_offline_gift_form_refuses_bad_input(client, finance, field, value):
    client.force_login(finance)
    data = {
        "supporter": SupporterFactory().pk,
        "kind": "one_off",
        "method": "cash",
        "amount_yen": "1000",
        "paid_at": "2026-11-01 10:00",
        field: value,
    }
    response = client.post("/admin/donation/new/", data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Donation.objects.exists()


def test_stripe_rows_are_read_only_and_nothing_is_deleted(client, finance):
    online = gift(SupporterFactory(), stripe_keys=StripeKeys(checkout_session_id="cs_1"))
    offline = gift(SupporterFactory(), method=Donation.Method.CASH)
    client.force_login(finance)
    assert client.get(f"/admin/donation/edit/{online.pk}/").status_code in (302, 403)
    assert client.get(f"/admin/donation/edit/{offline.pk}/").status_code == 200
    client.post(f"/admin/donation/delete/{offline.pk}/")
    assert Donation.objects.count() == 2


def test_export_escapes_formulas_and_follows_filters(client, finance):
    supporter = SupporterFactory(family_name="=cmd|' /C calc'!A0", email="x@example.jp")
    gift(supporter, message="@SUM(1+1)", method=Donation.Method.CASH)
    gift(SupporterFactory(), method=Donation.Method.CARD, amount=5000)
    client.force_login(finance)

    response = client.get("/admin/donation/", {"export": "csv", "method": "cash"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2  # heading + the one cash gift
    cells = rows[1]
    assert any(cell.startswith("'=cmd") for cell in cells)
    assert "'@SUM(1+1)" in cells
    assert "3000" in cells

    response = client.get("/admin/donation/", {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert "'@SUM(1+1)" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "@", "+", "-")) for v in values)


def test_staff_without_money_permissions_see_no_money(client, outsider):
    gift(SupporterFactory())
    client.force_login(outsider)
    for url in ("/admin/donation/", "/admin/recurringdonation/", "/admin/stripeevent/"):
        assert client.get(url).status_code in (302, 403), url
    assert client.get("/admin/donation/", {"export": "csv"}).status_code in (302, 403)


def test_ledger_query_count_does_not_grow_with_rows(client, finance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(finance)

    def queries_for_listing() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/donation/").status_code == 200
        return len(captured)

    for _ in range(3):
        gift(SupporterFactory())
    few = queries_for_listing()
    for _ in range(30):
        gift(SupporterFactory())
    assert queries_for_listing() == few


# --- Editing an offline gift goes through donation_update -----------------------------------------


@pytest.fixture
def editor(django_user_model):
    """Editors use the admin but hold no money permissions."""
    user = django_user_model.objects.create_user("editors", password="pw")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def _edit_data(donation, **changes):
    data = {
        "supporter": donation.supporter_id,
        "kind": donation.kind,
        "method": donation.method,
        "amount_yen": str(donation.amount_yen),
        "paid_at": timezone.localtime(donation.paid_at).strftime("%Y-%m-%d %H:%M"),
        "campaign": donation.campaign_id or "",
        "note": donation.note,
    }
    return {**data, **changes}


def test_editing_an_offline_gift_refreshes_its_campaign_progress(
    client, finance, campaign, django_capture_on_commit_callbacks
):
    from campaigns.selectors import campaign_progress
    from tests.campaigns.factories import campaign_gift

    with django_capture_on_commit_callbacks(execute=True):
        donation = campaign_gift(SupporterFactory(), campaign, 10_000, method="bank_transfer")
    assert campaign_progress(campaign=campaign).raised_yen == 10_000  # now cached

    client.force_login(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/donation/edit/{donation.pk}/",
            _edit_data(donation, amount_yen="25000", note="振込額の訂正"),
        )
    assert response.status_code == 302, response.context["form"].errors
    donation.refresh_from_db()
    assert (donation.amount_yen, donation.note) == (25_000, "振込額の訂正")
    assert donation.effects_done_at is not None  # the effects ran again after the commit
    # The cached progress was dropped by the gift's effects: the page reads the new total.
    assert campaign_progress(campaign=campaign).raised_yen == 25_000


def test_moving_an_offline_gift_to_another_campaign_tells_receivers_the_old_one(
    client, finance, campaign, django_capture_on_commit_callbacks
):
    from campaigns.selectors import campaign_progress
    from donations.signals import gift_changed
    from tests.campaigns.factories import campaign_gift

    with django_capture_on_commit_callbacks(execute=True):
        donation = campaign_gift(SupporterFactory(), campaign, 5_000, method="cash")
    assert campaign_progress(campaign=campaign).raised_yen == 5_000  # now cached
    heard = []

    def receiver(sender, donation, previous_campaign_id, **kwargs):
        heard.append((donation.pk, donation.campaign_id, previous_campaign_id))

    gift_changed.connect(receiver, weak=False)
    try:
        client.force_login(finance)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/admin/donation/edit/{donation.pk}/", _edit_data(donation, campaign="")
            )
    finally:
        gift_changed.disconnect(receiver)
    assert response.status_code == 302
    assert heard == [(donation.pk, None, campaign.pk)]
    # campaigns hears it too (campaigns/gift_effects.py): the campaign the gift left is fresh.
    assert campaign_progress(campaign=campaign).raised_yen == 0


def test_stripe_gifts_cannot_be_edited_through_the_service_either():
    from donations.services import DonationNotEditable, donation_update

    online = gift(SupporterFactory(), stripe_keys=StripeKeys(checkout_session_id="cs_9"))
    offline = gift(SupporterFactory(), method=Donation.Method.CASH)
    common = {
        "supporter": online.supporter,
        "kind": online.kind,
        "amount_yen": 1,
        "paid_at": online.paid_at,
    }
    with pytest.raises(DonationNotEditable):
        donation_update(donation=online, method=Donation.Method.CASH, **common)
    with pytest.raises(DonationNotEditable):
        donation_update(donation=offline, method=Donation.Method.CARD, **common)
    online.refresh_from_db()
    assert online.amount_yen == 3000


def test_staff_without_the_ledger_permission_are_refused_the_edit_screen(client, editor):
    """Refused, not sent to log in: Wagtail's admin answers a refusal with 403 to scripts and,
    for a page load, with its "permission denied" redirect to the dashboard."""
    from tests.test_permissions_matrix import outcome

    donation = gift(SupporterFactory(), method=Donation.Method.CASH)
    client.force_login(editor)
    url = f"/admin/donation/edit/{donation.pk}/"
    data = _edit_data(donation, amount_yen="1")
    assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    assert client.post(url, data, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    for response in (client.get(url), client.post(url, data)):
        assert response.status_code == 302 and outcome(response) == "no", response.get("Location")
    donation.refresh_from_db()
    assert donation.amount_yen == 3000


def test_ledger_reads_live_in_selectors():
    import donations.selectors
    import donations.services

    for name in (
        "donor_totals",
        "donor_summary",
        "DonorSummary",
        "DonorTotals",
        "_donation_by_keys",
    ):
        assert not hasattr(donations.services, name), name
    online = gift(SupporterFactory(), stripe_keys=StripeKeys(payment_intent_id="pi_7"))
    assert donations.selectors.donation_by_stripe_keys(payment_intent_id="pi_7") == online
    assert donations.selectors.donation_by_stripe_keys() is None  # no key finds nothing
