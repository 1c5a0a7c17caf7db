"""Campaign page types, sharing meta, the Checkout thank-you page, the workflow and scheduling."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Workflow, WorkflowState
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from campaigns.models import CampaignIndexPage, CampaignPage, SupportersWallPage
from campaigns.workflow_names import CAMPAIGN_REVIEW, EDITORS_REVIEW
from donations.models import CheckoutRequest, DonatePage
from donations.services import StripeKeys
from home.models import HomePage
from home.tasks import pages_publish_scheduled
from members.groups import EDITORS
from tests.campaigns.factories import CampaignIndexPageFactory, CampaignPageFactory, campaign_gift
from tests.members.factories import SupporterFactory


class CampaignPageTypeTests(WagtailPageTestCase):
    def setUp(self):
        self.home = HomePage.objects.get(depth=2)
        self.login()

    def test_tree_rules(self):
        self.assertCanCreateAt(HomePage, CampaignIndexPage)
        self.assertCanCreateAt(CampaignIndexPage, CampaignPage)
        self.assertCanNotCreateAt(HomePage, CampaignPage)
        self.assertCanNotCreateAt(CampaignPage, CampaignPage)
        self.assertCanCreateAt(HomePage, SupportersWallPage)

    def test_pages_render_and_are_editable(self):
        index = CampaignIndexPageFactory(parent=self.home)
        campaign = CampaignPageFactory(parent=index)
        self.assertPageIsRenderable(index)
        self.assertPageIsRenderable(campaign)
        data = nested_form_data(
            {
                "title": campaign.title,
                "slug": campaign.slug,
                "summary": "夏休みのお昼ごはん",
                "goal_yen": "200000",
                "start_date": "2026-07-20",
                "end_date": "2026-08-31",
                "body": streamfield([("paragraph", rich_text("<p>本文</p>"))]),
                "donate": streamfield([]),
                "updates": streamfield([]),
                "goods_goals": inline_formset([]),
                "show_supporters_wall": "on",
            }
        )
        self.assertPageIsEditable(campaign, data)
        self.assertPageIsPreviewable(campaign, post_data=data)

    def test_end_before_start_is_refused_with_a_clear_message(self):
        index = CampaignIndexPageFactory(parent=self.home)
        campaign = CampaignPageFactory(parent=index)
        revisions = campaign.revisions.count()
        response = self.client.post(
            f"/admin/pages/{campaign.pk}/edit/",
            nested_form_data(
                {
                    "title": campaign.title,
                    "slug": campaign.slug,
                    "summary": "概要",
                    "start_date": "2026-08-31",
                    "end_date": "2026-07-01",
                    "body": streamfield([]),
                    "donate": streamfield([]),
                    "updates": streamfield([]),
                    "goods_goals": inline_formset([]),
                }
            ),
        )
        assert response.status_code == 200
        assert "キャンペーンの終了日は開始日より後にしてください。" in response.content.decode()
        assert campaign.revisions.count() == revisions  # nothing saved, not even a draft


@pytest.mark.django_db
def test_campaign_page_has_absolute_sharing_meta_and_links_to_give(client, home_page, settings):
    settings.PUBLIC_BASE_URL = "https://ouendan.example.jp"
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    donate = DonatePage(title="寄付する", slug="donate")
    home_page.add_child(instance=donate)
    index = CampaignIndexPageFactory(parent=home_page)
    image = Image.objects.create(title="hero", file=get_test_image_file(size=(1600, 900)))
    campaign = CampaignPageFactory(parent=index, hero_image=image, summary="お昼ごはんを届けます")

    html = client.get(campaign.url).content.decode()

    assert '<meta property="og:title" content="' + campaign.title in html
    assert '<meta property="og:description" content="お昼ごはんを届けます">' in html
    # One origin for all three, the configured one: not the Site record, not the Host header.
    assert f'<meta property="og:url" content="https://ouendan.example.jp{campaign.url}">' in html
    assert f'<link rel="canonical" href="https://ouendan.example.jp{campaign.url}">' in html
    assert '<meta property="og:image" content="https://ouendan.example.jp/media/images/' in html
    assert "localhost" not in html and "testserver" not in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'href="/donate/?campaign={campaign.pk}"' in html


@pytest.mark.django_db
def test_thank_you_page_names_the_campaign_and_claims_nothing_before_the_webhook(client, home_page):
    donate = DonatePage(title="寄付する", slug="donate")
    home_page.add_child(instance=donate)
    index = CampaignIndexPageFactory(parent=home_page)
    campaign = CampaignPageFactory(parent=index, title="年末年始の子ども食堂")
    supporter = SupporterFactory()
    CheckoutRequest.objects.create(
        frequency=CheckoutRequest.Frequency.ONE_OFF,
        amount_yen=5000,
        supporter=supporter,
        campaign=campaign,
        stripe_session_id="cs_test_thanks",
    )

    before = client.get("/donate/thanks/?session_id=cs_test_thanks").content.decode()
    assert "年末年始の子ども食堂" in before and "5,000" in before
    assert f'href="{campaign.url}"' in before
    assert "Stripe" in before  # "we will e-mail you as soon as Stripe confirms"
    assert "お支払いを受け付けました" not in before  # not before the webhook records it

    campaign_gift(
        supporter, campaign, 5000, stripe_keys=StripeKeys(checkout_session_id="cs_test_thanks")
    )
    after = client.get("/donate/thanks/?session_id=cs_test_thanks")
    assert after.context["checkout"].recorded
    assert "お支払いを受け付けました" in after.content.decode()
    assert "Stripe" not in after.content.decode().split("<main")[1]

    unknown = client.get("/donate/thanks/?session_id=cs_nobody")
    assert unknown.status_code == 200 and not unknown.context["checkout"].found


@pytest.mark.django_db
def test_thank_you_page_for_a_visitors_monthly_gift_waits_for_the_paid_event(client, home_page):
    """A visitor's checkout has no supporter until Stripe's paid event names one: the page then
    says nothing is recorded yet and looks nobody up on the empty key."""
    home_page.add_child(instance=DonatePage(title="寄付する", slug="donate"))
    checkout = CheckoutRequest.objects.create(
        frequency=CheckoutRequest.Frequency.MONTHLY,
        amount_yen=2000,
        email="visitor@example.jp",
        stripe_session_id="cs_test_monthly_visitor",
    )
    before = client.get("/donate/thanks/?session_id=cs_test_monthly_visitor")
    assert before.context["checkout"].found and not before.context["checkout"].recorded

    supporter = SupporterFactory(email="visitor@example.jp")
    CheckoutRequest.objects.filter(pk=checkout.pk).update(supporter=supporter)
    campaign_gift(supporter, None, 2000, kind="monthly", paid_at=timezone.now())
    after = client.get("/donate/thanks/?session_id=cs_test_monthly_visitor")
    assert after.context["checkout"].recorded


# --- Workflow and scheduled publishing ---------------------------------------------------------


@pytest.fixture
def writer(django_user_model, home_page):
    """Staff who may write pages but not publish them."""
    user = django_user_model.objects.create_user("writer", password="pw")
    group = Group.objects.create(name="Writers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for permission in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group, page=home_page, permission=Permission.objects.get(codename=permission)
        )
    user.groups.add(group)
    return user


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.mark.django_db
def test_campaign_index_uses_the_campaign_review_workflow(home_page):
    index = CampaignIndexPageFactory(parent=home_page)
    campaign = CampaignPageFactory(parent=index)
    workflow = campaign.get_workflow()
    assert workflow.name == CAMPAIGN_REVIEW
    tasks = [task.specific for task in workflow.tasks]
    assert [task.name for task in tasks] == [EDITORS_REVIEW]
    assert [group.name for group in tasks[0].groups.all()] == [EDITORS]
    assert Workflow.objects.get(name=CAMPAIGN_REVIEW).workflow_pages.filter(page=index).exists()


@pytest.mark.django_db
def test_writer_submits_and_an_editor_approves_and_publishes(client, home_page, writer, editor):
    index = CampaignIndexPageFactory(parent=home_page)
    campaign = CampaignPageFactory(parent=index, live=False, title="下書きのキャンペーン")
    campaign.save_revision(user=writer)
    client.force_login(writer)
    form = nested_form_data(
        {
            "title": "春の新生活応援",
            "slug": campaign.slug,
            "summary": "ランドセルを届けます",
            "goal_yen": "100000",
            "start_date": "2027-03-01",
            "end_date": "2027-03-31",
            "body": streamfield([]),
            "donate": streamfield([]),
            "updates": streamfield([]),
            "goods_goals": inline_formset([]),
            "action-submit": "Submit for moderation",
        }
    )
    response = client.post(f"/admin/pages/{campaign.pk}/edit/", form)
    assert response.status_code == 302
    campaign.refresh_from_db()
    state = WorkflowState.objects.get(object_id=str(campaign.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert not campaign.live
    # The writer cannot approve; the editor can.
    task_state = state.current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action", args=[campaign.pk, "approve", task_state.pk]
    )
    assert client.post(approve_url).status_code in (302, 403)
    campaign.refresh_from_db()
    assert not campaign.live

    client.force_login(editor)
    response = client.post(approve_url, {"comment": "良いと思います"})
    assert response.status_code in (200, 302)
    campaign.refresh_from_db()
    assert campaign.live and campaign.title == "春の新生活応援"
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert client.get(campaign.url).status_code == 200


@pytest.mark.django_db
def test_scheduled_campaign_goes_live_with_publish_scheduled(client, home_page, monkeypatch):
    index = CampaignIndexPageFactory(parent=home_page)
    campaign = CampaignPageFactory(parent=index, live=False)
    go_live = timezone.now() + datetime.timedelta(seconds=2)
    campaign.go_live_at = go_live
    campaign.save_revision().publish()
    campaign.refresh_from_db()
    assert not campaign.live and campaign.go_live_at == go_live
    assert client.get(campaign.url).status_code == 404

    call_command("publish_scheduled")
    campaign.refresh_from_db()
    assert not campaign.live  # not yet

    later = go_live + datetime.timedelta(seconds=1)  # the clock moves on, without a wait
    monkeypatch.setattr(timezone, "now", lambda: later)
    pages_publish_scheduled.call_local()  # the worker runs this every minute
    campaign.refresh_from_db()
    assert campaign.live
    assert client.get(campaign.url).status_code == 200
