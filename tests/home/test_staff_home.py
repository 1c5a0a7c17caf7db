"""The staff home: each group sees the figures its permissions allow, Wagtail's page counts are
gone, the page costs a constant number of queries, and the menu is grouped by task."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.menu import SubmenuMenuItem, admin_menu

from donations.goods import services as goods_services
from donations.goods.rules import GoodsLine
from donations.models import RecurringDonation
from home.admin_menu import TASK_MENUS
from members.groups import EDITORS, FINANCE, MEMBER_STAFF
from members.models import DeletionRequest
from tests.donations.goods.factories import CompanyFactory
from tests.donations.receipts.factories import donor, gift
from tests.members.factories import SupporterFactory
from tests.staff_home_helpers import home_items, staff_user

pytestmark = pytest.mark.django_db

TODO_MEMBERS = {"pledges_to_review", "deliveries_overdue", "deletion_requests", "member_imports"}
TODO_MONEY = {"monthly_gifts_failed", "certificates_due", "receipt_batches_running"}
MONEY_ITEMS = TODO_MONEY | {"gifts_this_month"}


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (EDITORS, {"pages_to_review"}),
        (MEMBER_STAFF, TODO_MEMBERS | {"new_supporters"}),
        (FINANCE, MONEY_ITEMS | {"new_supporters"}),
        (None, TODO_MEMBERS | MONEY_ITEMS | {"new_supporters", "pages_to_review"}),
    ],
)
def test_each_group_sees_only_what_its_permissions_allow(
    client, django_user_model, group, expected
):
    client.force_login(staff_user(django_user_model, group, superuser=group is None))
    assert set(home_items(client)) == expected


def test_member_staff_see_no_money_and_finance_do(client, django_user_model):
    gift(donor(), 5000, paid_at=timezone.now())
    client.force_login(staff_user(django_user_model, MEMBER_STAFF))
    html = client.get("/admin/").content.decode()
    assert "¥" not in html and "data-amount" not in html
    assert not MONEY_ITEMS & set(home_items(client))

    client.force_login(staff_user(django_user_model, FINANCE))
    items = home_items(client)
    assert items["gifts_this_month"]["amount"] == 5000
    assert "¥5,000" in client.get("/admin/").content.decode()


def test_every_link_opens_for_the_user_who_sees_it(client, django_user_model):
    for group in (EDITORS, MEMBER_STAFF, FINANCE):
        client.force_login(staff_user(django_user_model, group))
        for name, item in home_items(client).items():
            assert client.get(item["url"]).status_code == 200, (group, name)


def test_wagtail_page_counts_and_default_panels_are_replaced(client, django_user_model):
    client.force_login(staff_user(django_user_model, superuser=True))
    html = client.get("/admin/").content.decode()
    assert "w-summary" not in html  # pages, images, documents counted
    assert 'id="staff_home_todo' in html and 'id="staff_home_month' in html
    assert "recent-edits" not in html


def test_an_editor_with_nothing_to_review_is_told_so(client, django_user_model):
    client.force_login(staff_user(django_user_model, EDITORS))
    html = client.get("/admin/").content.decode()
    assert "staff-home__item--quiet" in html  # 0 pages to review, shown quietly
    assert "staff_home_month" not in html  # no figures for editors


def _data(n: int) -> None:
    today = timezone.localdate()
    for i in range(n):
        company = CompanyFactory()
        goods_services.pledge_offer(
            supporter=company, lines=[GoodsLine("food", "お米", Decimal("10"), "kg", 4000)]
        )
        late = goods_services.pledge_offer(
            supporter=company, lines=[GoodsLine("food", "お米", Decimal("10"), "kg", 4000)]
        )
        goods_services.pledge_accept(pledge=late)
        goods_services.pledge_schedule(
            pledge=late,
            first_delivery_on=today - datetime.timedelta(days=3),
            today=today - datetime.timedelta(days=10),
        )
        person = SupporterFactory()
        DeletionRequest.objects.create(supporter=person)
        gift(person, 1000 + i, paid_at=timezone.now())
        RecurringDonation.objects.create(
            supporter=person,
            amount_yen=1000,
            status=RecurringDonation.Status.PAST_DUE,
            stripe_subscription_id=f"sub_home_{n}_{i}",
        )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/").status_code == 200
    return len(queries)


def test_the_staff_home_costs_a_constant_number_of_queries(
    client, django_user_model, django_assert_max_num_queries
):
    client.force_login(staff_user(django_user_model, superuser=True))
    _data(1)
    client.get("/admin/")  # warm caches (site, locale)
    few = _queries(client)
    _data(5)
    items = home_items(client)
    assert items["pledges_to_review"]["count"] == 6
    assert items["deliveries_overdue"]["count"] == 6
    assert items["monthly_gifts_failed"]["count"] == 6
    assert _queries(client) == few
    with django_assert_max_num_queries(30):
        client.get("/admin/")


# --- The menu grouped by task ---------------------------------------------------------------------


def _menu(user) -> dict[str, list[str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    menu = {}
    for item in admin_menu.menu_items_for_request(request):
        if isinstance(item, SubmenuMenuItem):
            menu[item.name] = [child.url for child in item.menu.menu_items_for_request(request)]
        else:
            menu[item.name] = [item.url]
    return menu


def test_the_menu_is_grouped_by_task_with_every_screen(django_user_model):
    menu = _menu(staff_user(django_user_model, superuser=True))
    for task in TASK_MENUS:
        assert menu[task.name] == [reverse(name) for name in task.url_names]
    # The apps' own submenus and single items are gone from the top level.
    everything = {url for task in TASK_MENUS for url in menu[task.name]}
    for name, urls in menu.items():
        if name not in {task.name for task in TASK_MENUS}:
            assert not everything & set(urls), name


@pytest.mark.parametrize(
    ("group", "shown", "hidden"),
    [
        (MEMBER_STAFF, {"supporters", "goods"}, {"money"}),
        (FINANCE, {"supporters", "money", "thanks"}, set()),
        (EDITORS, {"thanks"}, {"supporters", "money", "goods"}),
    ],
)
def test_each_group_sees_only_its_task_menus(django_user_model, group, shown, hidden):
    menu = _menu(staff_user(django_user_model, group))
    assert shown <= set(menu) and not hidden & set(menu)
    if group == MEMBER_STAFF:
        assert reverse("member_imports:list") in menu["supporters"]
    if group == FINANCE:
        assert reverse("deletion_request:index") not in menu["supporters"]
        assert reverse("receipts:index") in menu["money"]
