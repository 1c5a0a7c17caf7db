"""Data: the コーディネーター (place coordinators) group, and volunteering permissions for
会員担当 (Member staff).

Coordinators may enter the admin and see and change shifts, sign-ups and hours; which rows they
see is limited to their own places in code (Place.coordinators), not by permission. Member staff
manage volunteering everywhere (`view_all_places`). Reversible."""

from django.db import migrations

from members.group_permissions import (
    group_permissions_grant,
    group_permissions_revoke,
)

# Frozen here: this migration grants exactly these, whatever the constants become.
COORDINATORS = "コーディネーター"
MEMBER_STAFF = "会員担当"

COORDINATOR_CODENAMES = [
    "view_shift",
    "change_shift",
    "view_signup",
    "change_signup",
    "view_hoursentry",
    "change_hoursentry",
]
MODELS = [
    "role",
    "training",
    "volunteertraining",
    "shiftseries",
    "shift",
    "signup",
    "hoursentry",
    "employerlink",
]
MEMBER_STAFF_CODENAMES = [
    f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")
] + ["view_all_places"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    coordinators, _created = Group.objects.get_or_create(name=COORDINATORS)
    group_permissions_grant(
        apps, group=COORDINATORS, app_label="wagtailadmin", codenames=["access_admin"]
    )
    group_permissions_grant(
        apps, group=COORDINATORS, app_label="volunteering", codenames=COORDINATOR_CODENAMES
    )
    group_permissions_grant(
        apps, group=MEMBER_STAFF, app_label="volunteering", codenames=MEMBER_STAFF_CODENAMES
    )


def revoke(apps, schema_editor):
    group_permissions_revoke(
        apps, group=MEMBER_STAFF, app_label="volunteering", codenames=MEMBER_STAFF_CODENAMES
    )
    Group = apps.get_model("auth", "Group")
    ids = list(Group.objects.filter(name=COORDINATORS).values_list("pk", flat=True))
    if not ids:
        return
    # Rows that point at the group go first, by id: Django's cascade collector, in a run that
    # goes back over many migrations, meets two renderings of Group ("Must be a Group instance").
    Group.permissions.through.objects.filter(group_id__in=ids).delete()
    apps.get_model("members", "User").groups.through.objects.filter(group_id__in=ids).delete()
    for model in ("GroupPagePermission", "GroupCollectionPermission"):
        apps.get_model("wagtailcore", model).objects.filter(group_id__in=ids).delete()
    task = apps.get_model("wagtailcore", "GroupApprovalTask")
    task.groups.through.objects.filter(group_id__in=ids).delete()
    Group.objects.filter(pk__in=ids)._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("volunteering", "0001_initial"),
        ("members", "0012_staff_groups_japanese_names"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
