"""Every admin URL, with its arguments filled from real objects (tests/test_permissions_matrix.py
walks them as each staff group; tests/site/core/test_exports.py finds the exports among them)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from members.groups import FINANCE

# Wagtail's admin routes that are not screens: the catch-all 404 and the error test page.
NOT_SCREENS = {"admin/^.*/$", "admin/failwhale/", "admin/test404/"}
# Screens whose export (a query on the same URL) is walked as its own row of the matrix; the
# exports with their own URL (member_imports:export, inkind_transfer:export, receipt ZIPs) are
# walked as they are. tests/site/core/test_exports.py checks that each one really answers a
# spreadsheet.
EXPORTS = {
    "supporter:index": "?export=csv",
    "membership:index": "?export=csv",
    "donation:index": "?export=csv",
    "grant_income:index": "?export=csv",
    "wagtailadmin_reports:site_history": "?export=csv",
    "funding_dashboard:index": "?export=revenue",
}


# --- Every admin URL -----------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = ":".join(part for part in [namespace, inner] if part) if inner else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name, pattern


def admin_routes() -> list[tuple[str, str, list[str]]]:
    """(route, name, argument names) of every admin URL; unnamed routes go by their route."""
    routes = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") and route not in NOT_SCREENS:
            arguments = list(pattern.pattern.regex.groupindex)
            routes.append((route, name or route, arguments))
    return routes


# --- Real objects for every URL argument ---------------------------------------------------------


def _image_file():
    from wagtail.images.tests.utils import get_test_image_file

    return get_test_image_file()


def world_build(*, campaign, home_page) -> dict:
    """One of everything an admin URL can point at."""
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.models import (
        Collection,
        Locale,
        Site,
        Task,
        UploadedFile,
        Workflow,
    )

    from campaigns.models import ThankYouBatch, ThankYouKind, ThankYouLog, ThankYouTemplate
    from donations.funding.models import GrantIncome
    from donations.goods.models import CorporateWallEntry, Delivery, ExpectedDelivery
    from donations.models import Programme, RecurringDonation, StripeEvent
    from donations.receipts.models import ReceiptBatch
    from donations.receipts.services import receipt_issue_for_donation
    from home.models import StaffImpactFigure
    from members.models import Area, DeletionRequest, Interest, MemberImport, Membership, Skill
    from members.places.models import Place
    from ouendan.core.models import OutgoingEmail
    from tests.donations.goods.factories import (
        CompanyFactory,
        PledgeLineFactory,
        WishlistItemFactory,
    )
    from tests.donations.receipts.factories import donor, gift
    from tests.home.factories import StandardPageFactory
    from tests.members.factories import MembershipPlanFactory

    admin = get_user_model().objects.create_superuser("walker", password="pw")
    supporter = donor(family_name="歩", given_name="太郎")
    donation = gift(supporter, 5000)
    company = CompanyFactory()
    line = PledgeLineFactory(pledge__supporter=company)
    page = StandardPageFactory(parent=home_page)
    page.save_revision(user=admin)
    workflow = Workflow.objects.filter(active=True).first()
    campaign.save_revision(user=admin)
    workflow_state = workflow.start(campaign, admin)
    image = Image.objects.create(title="写真", file=_image_file())
    document = Document.objects.create(title="資料", file=ContentFile(b"%PDF-1.4", name="a.pdf"))
    plan = MembershipPlanFactory()
    volunteering = _volunteering_objects(supporter=supporter, company=company)
    objects = {
        **volunteering,
        "supporter": supporter,
        "supporter_chooser": supporter,
        "donor_chooser": supporter,
        "membership": Membership.objects.create(
            supporter=supporter, plan=plan, amount_yen=3000, started_on=datetime.date(2026, 1, 1)
        ),
        "membership_plan": plan,
        "deletion_request": DeletionRequest.objects.create(supporter=company),
        "member_imports": MemberImport.objects.create(
            original_name="a.csv", file=ContentFile(b"x", name="a.csv"), created_by=admin
        ),
        "area": Area.objects.create(name="新座市"),
        "place": Place.objects.create(
            name="子ども食堂 ひだまり",
            slug="hidamari",
            kind="kodomo_shokudo",
            district=Area.objects.create(name="中央小学校区", kind="school_district"),
        ),
        "skill": Skill.objects.create(name="調理"),
        "interest": Interest.objects.create(name="食支援"),
        "donation": donation,
        "recurringdonation": RecurringDonation.objects.create(
            supporter=supporter, amount_yen=1000, stripe_subscription_id="sub_walk"
        ),
        "stripeevent": StripeEvent.objects.create(
            stripe_id="evt_walk", type="charge.refunded", payload={}, stripe_created=timezone.now()
        ),
        "receipts": receipt_issue_for_donation(donation=donation, user=admin)[0],
        "receipt_tools": None,  # filled below
        "grant_income": GrantIncome.objects.create(
            received_on=datetime.date(2026, 1, 1), amount_yen=100_000, grantor="県"
        ),
        "wishlist_item": WishlistItemFactory(),
        "pledge": line.pledge,
        "delivery": Delivery.objects.create(
            pledge=line.pledge, received_on=datetime.date(2026, 1, 5), received_by="受付"
        ),
        "expected_delivery": ExpectedDelivery.objects.create(
            pledge=line.pledge, due_on=datetime.date(2026, 2, 1)
        ),
        "corporate_wall_entry": CorporateWallEntry.objects.create(
            supporter=company, display_name="さくら食品"
        ),
        "campaign_thanks": ThankYouBatch.objects.create(subject="ありがとう", body="本文"),
        "wagtailsnippets_campaigns_thankyoutemplate": ThankYouTemplate.objects.first(),
        "wagtailsnippets_donations_programme": Programme.objects.create(name_ja="フードバンク"),
        "wagtailsnippets_campaigns_thankyoulog": ThankYouLog.objects.create(
            kind=ThankYouKind.choices[0][0], object_key="donation:walk", supporter=supporter
        ),
        "outgoing_emails": OutgoingEmail.objects.create(
            key="walk", to="a@example.jp", subject="件名", body="本文"
        ),
        "staff_impact_figures": StaffImpactFigure.objects.create(
            year=2025, households_supported=10
        ),
        "wagtailadmin_workflows": workflow,
        "wagtailadmin_collections": Collection.objects.create(
            name="写真集", path="00010001", depth=2
        ),
        "wagtailredirects": Redirect.objects.create(old_path="/old", redirect_link="/"),
        "wagtailsites": Site.objects.get(is_default_site=True),
        "wagtailusers_users": admin,
        "wagtailusers_groups": Group.objects.get(name=FINANCE),
        "wagtaillocales": Locale.objects.first(),
        "wagtailimages": image,
        "wagtaildocs": document,
    }
    objects["receipt_tools"] = objects["receipts"]
    # Mail news: a mailing of an issue to an audience, and a suppressed address.
    from campaigns.newsletter.models import AudienceSegment, Mailing
    from ouendan.core.models import SuppressedAddress
    from tests.campaigns.newsletter.factories import issue as newsletter_issue

    news_issue = newsletter_issue(home_page)
    segment = AudienceSegment.objects.create(name="歩く人")
    objects["newsletter_mailings"] = Mailing.objects.create(page=news_issue, segment=segment)
    objects["suppressed_addresses"] = SuppressedAddress.objects.create(
        email="bounce@example.jp", reason=SuppressedAddress.Reason.BOUNCED
    )
    objects["wagtailsnippets_newsletter_audiencesegment"] = segment
    objects["wagtailsnippetchoosers_newsletter_audiencesegment"] = segment
    batch = ReceiptBatch.objects.create(year=2025)
    for name in ["batch", "batch_progress", "batch_zip"]:
        objects[f"receipt_tools:{name}"] = batch
    objects["wagtailimages_chooser"] = image
    objects["wagtaildocs_chooser"] = document
    objects["wagtailsnippetchoosers_campaigns_thankyoutemplate"] = objects[
        "wagtailsnippets_campaigns_thankyoutemplate"
    ]
    objects["wagtailsnippetchoosers_donations_programme"] = objects[
        "wagtailsnippets_donations_programme"
    ]
    objects["wagtailsnippetchoosers_campaigns_thankyoulog"] = objects[
        "wagtailsnippets_campaigns_thankyoulog"
    ]
    # Every object in the edit log too, so the site history report and its export show them all.
    from wagtail.log_actions import log

    for obj in {id(o): o for o in objects.values() if o is not None}.values():
        log(instance=obj, action="wagtail.edit", user=admin)
    task_state = workflow_state.current_task_state
    from django.contrib.contenttypes.models import ContentType

    uploaded_image = UploadedFile.objects.create(
        file=_image_file(),
        uploaded_by_user=admin,
        for_content_type=ContentType.objects.get_for_model(Image),
    )
    uploaded_document = UploadedFile.objects.create(
        file=ContentFile(b"%PDF-1.4", name="b.pdf"),
        uploaded_by_user=admin,
        for_content_type=ContentType.objects.get_for_model(Document),
    )
    objects["receipt_tools:batch"].postal_zip.save("batch.zip", ContentFile(b"PK"))
    alias = page.create_alias(update_slug="alias-walk")
    from wagtail.blocks import Block

    block_id = next(
        key
        for key, block in Block.definition_registry.items()
        if type(block).__name__ == "CharBlock"
    )
    arguments = {
        "page_id": page.pk,
        "parent_page_id": home_page.pk,
        "page_to_move_id": page.pk,
        "destination_id": home_page.pk,
        "page_pk": campaign.pk,
        "revision_id": page.latest_revision.pk,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "workflow_pk": workflow.pk,
        "workflow_state_id": workflow_state.pk,
        "task_state_id": task_state.pk,
        "task_id": Task.objects.first().pk,
        "action_name": "approve",
        "content_type_app_name": "home",
        "content_type_model_name": "standardpage",
        "collection_id": objects["wagtailadmin_collections"].pk,
        "image_id": image.pk,
        "document_id": document.pk,
        "doc_id": document.pk,
        "uploaded_file_id": uploaded_image.pk,
        "filter_spec": "fill-100x100",
        "redirect_id": objects["wagtailredirects"].pk,
        "supporter_pk": company.pk,
        "action": "accept",
        "kind": "pledges",
        "uidb64": "MQ",
        "token": "set-password",
        "session_id": 1,
        "object_id": page.pk,
    }
    # Arguments one route needs to point at something real (an alias, the page in a workflow).
    arguments_by_name = {
        "wagtailadmin_pages:convert_alias": {"page_id": alias.pk},
        "wagtaildocs:create_multiple_from_uploaded_document": {
            "uploaded_file_id": uploaded_document.pk
        },
        "wagtaildocs:delete_upload_multiple": {"uploaded_file_id": uploaded_document.pk},
        "newsletter_mailings:send": {"page_id": news_issue.pk},
    }
    for name in [
        "workflow_action",
        "collect_workflow_action_data",
        "confirm_workflow_cancellation",
        "workflow_preview",
        "workflow_history_detail",
    ]:
        arguments_by_name[f"wagtailadmin_pages:{name}"] = {"page_id": campaign.pk}
    bulk_ids = {
        "page": page.pk,
        "image": image.pk,
        "document": document.pk,
        "user": objects["wagtailusers_users"].pk,
        "thankyoutemplate": objects["wagtailsnippets_campaigns_thankyoutemplate"].pk,
        "programme": objects["wagtailsnippets_donations_programme"].pk,
        "audiencesegment": segment.pk,
    }
    queries = {
        "wagtailadmin_api:pages:find": f"?id={page.pk}",
        "wagtailadmin_api:images:find": f"?id={image.pk}",
        "wagtailadmin_api:documents:find": f"?id={document.pk}",
        "wagtailadmin_block_preview": f"?id={block_id}",
        **{f"wagtail_bulk_action[{model}]": f"?id={pk}" for model, pk in bulk_ids.items()},
    }
    return {
        "objects": objects,
        "arguments": arguments,
        "arguments_by_name": arguments_by_name,
        "queries": queries,
        "campaign": campaign,
        "page": page,
    }


def _volunteering_objects(*, supporter, company) -> dict:
    """One of each volunteering object, keyed by its viewset's URL namespace."""
    from members.volunteering.models import (
        EmployerLink,
        HoursEntry,
        ShiftSeries,
        Signup,
        VolunteerTraining,
    )
    from tests.members.volunteering.factories import ShiftFactory, TrainingFactory

    shift = ShiftFactory()
    signup = Signup.objects.create(shift=shift, volunteer=supporter, status="confirmed")
    training = TrainingFactory()
    return {
        "shift": shift,
        "shift_series": ShiftSeries.objects.create(
            place=shift.place,
            role=shift.role,
            rrule="FREQ=WEEKLY;BYDAY=SA",
            starts_on=datetime.date(2027, 1, 2),
            start_time=datetime.time(11),
            end_time=datetime.time(14),
        ),
        "signup": signup,
        "hours_entry": HoursEntry.objects.create(
            volunteer=supporter,
            place=shift.place,
            served_on=datetime.date(2026, 1, 10),
            minutes=120,
            source="reported",
            status="pending",
        ),
        "volunteer_role": shift.role,
        "training": training,
        "volunteer_training": VolunteerTraining.objects.create(
            volunteer=supporter, training=training, completed_on=datetime.date(2026, 1, 5)
        ),
        "employer_link": EmployerLink.objects.create(volunteer=supporter, employer=company),
    }


# Routes that take a model or action by name: each variant is walked (and named in the matrix).
VARIANTS = {
    "wagtailsettings:edit": [
        ("[organisation]", {"app_name": "core", "model_name": "organisationsettings"}),
        ("[funding]", {"app_name": "funding", "model_name": "fundingsettings"}),
    ],
    "wagtailsettings:preview_on_edit": [
        ("[organisation]", {"app_name": "core", "model_name": "organisationsettings"}),
        ("[funding]", {"app_name": "funding", "model_name": "fundingsettings"}),
    ],
    "wagtailadmin_pages:choose_parent": [("", {"app_label": "home", "model_name": "standardpage"})],
    "wagtailadmin_workflows:add_task": [
        ("", {"app_label": "wagtailcore", "model_name": "groupapprovaltask"})
    ],
    "wagtail_bulk_action": [
        (f"[{model}]", {"app_label": app, "model_name": model, "action": "delete"})
        for app, model in [
            ("wagtailcore", "page"),
            ("wagtailimages", "image"),
            ("wagtaildocs", "document"),
            ("members", "user"),
            ("campaigns", "thankyoutemplate"),
            ("donations", "programme"),
            ("newsletter", "audiencesegment"),
        ]
    ],
    "simple_translation:submit_snippet_translation": [
        ("", {"app_label": "campaigns", "model_name": "thankyoutemplate"})
    ],
    "wagtailadmin_tag_model_autocomplete": [("", {"app_name": "taggit", "model_name": "tag"})],
    "wagtailadmin_editing_sessions:ping": [
        ("", {"app_label": "wagtailcore", "model_name": "page"})
    ],
    "wagtailadmin_api:pages:action": [("", {"action_name": "copy"})],
    "inkind_transfer:export": [(f"[{k}]", {"kind": k}) for k in ["pledges", "deliveries"]],
}


def _pk_for(name: str, world) -> int:
    objects = world["objects"]
    specific = {
        "wagtailadmin_pages:revisions_compare": world["page"],
        "wagtailsettings:edit": objects["wagtailsites"],
        "wagtailsettings:preview_on_edit": objects["wagtailsites"],
        "simple_translation:submit_snippet_translation": objects[
            "wagtailsnippets_campaigns_thankyoutemplate"
        ],
        "wagtailadmin_api:pages:detail": world["page"],
        "wagtailadmin_api:pages:action": world["page"],
        "wagtailadmin_api:images:detail": objects["wagtailimages"],
        "wagtailadmin_api:documents:detail": objects["wagtaildocs"],
    }
    if name.startswith("wagtailadmin_workflows:") and "task" in name:
        from wagtail.models import Task

        return Task.objects.first().pk
    if name in specific:
        return specific[name].pk
    if name in objects:
        return objects[name].pk
    return objects[name.split(":")[0]].pk


def admin_urls(world) -> list[tuple[str, str]]:
    """(matrix name, URL) for every admin route, its variants and its exports."""
    urls = []
    for route, name, arguments in admin_routes():
        if route == name:  # unnamed: no arguments to fill
            urls.append((name, "/" + route))
            continue
        for suffix, fixed in VARIANTS.get(name, [("", {})]):
            if set(fixed) - set(arguments):
                continue  # the same name's other route (e.g. settings without a pk)
            kwargs = {}
            for argument in arguments:
                if argument in fixed:
                    kwargs[argument] = fixed[argument]
                elif argument in world["arguments_by_name"].get(name, {}):
                    kwargs[argument] = world["arguments_by_name"][name][argument]
                elif argument == "pk":
                    kwargs[argument] = _pk_for(name, world)
                else:
                    kwargs[argument] = world["arguments"][argument]
            url = reverse(name, kwargs=kwargs) + world["queries"].get(name + suffix, "")
            urls.append((name + suffix, url))
            if name in EXPORTS:
                urls.append((name + "?export", url + EXPORTS[name]))
    return urls
