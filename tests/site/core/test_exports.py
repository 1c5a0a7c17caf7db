import pytest

from ouendan.core.exports import spreadsheet_safe, spreadsheet_safe_row


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


# --- Every export the admin offers, with a hostile value in each text column -------------------

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example")',
    "+": "+81-90-0000-0000",
    "-": "-2+3",
    "@": "@SUM(A1:A9)",
    "\t": "\tTAB",
    "\r": "\rCR",
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cells(response) -> list[str]:
    import csv
    import io
    import zipfile

    import openpyxl

    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK" and "spreadsheetml" in response["Content-Type"]:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        rows = [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
        return [cell for row in rows for cell in row if isinstance(cell, str)]
    if content[:2] == b"PK":  # the receipt batch's ZIP: its address list
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = archive.read("addresses.csv")
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@pytest.fixture
def hostile_world(db, home_page):
    """Every text a staff export can contain starts with a formula trigger."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.utils.timezone import now
    from wagtail.log_actions import log
    from wagtail.models import Workflow

    from donations.funding.models import GrantIncome
    from donations.goods.models import Delivery, DeliveryLine
    from donations.receipts.models import ReceiptBatch
    from members.models import Membership, MembershipPlan, Supporter
    from tests.donations.goods.factories import PledgeLineFactory
    from tests.donations.receipts.factories import gift
    from tests.home.factories import StandardPageFactory

    admin = get_user_model().objects.create_superuser("exporter", password="pw")
    text = iter(HOSTILE.values())
    fields = [
        "family_name", "given_name", "family_name_kana", "given_name_kana", "organisation_name",
        "department", "contact_person", "phone", "postal_code", "prefecture", "city",
        "address_line", "building", "notes",
    ]  # fmt: skip
    values = {
        field: list(HOSTILE.values())[i % len(HOSTILE)][
            : Supporter._meta.get_field(field).max_length
        ]
        for i, field in enumerate(fields)
    }
    supporter = Supporter.objects.create(
        email="-evil@example.jp", status=Supporter.Status.ACTIVE, **values
    )
    plan = MembershipPlan.objects.create(name=next(text), period="year", amount_yen=3000)
    Membership.objects.create(supporter=supporter, plan=plan, amount_yen=3000)
    donation = gift(supporter, 5000, note=HOSTILE["@"])
    GrantIncome.objects.create(
        received_on=donation.paid_at.date(), amount_yen=1, grantor=HOSTILE["="], note=HOSTILE["-"]
    )
    line = PledgeLineFactory(pledge__supporter=supporter, description=HOSTILE["+"])
    delivery = Delivery.objects.create(
        pledge=line.pledge, received_on=donation.paid_at.date(), received_by=HOSTILE["="],
        note=HOSTILE["\t"],
    )  # fmt: skip
    DeliveryLine.objects.create(
        delivery=delivery, pledge_line=line, category=line.category, description=HOSTILE["@"],
        quantity=line.quantity, unit=line.unit,
    )  # fmt: skip
    page = StandardPageFactory(parent=home_page, title=HOSTILE["="])
    page.save_revision(user=admin).publish(user=admin)
    Workflow.objects.filter(active=True).first().start(page, admin)
    type(page).objects.filter(pk=page.pk).update(locked=True, locked_by=admin, locked_at=now())
    log(instance=supporter, action="wagtail.edit", user=admin)
    from wagtail.contrib.redirects.models import Redirect

    Redirect.objects.create(old_path="/=x", redirect_link=HOSTILE["="])
    batch = ReceiptBatch.objects.create(year=2025)
    from donations.receipts.models import Receipt

    receipt = Receipt.objects.create(
        kind="annual", year=2025, sequence=1, number="2025-A-0001",
        supporter=Supporter.objects.create(family_name=HOSTILE["-"]),  # no e-mail: posted
        donor_name=HOSTILE["="], donor_address=HOSTILE["+"], total_yen=5000,
    )  # fmt: skip
    receipt.pdf.save("r.pdf", ContentFile(b"%PDF-1.4"))
    import io

    from donations.receipts.batches import receipt_postal_zip

    buffer = io.BytesIO()
    receipt_postal_zip(year=2025, fileobj=buffer)
    batch.postal_zip.save("post.zip", ContentFile(buffer.getvalue()))
    return {"admin": admin, "batch": batch}


def export_urls(batch) -> list[str]:
    from django.urls import reverse

    urls = []
    for name in [
        "supporter:index",
        "membership:index",
        "donation:index",
        "grant_income:index",
        "wagtailredirects:index",
        "wagtailadmin_reports:site_history",
        "wagtailadmin_reports:locked_pages",
        "wagtailadmin_reports:aging_pages",
        "wagtailadmin_reports:workflow",
        "wagtailadmin_reports:workflow_tasks",
    ]:
        urls += [reverse(name) + "?export=csv", reverse(name) + "?export=xlsx"]
    urls += [reverse("funding_dashboard:index") + f"?export={t}" for t in DASHBOARD_TABLES]
    urls += [reverse("member_imports:export") + f"?format={f}" for f in ["csv", "xlsx"]]
    for kind in ["pledges", "deliveries"]:
        url = reverse("inkind_transfer:export", args=[kind])
        urls += [url, url + "?format=xlsx"]
    urls.append(reverse("receipt_tools:batch_zip", args=[batch.pk]))
    return urls


DASHBOARD_TABLES = ["recurring", "revenue", "donors", "balance"]
# The list views and reports that offer ?export= (tested above through their index URL).
LIST_EXPORTS = {
    "supporter:index", "membership:index", "donation:index", "grant_income:index",
    "wagtailredirects:index", "wagtailadmin_reports:site_history",
    "wagtailadmin_reports:locked_pages", "wagtailadmin_reports:aging_pages",
    "wagtailadmin_reports:workflow", "wagtailadmin_reports:workflow_tasks",
}  # fmt: skip


@pytest.mark.django_db
def test_every_export_the_admin_offers_is_formula_safe(client, hostile_world):
    client.force_login(hostile_world["admin"])
    for url in export_urls(hostile_world["batch"]):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response["Content-Type"].startswith("text/html"), url
        cells = _cells(response)
        assert cells, url
        unsafe = [cell for cell in cells if cell.startswith(TRIGGERS)]
        assert not unsafe, (url, unsafe)


@pytest.mark.django_db
def test_hostile_values_reach_the_exports(client, hostile_world):
    """The walk above would pass on empty files: the hostile texts are there, neutralised."""
    client.force_login(hostile_world["admin"])
    for url in export_urls(hostile_world["batch"]):
        if "funding_dashboard" in url:
            continue  # numbers and fixed labels only
        cells = _cells(client.get(url))
        assert any(cell.startswith("'") and cell[1:2] in TRIGGERS for cell in cells), url


@pytest.mark.django_db
def test_no_list_export_is_left_out():
    """A new screen with `list_export` must be added to the exports tested here."""
    from django.urls import get_resolver

    from tests.admin_walk import _walk

    offered = set()
    for route, name, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        initkwargs = getattr(pattern.callback, "view_initkwargs", None) or {}
        columns = initkwargs.get("list_export") or getattr(view_class, "list_export", None)
        if route.startswith("admin/") and columns and not name.endswith("_results"):
            offered.add(name)
    assert offered == LIST_EXPORTS
