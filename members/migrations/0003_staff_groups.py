"""Staff groups with least privilege.

- Editors: edit and publish pages, images and documents; nothing about members or money.
- Member staff: the members screens (add, change, view, delete) and the e-mails sent to members.
- Finance: view supporters and memberships (donations get added when they exist).

Model permissions are normally created by post_migrate, after all migrations, so they are
created here first for the apps this migration uses.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MEMBER_MODELS = [
    "supporter",
    "volunteerprofile",
    "membership",
    "membershipplan",
    "consentrecord",
    "deletionrequest",
    "memberimport",
    "area",
    "skill",
    "interest",
]
APPS_WITH_PERMISSIONS = ["wagtailadmin", "wagtailcore", "wagtailimages", "wagtaildocs", "home", "members"]


def _ensure_permissions(apps):
    for label in APPS_WITH_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def _permission(apps, app_label, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def create_groups(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    access_admin = _permission(apps, "wagtailadmin", "access_admin")
    members_permissions = Permission.objects.filter(
        content_type__app_label="members", content_type__model__in=MEMBER_MODELS
    )

    editors, _ = Group.objects.get_or_create(name="Editors")
    # Whatever an earlier set-up gave them: no members, donations or outbox permissions.
    editors.permissions.remove(
        *Permission.objects.filter(
            content_type__app_label__in=["members", "donations", "campaigns"]
        ).exclude(content_type__model="user"),
        *Permission.objects.filter(content_type__app_label="home", codename__endswith="outgoingemail"),
    )
    editors.permissions.add(access_admin)
    for app_label, model in [("wagtailimages", "image"), ("wagtaildocs", "document")]:
        for action in ["add", "change", "delete", "choose"]:
            editors.permissions.add(_permission(apps, app_label, f"{action}_{model}"))
    root_page = Page.objects.filter(depth=1).order_by("path").first()
    if root_page is not None:
        for action in ["add", "change", "publish"]:
            GroupPagePermission.objects.get_or_create(
                group=editors,
                page=root_page,
                permission=_permission(apps, "wagtailcore", f"{action}_page"),
            )
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        for app_label, model in [("wagtailimages", "image"), ("wagtaildocs", "document")]:
            for action in ["add", "change", "choose"]:
                GroupCollectionPermission.objects.get_or_create(
                    group=editors,
                    collection=root_collection,
                    permission=_permission(apps, app_label, f"{action}_{model}"),
                )

    member_staff, _ = Group.objects.get_or_create(name="Member staff")
    member_staff.permissions.add(
        access_admin,
        *members_permissions.filter(
            codename__regex=r"^(add|change|view|delete)_"
        ),
        _permission(apps, "home", "view_outgoingemail"),
    )

    finance, _ = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(
        access_admin,
        _permission(apps, "members", "view_supporter"),
        _permission(apps, "members", "view_membership"),
        _permission(apps, "members", "view_membershipplan"),
    )


def remove_groups(apps, schema_editor):
    # Editors came with Wagtail and stays; the two member groups go.
    apps.get_model("auth", "Group").objects.filter(name__in=["Member staff", "Finance"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_supporters"),
        ("home", "0003_outgoing_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
