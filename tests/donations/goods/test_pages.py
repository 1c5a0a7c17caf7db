"""The public pledge page: wishlist, goods lines, double opt-in for new pledgers, bad input."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation
from wagtail.test.utils import WagtailPageTestCase

from donations.goods.models import CorporateWallEntry, Pledge, PledgePage, WishlistItem
from donations.goods.services import corporate_wall_add
from members.models import AccessToken, ConsentRecord, Supporter
from members.services import consent_record
from ouendan.core.guard import RATE_LIMIT_MESSAGE
from ouendan.core.models import OutgoingEmail
from tests.donations.goods.factories import CompanyFactory, WishlistItemFactory
from tests.outbox_helpers import sent_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge_page(home_page):
    page = PledgePage(title="物品のご寄付", slug="goods", warehouse_address="さくら野市本町2-4-1")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def form_data(**overrides):
    soon = timezone.localdate() + datetime.timedelta(days=10)
    data = {
        "kind": "organisation",
        "organisation_name": "さくら食品株式会社",
        "organisation_name_kana": "さくらしょくひん",
        "contact_person": "佐藤 一郎",
        "email": "Sato@Sakura-Foods.example.jp",
        "phone": "048-123-4567",
        "recurrence": "once",
        "first_delivery_on": soon.isoformat(),
        "recurrence_until": "",
        "delivery_method": "drop_off",
        "message": "倉庫に直接お持ちします。",
        "privacy_policy": "on",
        "supporters_wall": "on",
        "goods-TOTAL_FORMS": "3",
        "goods-INITIAL_FORMS": "0",
        "goods-MIN_NUM_FORMS": "0",
        "goods-MAX_NUM_FORMS": "20",
        "goods-0-category": "food",
        "goods-0-description": "お米 5kg袋",
        "goods-0-quantity": "１２０",  # full-width digits are fine
        "goods-0-unit": "kg",
        "goods-0-estimated_value_yen": "48000",
        "goods-0-best_before": (soon + datetime.timedelta(days=200)).isoformat(),
        "goods-1-category": "stationery",
        "goods-1-description": "ノート",
        "goods-1-quantity": "300",
        "goods-1-unit": "items",
        "goods-1-estimated_value_yen": "",
        "goods-2-category": "",
        "goods-2-unit": "",
        "send": "1",
    }
    data.update(overrides)
    return data


class TestPledgePageType(WagtailPageTestCase):
    def test_pledge_page_can_go_under_the_home_page_and_has_no_children(self):
        from home.models import HomePage

        self.assertCanCreateAt(HomePage, PledgePage)
        self.assertAllowedSubpageTypes(PledgePage, {})


def test_page_shows_wishlist_with_progress_and_the_wall(client, pledge_page):
    item = WishlistItemFactory(name="お米", quantity_needed=Decimal("300"))
    WishlistItemFactory(name="しまわれた品", active=False)
    company = CompanyFactory(organisation_name="さくら野信用金庫")
    corporate_wall_add(supporter=company)
    consent_record(
        supporter=company, kind=ConsentRecord.Kind.SUPPORTERS_WALL, granted=True, source="staff"
    )
    hidden = CompanyFactory(organisation_name="掲載不可株式会社")
    corporate_wall_add(supporter=hidden)

    response = client.get("/goods/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "お米" in html and f"?item={item.pk}" in html
    assert "しまわれた品" not in html
    assert "さくら野信用金庫" in html and "掲載不可株式会社" not in html

    prefilled = client.get(f"/goods/?item={item.pk}")
    first_line = prefilled.context["formset"].forms[0]
    assert first_line.initial == {
        "wishlist_item": item.pk,
        "category": "food",
        "description": "お米",  # 品名 is not typed again
        "unit": "kg",
    }


def test_the_form_starts_with_one_goods_row(client, pledge_page):
    response = client.get("/goods/")
    assert len(response.context["formset"].forms) == 1
    html = response.content.decode()
    assert 'id="id_goods-0-description"' in html and 'id="id_goods-1-description"' not in html
    assert "goods/js/pledge_form.js" in html and 'id="wishlist-names"' in html


def test_choosing_a_wishlist_item_fills_in_its_name_category_and_unit(client, pledge_page):
    item = WishlistItemFactory(name="お米", category="food", unit="kg")
    data = form_data(**{"goods-0-wishlist_item": str(item.pk), "goods-TOTAL_FORMS": "1"})
    for name in ("category", "description", "unit"):
        data[f"goods-0-{name}"] = ""
    response = client.post("/goods/", data)
    assert response.status_code == 302, response.context["formset"].errors
    line = Pledge.objects.get().lines.get()
    assert (line.description, line.category, line.unit) == ("お米", "food", "kg")
    assert line.wishlist_item_id == item.pk


def test_without_a_wishlist_item_name_category_and_unit_are_required(client, pledge_page):
    data = form_data(**{"goods-TOTAL_FORMS": "1"})
    for name in ("category", "description", "unit"):
        data[f"goods-0-{name}"] = ""
    response = client.post("/en/goods/", data)
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert set(errors) == {"category", "description", "unit"}
    assert not Pledge.objects.exists()


def test_new_company_pledges_and_gets_the_join_double_opt_in(client, pledge_page):
    response = client.post("/goods/", form_data())
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == "/goods/thanks/"

    supporter = Supporter.objects.get()
    assert (supporter.kind, supporter.status, supporter.email) == (
        "organisation",
        Supporter.Status.PENDING,
        "sato@sakura-foods.example.jp",
    )
    assert supporter.organisation_name_kana == "サクラショクヒン"
    pledge = Pledge.objects.get()
    assert (pledge.supporter, pledge.state, pledge.source) == (supporter, "offered", "web")
    lines = list(pledge.lines.order_by("sort_order").values_list("category", "quantity", "unit"))
    assert lines == [("food", Decimal("120"), "kg"), ("stationery", Decimal("300"), "items")]
    # The join page's confirmation link, pointing back to this page's confirm route.
    email = OutgoingEmail.objects.get()
    assert email.key.startswith("confirm_signup:")
    assert "/goods/confirm/" in sent_body(email)
    assert AccessToken.objects.filter(supporter=supporter, purpose="confirm").exists()
    # Wall consent recorded, and the company put on the staff's wall list (shown once confirmed).
    assert supporter.consents.get(kind=ConsentRecord.Kind.SUPPORTERS_WALL).granted
    assert CorporateWallEntry.objects.filter(supporter=supporter).exists()

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200


def test_confirm_link_from_the_pledge_page_activates_the_supporter(client, pledge_page):
    client.post("/goods/", form_data())
    body = sent_body(OutgoingEmail.objects.get())
    url = next(word for word in body.split() if "/goods/confirm/" in word)
    path = url[url.index("/goods/") :]
    assert client.get(path).status_code == 200
    client.post(path)
    assert Supporter.objects.get().status == Supporter.Status.ACTIVE


def test_known_email_reuses_the_supporter_and_changes_nothing_about_them(client, pledge_page):
    company = CompanyFactory(email="sato@sakura-foods.example.jp", organisation_name="元の名前")
    response = client.post("/goods/", form_data(organisation_name="別の名前"))
    assert response.status_code == 302
    assert Supporter.objects.count() == 1
    company.refresh_from_db()
    assert company.organisation_name == "元の名前"
    pledge = Pledge.objects.get()
    assert pledge.supporter == company
    assert "別の名前" in pledge.contact_as_submitted  # staff can see what was typed
    assert not OutgoingEmail.objects.exists()


def test_honeypot_pretends_success_and_stores_nothing(client, pledge_page):
    response = client.post("/goods/", form_data(homepage_url="http://spam.example"))
    assert response.status_code == 302
    assert not Supporter.objects.exists() and not Pledge.objects.exists()


def test_the_same_email_six_times_is_refused_and_keeps_the_input(client, pledge_page):
    for n in range(5):
        assert client.post("/goods/", form_data()).status_code == 302, n
    response = client.post("/en/goods/", form_data(message="また届けます"))
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert Pledge.objects.count() == 5
    html = response.content.decode()
    with translation.override("en"):
        assert str(RATE_LIMIT_MESSAGE) in html
    # The form again as typed: the company, the message and the goods lines.
    assert 'value="さくら食品株式会社"' in html and "また届けます" in html
    assert 'value="お米 5kg袋"' in html


def test_a_flood_of_pledges_from_one_address_is_stopped(client, pledge_page, settings):
    # The real per-IP limit (300/h) is lowered to keep the test quick; the default is checked
    # with 40 and 1,000 attempts in tests/site/core/test_guard.py.
    settings.OUENDAN_RATE_LIMITS = {
        **settings.OUENDAN_RATE_LIMITS,
        "donations:pledge": {"email": "5/h", "ip": "8/h"},
    }
    for n in range(8):  # eight companies, each under its own e-mail limit
        response = client.post("/goods/", form_data(email=f"company{n}@example.jp"))
        assert response.status_code == 302, n
    assert client.post("/goods/", form_data(email="ninth@example.jp")).status_code == 429
    assert Pledge.objects.count() == 8


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"goods-0-quantity": "-5"}, "quantity", "above zero"),
        ({"goods-0-quantity": "abc"}, "quantity", "as a number"),
        ({"goods-0-quantity": "500000"}, "quantity", "looks too large"),
        ({"goods-1-quantity": "2.5"}, "quantity", "whole numbers"),
        ({"goods-0-best_before": "2020-01-01"}, "best_before", "already passed"),
        ({"goods-0-estimated_value_yen": "-100"}, "estimated_value_yen", "zero or more"),
    ],
)
def test_bad_goods_lines_are_shown_by_their_field_and_nothing_is_lost(
    client, pledge_page, overrides, field, text
):
    response = client.post("/en/goods/", form_data(**overrides))
    assert response.status_code == 200
    formset = response.context["formset"]
    errors = [str(e) for form in formset.forms for e in form.errors.get(field, [])]
    assert any(text in error for error in errors), formset.errors
    html = response.content.decode()
    assert "お米 5kg袋" in html and "さくら食品株式会社" in html  # what was typed is still there
    assert not Pledge.objects.exists() and not Supporter.objects.exists()


def test_unit_that_does_not_match_the_wishlist_item_is_refused(client, pledge_page):
    item = WishlistItemFactory(name="お米", unit="kg")
    response = client.post(
        "/en/goods/", form_data(**{"goods-0-wishlist_item": item.pk, "goods-0-unit": "boxes"})
    )
    errors = response.context["formset"].forms[0].errors
    assert errors["unit"] == ["“お米” on the wishlist is counted in kg: enter the quantity in kg."]
    assert not Pledge.objects.exists()


def test_recurring_pledge_needs_an_end_date_and_pick_up_an_address(client, pledge_page):
    response = client.post("/en/goods/", form_data(recurrence="monthly", delivery_method="pick_up"))
    errors = response.context["form"].errors
    assert set(errors) >= {"recurrence_until", "pickup_address", "pickup_window"}
    assert not Pledge.objects.exists()


def test_empty_goods_list_is_refused(client, pledge_page):
    data = form_data()
    for index in (0, 1):
        for name in (
            "category",
            "description",
            "quantity",
            "unit",
            "estimated_value_yen",
            "best_before",
        ):
            data[f"goods-{index}-{name}"] = ""
    response = client.post("/en/goods/", data)
    assert "Add at least one kind of goods." in response.content.decode()
    assert not Pledge.objects.exists()


def test_more_lines_keeps_what_was_typed_without_error_messages(client, pledge_page):
    data = form_data(add_line="1")
    data.pop("send")
    response = client.post("/goods/", data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 3  # two typed lines + one empty one
    assert formset.forms[1].initial["description"] == "ノート"
    assert not response.context["form"].is_bound
    assert not Pledge.objects.exists()


def test_wishlist_item_model_refuses_zero_needed():
    with pytest.raises(IntegrityError):
        WishlistItem.objects.create(
            name="x", category="food", unit="kg", quantity_needed=Decimal("0")
        )
