"""Least privilege for goods (in-kind pledges).

- Member staff run the goods workflow: wishlist, pledges (accept, schedule, decline, cancel,
  import), deliveries, expected deliveries (view) and the corporate supporters wall, and may
  choose or upload logos. Pledges and deliveries are never deleted (the admin refuses it too).
- Finance may view pledges and deliveries (in-kind value in reports), not change them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MEMBER_STAFF = [
    "view_wishlistitem",
    "add_wishlistitem",
    "change_wishlistitem",
    "delete_wishlistitem",
    "view_pledge",
    "add_pledge",
    "change_pledge",
    "view_pledgeline",
    "add_pledgeline",
    "view_delivery",
    "add_delivery",
    "change_delivery",
    "view_deliveryline",
    "add_deliveryline",
    "view_expecteddelivery",
    "view_corporatewallentry",
    "add_corporatewallentry",
    "change_corporatewallentry",
    "delete_corporatewallentry",
]
FINANCE = [
    "view_wishlistitem",
    "view_pledge",
    "view_pledgeline",
    "view_delivery",
    "view_deliveryline",
]


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="donations", codename__in=codenames)


def grant(apps, schema_editor):
    for label in ("donations", "wagtailimages", "wagtailadmin"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )

    member_staff, _ = Group.objects.get_or_create(name="Member staff")
    member_staff.permissions.add(access_admin, *_permissions(apps, MEMBER_STAFF))
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for codename in ("choose_image", "add_image"):
            GroupCollectionPermission.objects.get_or_create(
                group=member_staff,
                collection=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailimages", codename=codename
                ),
            )

    finance, _ = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(access_admin, *_permissions(apps, FINANCE))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in (("Member staff", MEMBER_STAFF), ("Finance", FINANCE)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0010_donation_show_amount"),
        ("members", "0003_staff_groups"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
