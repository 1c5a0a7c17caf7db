"""Member staff see the suppressed addresses (bounced, marked as spam): they are personal
data about supporters, so nobody else does."""

from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke
from members.groups import MEMBER_STAFF


def grant(apps, schema_editor):
    group_permissions_grant(
        apps, group=MEMBER_STAFF, app_label="core", codenames=["view_suppressedaddress"]
    )


def revoke(apps, schema_editor):
    group_permissions_revoke(
        apps, group=MEMBER_STAFF, app_label="core", codenames=["view_suppressedaddress"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0014_alter_consentrecord_source"),
        ("core", "0006_suppressedaddress"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
