"""Data: the staff groups get Japanese names (members/groups.py), as staff read them in the
Japanese admin. After the last migration of every app that grants to them, so those keep finding
the English names; `group_permissions` finds a group by either name for any migration after this.
Reversible: the way back restores the English names."""

from django.db import migrations

# Frozen here (not imported from members/groups.py): this migration must keep renaming exactly
# these, whatever the constants become.
RENAMES = {
    "Editors": "編集者",
    "Moderators": "モデレーター",
    "Member staff": "会員担当",
    "Finance": "会計",
}


def _rename(apps, renames: dict[str, str]) -> None:
    Group = apps.get_model("auth", "Group")
    for old, new in renames.items():
        # A group staff already made under the new name is left alone (names are unique).
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)


def to_japanese(apps, schema_editor):
    _rename(apps, RENAMES)


def to_english(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0011_supporter_merged_into"),
        ("donations", "0018_membership_fees_into_ledger"),
        ("home", "0011_outbox_organisation_moved_to_core"),
        ("campaigns", "0006_outbox_moved_to_core"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(to_japanese, to_english)]
