"""Staff screens for goods: who sees them, the workflow actions, deliveries, overdue list,
感謝状 PDF text, and import (all or nothing) / export (formula-safe)."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from pypdf import PdfReader

from donations.goods import selectors, services
from donations.goods.certificates import certificate_pdf, fiscal_year_period, goods_summary_lines
from donations.goods.models import Delivery, ExpectedDelivery, Pledge, PledgeLine
from donations.goods.rules import GoodsLine
from donations.goods.selectors import GoodsTotal
from donations.goods.transfer import inkind_export, inkind_import
from donations.goods.vocabulary import CATEGORY_JA
from members.groups import EDITORS, FINANCE, MEMBER_STAFF
from ouendan.core.models import OutgoingEmail
from tests.donations.goods.factories import CompanyFactory, WishlistItemFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("goods", password="pw", first_name="倉庫")
    user.groups.add(Group.objects.get(name=MEMBER_STAFF))
    return user


@pytest.fixture
def finance(django_user_model):
    user = django_user_model.objects.create_user("finance", password="pw")
    user.groups.add(Group.objects.get(name=FINANCE))
    return user


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def make_pledge(*, state="offered", supporter=None, **kwargs):
    pledge = services.pledge_offer(
        supporter=supporter or CompanyFactory(organisation_name="さくら食品株式会社"),
        lines=kwargs.pop(
            "lines",
            [
                GoodsLine("food", "お米 5kg袋", Decimal("100"), "kg", 40000),
                GoodsLine("stationery", "ノート", Decimal("300"), "items", 30000),
            ],
        ),
        **kwargs,
    )
    if state != "offered":
        services.pledge_accept(pledge=pledge)
    return pledge


# --- Who sees what ------------------------------------------------------------------------------


def test_member_staff_see_every_goods_screen(client, staff):
    pledge = make_pledge(state="accepted")
    services.delivery_record(
        pledge=pledge,
        received_on=TODAY,
        received_by="田中",
        lines=[
            GoodsLine("food", "お米", Decimal("10"), "kg", pledge_line_id=pledge.lines.first().pk)
        ],
    )
    WishlistItemFactory(name="野菜")
    client.force_login(staff)
    for url in [
        "/admin/wishlist_item/",
        "/admin/wishlist_item/new/",
        "/admin/pledge/",
        f"/admin/pledge/inspect/{pledge.pk}/",
        f"/admin/pledge/edit/{pledge.pk}/",
        f"/admin/pledge/deliver/{pledge.pk}/",
        f"/admin/pledge/action/{pledge.pk}/cancel/",
        "/admin/delivery/",
        "/admin/expected_delivery/",
        "/admin/expected_delivery/?overdue=on",
        "/admin/corporate_wall_entry/",
        "/admin/corporate_wall_entry/new/",
        "/admin/goods-transfer/import/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/admin/pledge/").content.decode()
    assert "さくら食品株式会社" in html and "5.0" in html  # 10 of 100 kg, nothing of notebooks
    assert "/admin/pledge/" in client.get("/admin/").content.decode()  # in the menu


def test_editors_see_no_goods_and_finance_only_looks(client, editor, finance):
    pledge = make_pledge()
    client.force_login(editor)
    assert client.get("/admin/pledge/").status_code == 302  # no permission: back to the dashboard
    # Wagtail turns "permission denied" into a redirect to the dashboard with a message.
    assert client.post(f"/admin/pledge/action/{pledge.pk}/accept/").status_code in (302, 403)
    client.force_login(finance)
    assert client.get("/admin/pledge/").status_code == 200
    assert client.post(f"/admin/pledge/action/{pledge.pk}/accept/").status_code in (302, 403)
    assert client.get(f"/admin/pledge/deliver/{pledge.pk}/").status_code in (302, 403)
    assert (
        "data-delivery-form"
        not in client.get(f"/admin/pledge/deliver/{pledge.pk}/", follow=True).content.decode()
    )
    pledge.refresh_from_db()
    assert pledge.state == "offered"


def test_pledges_cannot_be_deleted_or_added_through_the_generic_screens(client, staff):
    pledge = make_pledge()
    client.force_login(staff)
    assert client.post(f"/admin/pledge/delete/{pledge.pk}/").status_code in (302, 403)
    assert client.get("/admin/pledge/new/").status_code in (302, 403)
    assert Pledge.objects.filter(pk=pledge.pk).exists()  # a POST to delete removed nothing


# --- Workflow -----------------------------------------------------------------------------------


def test_staff_accept_schedule_and_record_a_delivery(client, staff):
    pledge = make_pledge()
    client.force_login(staff)
    response = client.post(f"/admin/pledge/action/{pledge.pk}/accept/")
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.state, pledge.state_changed_by) == ("accepted", staff)
    assert OutgoingEmail.objects.filter(key=f"inkind:accepted:{pledge.pk}").count() == 1

    response = client.post(
        f"/admin/pledge/action/{pledge.pk}/schedule/",
        {"first_delivery_on": (TODAY + datetime.timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 302
    assert ExpectedDelivery.objects.filter(pledge=pledge).count() == 1

    lines = list(pledge.lines.order_by("sort_order"))
    response = client.post(
        f"/admin/pledge/deliver/{pledge.pk}/",
        {
            "received_on": TODAY.isoformat(),
            "received_by": "倉庫 田中",
            "condition": "good",
            "note": "",
            "received-TOTAL_FORMS": "2",
            "received-INITIAL_FORMS": "2",
            "received-MIN_NUM_FORMS": "0",
            "received-MAX_NUM_FORMS": "20",
            "received-0-pledge_line": lines[0].pk,
            "received-0-quantity": "120",
            "received-0-best_before": "",
            "received-1-pledge_line": lines[1].pk,
            "received-1-quantity": "",
            "received-1-best_before": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    delivery = Delivery.objects.get()
    assert delivery.over_pledged and delivery.recorded_by == staff
    assert delivery.lines.get().estimated_value_yen == 48000  # pro rata of the pledged value
    pledge.refresh_from_db()
    assert pledge.state == "partly_delivered"
    messages = [str(m) for m in response.context["messages"]]
    assert any("120" in m and "100" in m for m in messages)  # the over-pledged warning
    thanks = OutgoingEmail.objects.get(key=f"thanks:inkind_delivery:delivery:{delivery.pk}")
    assert ExpectedDelivery.objects.get().status == "delivered"
    # The pledge page lists this pledge's own thank-yous, the delivery one included.
    assert response.context["thanks"] and thanks in response.context["thanks"]


def test_decline_without_a_reason_shows_the_form_again(client, staff):
    pledge = make_pledge()
    client.force_login(staff)
    response = client.post(f"/admin/pledge/action/{pledge.pk}/decline/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    response = client.post(f"/admin/pledge/action/{pledge.pk}/decline/", {"reason": "保管できない"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.state, pledge.reason) == ("declined", "保管できない")


def test_delivery_form_keeps_input_and_explains_bad_quantities(client, staff):
    pledge = make_pledge(state="accepted")
    line = pledge.lines.order_by("sort_order").first()
    client.force_login(staff)
    response = client.post(
        f"/admin/pledge/deliver/{pledge.pk}/",
        {
            "received_on": TODAY.isoformat(),
            "received_by": "田中",
            "condition": "good",
            "received-TOTAL_FORMS": "1",
            "received-INITIAL_FORMS": "1",
            "received-MIN_NUM_FORMS": "0",
            "received-MAX_NUM_FORMS": "20",
            "received-0-pledge_line": line.pk,
            "received-0-quantity": "-4",
        },
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["quantity"]
    html = response.content.decode()
    assert 'value="田中"' in html and 'value="-4"' in html  # what was typed is kept
    assert not Delivery.objects.exists()


def test_overdue_filter_lists_pledges_with_late_deliveries(client, staff):
    late = make_pledge(state="accepted")
    services.pledge_schedule(
        pledge=late,
        first_delivery_on=TODAY - datetime.timedelta(days=5),
        today=TODAY - datetime.timedelta(days=10),
    )
    on_time = make_pledge(
        state="accepted", supporter=CompanyFactory(organisation_name="時間厳守株式会社")
    )
    services.pledge_schedule(pledge=on_time, first_delivery_on=TODAY + datetime.timedelta(days=5))
    client.force_login(staff)
    html = client.get("/admin/pledge/?overdue=on").content.decode()
    assert "さくら食品株式会社" in html and "時間厳守株式会社" not in html
    overdue = client.get("/admin/expected_delivery/?overdue=on").context["object_list"]
    assert [item.pledge_id for item in overdue] == [late.pk]


def test_one_overdue_rule_for_the_column_both_filters_and_the_list(client, staff):
    """A called-off pledge owes nothing: its past expected delivery is overdue nowhere."""
    late = make_pledge(state="accepted")
    services.pledge_schedule(
        pledge=late,
        first_delivery_on=TODAY - datetime.timedelta(days=5),
        today=TODAY - datetime.timedelta(days=10),
    )
    called_off = make_pledge(
        state="accepted", supporter=CompanyFactory(organisation_name="中止株式会社")
    )
    services.pledge_schedule(
        pledge=called_off,
        first_delivery_on=TODAY - datetime.timedelta(days=5),
        today=TODAY - datetime.timedelta(days=10),
    )
    # Declined after the fact with its expectation left open (an old row): still not overdue.
    Pledge.objects.filter(pk=called_off.pk).update(state=Pledge.State.CANCELLED)
    client.force_login(staff)
    listed = client.get("/admin/expected_delivery/").context["object_list"]
    column = {item.pledge_id for item in listed if item.overdue}
    ticked = {
        item.pledge_id
        for item in client.get("/admin/expected_delivery/?overdue=on").context["object_list"]
    }
    pledges = {p.pk for p in client.get("/admin/pledge/?overdue=on").context["object_list"]}
    overdue = {item.pledge_id for item in selectors.deliveries_overdue()}
    assert column == ticked == pledges == overdue == {late.pk}
    # The pledge's own page marks the same rows.
    assert 'class="overdue"' in client.get(f"/admin/pledge/inspect/{late.pk}/").content.decode()
    page = client.get(f"/admin/pledge/inspect/{called_off.pk}/").content.decode()
    assert 'class="overdue"' not in page


def test_unticked_filters_show_no_active_filter_chips(client, staff):
    client.force_login(staff)
    for url in ("/admin/pledge/", "/admin/expected_delivery/"):
        assert client.get(url).context["view"].active_filters == [], url
    ticked = client.get("/admin/pledge/?overdue=on").context["view"].active_filters
    assert [str(chip.field_label) for chip in ticked] == ["納品が遅れているもの"]


# --- 感謝状 (certificate of thanks) -----------------------------------------------------------


def test_certificate_pdf_has_the_company_and_the_goods_in_japanese(client, staff):
    company = CompanyFactory(organisation_name="さくら食品株式会社")
    pledge = make_pledge(state="accepted", supporter=company)
    lines = list(pledge.lines.order_by("sort_order"))
    period = fiscal_year_period(today=TODAY)
    services.delivery_record(
        pledge=pledge,
        received_on=max(period.start, TODAY - datetime.timedelta(days=1)),
        received_by="田中",
        lines=[
            GoodsLine("food", "お米", Decimal("1234.5"), "kg", 40000, pledge_line_id=lines[0].pk),
            GoodsLine(
                "stationery", "ノート", Decimal("300"), "items", 30000, pledge_line_id=lines[1].pk
            ),
        ],
    )
    client.force_login(staff)
    response = client.get(f"/admin/pledge/certificate/{company.pk}/?year={period.year}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "感謝状" in text
    assert "さくら食品株式会社" in text
    assert "食品" in text and "1,234.5 kg" in text
    assert "文具" in text and "300 点" in text
    assert f"{period.year}年度" in text
    assert "70,000 円" in text


def test_certificate_of_another_year_lists_no_goods():
    company = CompanyFactory()
    pdf = certificate_pdf(
        supporter=company, start=datetime.date(2001, 4, 1), end=datetime.date(2002, 3, 31)
    )
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "受領した物品はありません" in text


# --- Import / export ----------------------------------------------------------------------------


def _csv(rows) -> io.BytesIO:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


PLEDGE_HEADER = [
    "参照番号",
    "メールアドレス",
    "受付日",
    "状態",
    "区分",
    "品名",
    "数量",
    "単位",
    "見積額(円)",
]


def test_pledge_import_is_all_or_nothing_with_line_numbers():
    CompanyFactory(email="a@example.jp")
    rows = [
        PLEDGE_HEADER,
        ["P-1", "a@example.jp", "2025-05-01", "承諾", "食品", "お米", "100", "kg", "40000"],
        ["P-1", "a@example.jp", "2025-05-01", "承諾", "文具", "ノート", "300", "点", ""],
        ["P-2", "nobody@example.jp", "2025-05-01", "", "玩具", "積み木", "-3", "個", ""],
        ["P-3", "a@example.jp", "2025-05-01", "", "食品", "牛乳", "20", "ダース", ""],
    ]
    report = inkind_import(kind="pledges", upload=_csv(rows), name="p.csv", commit=True)
    lines = {(error["line"], error["column"]) for error in report.errors}
    assert (4, "メールアドレス") in lines
    assert (4, "数量") in lines
    assert (5, "単位") in lines
    assert not report.written and not Pledge.objects.exists()  # nothing, not even P-1

    good = rows[:3]
    check = inkind_import(kind="pledges", upload=_csv(good), name="p.csv", commit=False)
    assert (check.errors, check.pledges, check.written) == ([], 1, False)
    assert not Pledge.objects.exists()
    done = inkind_import(kind="pledges", upload=_csv(good), name="p.csv", commit=True)
    assert done.written and done.pledges == 1
    pledge = Pledge.objects.get()
    assert (pledge.state, pledge.source, pledge.import_reference) == ("accepted", "import", "P-1")
    assert pledge.lines.count() == 2
    assert not OutgoingEmail.objects.exists()  # imported history is not thanked again
    again = inkind_import(kind="pledges", upload=_csv(good), name="p.csv", commit=True)
    assert again.errors[0]["line"] == 2 and Pledge.objects.count() == 1


def test_delivery_import_links_to_pledged_lines_and_checks_units():
    pledge = make_pledge(state="accepted")
    rice, notebooks = pledge.lines.order_by("sort_order")
    header = ["寄付ID", "受領日", "受領者", "寄付品目ID", "区分", "品名", "数量", "単位"]
    bad = [
        header,
        [pledge.pk, TODAY.isoformat(), "田中", rice.pk, "", "", "50", "箱"],
        [pledge.pk, TODAY.isoformat(), "田中", notebooks.pk, "", "", "100", "点"],
    ]
    report = inkind_import(kind="deliveries", upload=_csv(bad), name="d.csv", commit=True)
    assert [(e["line"], e["column"]) for e in report.errors] == [(2, "単位")]
    assert not Delivery.objects.exists()

    bad[1][7] = "kg"
    report = inkind_import(kind="deliveries", upload=_csv(bad), name="d.csv", commit=True)
    assert report.written and report.deliveries == 1
    delivery = Delivery.objects.get()
    assert sorted(delivery.lines.values_list("unit", "quantity")) == [
        ("items", Decimal("100")),
        ("kg", Decimal("50")),
    ]
    assert not OutgoingEmail.objects.filter(key__startswith="thanks:inkind_delivery:").exists()


def test_exports_are_formula_safe_and_can_be_imported_again(client, staff):
    company = CompanyFactory(organisation_name='=HYPERLINK("http://evil")', email="x@example.jp")
    pledge = make_pledge(state="accepted", supporter=company)
    Pledge.objects.filter(pk=pledge.pk).update(import_reference="R-1")
    content, _type = inkind_export(kind="pledges", file_format="csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["寄付ID", "参照番号", "状態"]
    assert rows[1][3] == '\'=HYPERLINK("http://evil")'

    client.force_login(staff)
    response = client.get("/admin/goods-transfer/export/deliveries/?format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "受領ID"

    # The export's own columns come back in (as a check: the reference exists already).
    Pledge.objects.all().delete()
    report = inkind_import(kind="pledges", upload=io.BytesIO(content), name="e.csv", commit=False)
    assert report.errors == [] and report.pledges == 1


def test_export_import_and_certificate_share_one_goods_vocabulary():
    company = CompanyFactory(email="toys@example.jp")
    pledge = make_pledge(state="accepted", supporter=company)
    PledgeLine.objects.filter(pledge=pledge).update(category="toys")
    Pledge.objects.filter(pk=pledge.pk).update(import_reference="V-1")
    content, _type = inkind_export(kind="pledges", file_format="csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    category = rows[0].index("区分")
    assert {row[category] for row in rows[1:]} == {CATEGORY_JA["toys"]} == {"玩具"}
    assert goods_summary_lines([GoodsTotal("other", "items", Decimal("3"), 0)]) == [
        f"{CATEGORY_JA['other']}　3 点"
    ]
    # The pledge form's word is read too.
    upload = _csv(
        [
            PLEDGE_HEADER,
            ["V-2", "toys@example.jp", "2025-05-01", "", "おもちゃ", "積み木", "3", "個", ""],
        ]
    )
    report = inkind_import(kind="pledges", upload=upload, name="v.csv", commit=True)
    assert report.errors == [] and report.pledges == 1
    assert PledgeLine.objects.get(pledge__import_reference="V-2").category == "toys"


def test_import_screen_shows_errors_by_line(client, staff):
    client.force_login(staff)
    upload = _csv([PLEDGE_HEADER, ["P-9", "none@example.jp", "", "", "食品", "米", "1", "kg", ""]])
    upload.name = "pledges.csv"
    response = client.post(
        "/admin/goods-transfer/import/", {"kind": "pledges", "file": upload, "import": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-import-errors" in html and "メールアドレス" in html
    assert not Pledge.objects.exists()


def test_member_staff_have_least_privilege_for_goods():
    member_staff = Group.objects.get(name=MEMBER_STAFF)
    codenames = set(
        member_staff.permissions.filter(content_type__app_label="goods").values_list(
            "codename", flat=True
        )
    )
    assert {"add_delivery", "change_pledge", "view_wishlistitem"} <= codenames
    assert not {"delete_pledge", "delete_delivery"} & codenames
    assert not member_staff.permissions.filter(content_type__app_label="donations").exists()
    finance = set(
        Group.objects.get(name=FINANCE)
        .permissions.filter(content_type__app_label="goods", codename__contains="pledge")
        .values_list("codename", flat=True)
    )
    assert finance == {"view_pledge", "view_pledgeline"}
    assert not Permission.objects.filter(
        group__name=EDITORS, content_type__model__in=["pledge", "delivery"]
    ).exists()


# --- Editing a pledge goes through services.pledge_update ----------------------------------------


def _pledge_edit_data(pledge, **changes):
    data = {
        "recurrence": pledge.recurrence,
        "recurrence_until": pledge.recurrence_until.isoformat() if pledge.recurrence_until else "",
        "delivery_method": pledge.delivery_method,
        "pickup_address": pledge.pickup_address,
        "pickup_window": pledge.pickup_window,
        "campaign": pledge.campaign_id or "",
        "message": pledge.message,
        "staff_note": pledge.staff_note,
    }
    return {**data, **changes}


def _monthly_scheduled_pledge():
    first = TODAY + datetime.timedelta(days=5)
    pledge = make_pledge(
        state="accepted",
        recurrence="monthly",
        first_delivery_on=first,
        recurrence_until=first + datetime.timedelta(days=300),
    )
    return services.pledge_schedule(pledge=pledge, first_delivery_on=first)


def test_changing_a_pledges_schedule_in_the_edit_form_lists_its_deliveries_again(client, staff):
    from donations.goods.rules import EXPECTED_HORIZON, pledge_due_dates

    pledge = _monthly_scheduled_pledge()
    before = list(pledge.expected_deliveries.order_by("due_on").values_list("due_on", flat=True))
    assert len(before) >= 3  # monthly, within the next ~100 days

    client.force_login(staff)
    response = client.post(
        f"/admin/pledge/edit/{pledge.pk}/",
        _pledge_edit_data(pledge, recurrence="quarterly", staff_note="三か月ごとに変更"),
    )
    assert response.status_code == 302, response.context["form"].errors
    pledge.refresh_from_db()
    assert (pledge.recurrence, pledge.staff_note) == ("quarterly", "三か月ごとに変更")
    wanted = [
        day
        for day in pledge_due_dates(
            recurrence="quarterly", first=pledge.first_delivery_on, until=pledge.recurrence_until
        )
        if day <= TODAY + EXPECTED_HORIZON
    ]
    after = list(pledge.expected_deliveries.order_by("due_on").values_list("due_on", flat=True))
    assert after == wanted and after != before
    assert pledge.state == "scheduled"


def test_the_edit_form_shows_the_schedule_rules_and_stores_nothing(client, staff):
    pledge = _monthly_scheduled_pledge()
    until, due = pledge.recurrence_until, pledge.expected_deliveries.count()
    client.force_login(staff)
    response = client.post(
        f"/admin/pledge/edit/{pledge.pk}/",
        _pledge_edit_data(
            pledge, recurrence_until=pledge.first_delivery_on.isoformat(), staff_note="x"
        ),
    )
    assert response.status_code == 200
    assert "recurrence_until" in response.context["form"].errors
    response = client.post(
        f"/admin/pledge/edit/{pledge.pk}/",
        _pledge_edit_data(pledge, delivery_method="pick_up", pickup_address="", staff_note="x"),
    )
    assert response.status_code == 200
    assert "pickup_address" in response.context["form"].errors
    pledge.refresh_from_db()
    assert (pledge.recurrence_until, pledge.delivery_method, pledge.staff_note) == (
        until,
        "drop_off",
        "",
    )
    assert pledge.expected_deliveries.count() == due


def test_a_closed_pledges_schedule_cannot_change_but_its_note_can(client, staff):
    pledge = make_pledge(state="accepted")
    services.pledge_cancel(pledge=pledge, reason="辞退")
    client.force_login(staff)
    response = client.post(
        f"/admin/pledge/edit/{pledge.pk}/",
        _pledge_edit_data(
            pledge,
            recurrence="monthly",
            recurrence_until=(TODAY + datetime.timedelta(days=60)).isoformat(),
        ),
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post(
        f"/admin/pledge/edit/{pledge.pk}/", _pledge_edit_data(pledge, staff_note="電話で確認")
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.recurrence, pledge.staff_note) == ("once", "電話で確認")


def test_staff_without_the_pledge_permission_are_refused_the_edit_form(client, editor, finance):
    """Refused, not sent to log in (Finance may look at pledges, not change them)."""
    from tests.test_permissions_matrix import outcome

    pledge = _monthly_scheduled_pledge()
    url = f"/admin/pledge/edit/{pledge.pk}/"
    data = _pledge_edit_data(pledge, recurrence="quarterly")
    for user in (editor, finance):
        client.force_login(user)
        ajax = {"x-requested-with": "XMLHttpRequest"}
        assert client.post(url, data, headers=ajax).status_code == 403
        for response in (client.get(url), client.post(url, data)):
            assert response.status_code == 302 and outcome(response) == "no"
    pledge.refresh_from_db()
    assert pledge.recurrence == "monthly"
