import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.models import Page

from home.models import HomePage, NewsPage
from ouendan.core.models import OrganisationSettings


@pytest.mark.django_db
def test_demo_builds_a_believable_site(demo_site, client):
    home = HomePage.objects.get(locale__language_code="ja")
    assert demo_site.root_page_id == home.pk
    assert OrganisationSettings.for_site(demo_site).name == "さくら野 子どもの未来応援団"
    assert NewsPage.objects.filter(locale__language_code="ja").count() == 3
    assert NewsPage.objects.filter(locale__language_code="en").count() == 3

    html = client.get("/").content.decode()
    assert "さくら野 子どもの未来応援団" in html
    # Live impact figures (home/impact.py) from the demo's own records: the seed's 6.18 t of
    # food (and the summer campaign's 300 kg of rice) and 2,151 items arrive as deliveries;
    # volunteers are counted from the members.
    from members.models import Supporter

    volunteers = Supporter.objects.filter(status="active", is_volunteer=True).count()
    assert f"{volunteers}<small>" in html
    assert "29<small>か所</small>" in html  # the seed's 29 children's places
    assert "6,480<small>kg</small>" in html
    assert "2,151<small>" in html
    assert "Supporting our children" in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_demo_is_idempotent(demo_site, client, capsys):
    """The one test that runs the demo a second time over the shared demo (tests/conftest.py):
    pages, logins, the ledger, the funding story's monthly gifts and the members stay as they
    were. The admin keeps a password changed since, and nobody is logged out."""
    from donations.models import Donation, RecurringDonation
    from tests.members.test_demo import counts as member_counts

    def everything():
        return (
            Page.objects.count(),
            get_user_model().objects.count(),
            Donation.objects.count(),
            member_counts(),
        )

    admin = get_user_model().objects.get(username="admin")
    admin.set_password("my-own-password")
    admin.save()
    assert client.login(username="admin", password="my-own-password")
    before = everything()
    call_command("demo")
    assert everything() == before
    assert "admin / (the password set before: unchanged)" in capsys.readouterr().out
    assert client.get("/admin/").status_code == 200  # still logged in
    admin.refresh_from_db()
    assert admin.check_password("my-own-password") and admin.is_superuser
    assert (
        RecurringDonation.objects.filter(stripe_subscription_id__startswith="sub_demo_f").count()
        == 20
    )


@pytest.mark.django_db
def test_demo_admin_can_log_in(demo_site, client, capsys):
    assert client.login(username="admin", password="ouendan-demo")
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_prints_the_login(demo_output):
    assert "admin / ouendan-demo" in demo_output


@pytest.mark.django_db
@override_settings(OUENDAN_ENVIRONMENT="production")
def test_demo_refuses_production(home_page):
    with pytest.raises(CommandError):
        call_command("demo")


@pytest.mark.django_db
def test_demo_has_a_donate_page_and_a_small_ledger(demo_site, client):
    from donations.models import Donation, RecurringDonation

    ledger = Donation.objects.count()
    assert ledger >= 10 and RecurringDonation.objects.filter(status="past_due").count() == 1
    assert client.get("/donate/").status_code == 200
    assert client.get("/en/donate/").status_code == 200
    # A second run keeps the ledger as it is: test_demo_is_idempotent.


@pytest.mark.django_db
def test_demo_has_goods_campaigns_impact_and_the_corporate_wall(demo_site, client):
    from campaigns.models import CampaignPage
    from donations.goods.models import Delivery, Pledge

    assert Pledge.objects.exists() and Delivery.objects.exists()
    assert CampaignPage.objects.filter(locale__language_code="ja").count() >= 3
    for url in ("/goods/", "/campaigns/", "/impact/", "/thank-you-wall/", "/en/campaigns/"):
        assert client.get(url).status_code == 200, url
    support = client.get("/support/").content.decode().replace("<wbr>", "")  # phrase breaks
    assert "ご支援いただいている企業・団体" in support and "さくら野信用金庫" in support
    assert "Companies supporting us" in client.get("/en/support/").content.decode()
    home = client.get("/").content.decode()
    assert "/campaigns/" in home  # featured campaigns on the home page


@pytest.mark.django_db
def test_demo_support_page_gives_every_way_to_help_its_button(demo_site, client):
    import re

    for prefix in ("", "/en"):
        html = client.get(f"{prefix}/support/").content.decode()
        main = html.split('id="main"')[1].split("</main>")[0]
        buttons = re.findall(r'<a class="button" href="([^"]+)"', main)
        assert buttons == [
            f"{prefix}/donate/",
            f"{prefix}/donate/?frequency=monthly",
            f"{prefix}/join/",
            f"{prefix}/join/?kind=volunteer",
            f"{prefix}/goods/",
            f"{prefix}/join/?kind=organisation",
        ], prefix
        for url in buttons:
            assert client.get(url).status_code == 200, url
        levels = [int(level) for level in re.findall(r"<h([1-6])", main)]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


@pytest.mark.django_db
def test_demo_campaign_wishlist_and_impact_page_count_the_same_rice(demo_site, client):
    """The summer campaign's update says 300 kg of rice arrived: its goods progress, the
    wishlist and the impact page say the same (donations/goods/selectors.py goods_progress)."""
    import re

    campaign = client.get("/campaigns/summer-meals/").content.decode().replace("<wbr>", "")
    assert "お米300kgが届きました" in campaign
    shown = set()
    for url in ("/campaigns/summer-meals/", "/goods/", "/impact/"):
        html = client.get(url).content.decode().replace("<wbr>", "")
        received = re.findall(r'data-goods-received="([\d.]+)" data-goods-target="2400"', html)
        assert received, url
        shown.add(received[0])
    assert len(shown) == 1 and float(shown.pop()) >= 300


@pytest.mark.django_db
def test_demo_impact_page_has_stories_funds_reports_and_actions(demo_site, client):
    html = client.get("/impact/").content.decode()
    assert html.count('class="story"') == 2
    assert html.count("data-funds-row") >= 3
    assert "年次報告書" in html and ".pdf" in html
    assert 'href="/donate/?frequency=monthly"' in html
    english = client.get("/en/impact/").content.decode()
    assert "Annual report" in english and 'href="/en/donate/?frequency=monthly"' in english


@pytest.mark.django_db
def test_demo_funding_dashboard_tells_the_grant_exit_story(demo_site, client):
    from donations.funding.models import FundingSettings, GrantIncome
    from donations.models import RecurringDonation

    funding = FundingSettings.for_site(demo_site)
    assert funding.monthly_running_costs_yen == 450_000 and funding.grant_end_date
    assert GrantIncome.objects.exists()
    assert RecurringDonation.objects.filter(status="cancelled").exists()  # some were lost
    # 20 monthly gifts, also after a second run (test_demo_is_idempotent).
    assert (
        RecurringDonation.objects.filter(stripe_subscription_id__startswith="sub_demo_f").count()
        == 20
    )
    assert client.login(username="admin", password="ouendan-demo")
    response = client.get("/admin/funding_dashboard/")
    assert "さくら野市 地域福祉活動助成金" in response.content.decode()
    # Monthly income grows, but too slowly to replace the grant: the story the demo tells.
    runway = response.context["balance"].runway
    assert runway.slope_yen > 0 and runway.status in ("beyond_horizon", "projected")
