"""Grant and revoke staff-group permissions from data migrations.

Migrations call these with their historical `apps`, so this module must only use models through
`apps` and must keep working for every migration that calls it.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.models import ContentType as GlobalContentType

from .groups import RENAMED_FROM, RENAMED_TO


def _permissions(apps, app_label: str, codenames: list[str]):
    # Permissions of models added in the same run are only created after all migrations:
    # create them now so the grant finds them.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)


def _group_names(group: str) -> list[str]:
    """The group's name and its name on the other side of the rename to Japanese
    (members/groups.py): a migration written with either finds the group, before or after."""
    other = RENAMED_TO.get(group) or RENAMED_FROM.get(group)
    return [group, other] if other else [group]


def _group_find(apps, group: str):
    Group = apps.get_model("auth", "Group")
    for name in _group_names(group):
        found = Group.objects.filter(name=name).first()
        if found is not None:
            return found
    return None


def group_permissions_grant(apps, *, group: str, app_label: str, codenames: list[str]) -> None:
    Group = apps.get_model("auth", "Group")
    staff_group = _group_find(apps, group) or Group.objects.create(name=group)
    staff_group.permissions.add(*_permissions(apps, app_label, codenames))


def group_permissions_revoke(apps, *, group: str, app_label: str, codenames: list[str]) -> None:
    Permission = apps.get_model("auth", "Permission")
    staff_group = _group_find(apps, group)
    if staff_group is not None:
        staff_group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def group_permissions_revoke_everywhere(apps, *, app_label: str, codenames: list[str]) -> None:
    """Take permissions from every group, including groups staff made themselves."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    for group in Group.objects.filter(permissions__in=permissions).distinct():
        group.permissions.remove(*permissions)


def content_types_move(
    apps, schema_editor, *, old_label: str, new_label: str, models: list[str]
) -> None:
    """Give a moved model's content type its new app label (a model moved to another app keeps
    its table and rows). Permissions, group grants, Wagtail log entries and settings point at
    the content type's row, so they all follow; codenames stay the same."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    manager = ContentType.objects.db_manager(schema_editor.connection.alias)
    for model in models:
        # A row under the new label can only come from a post_migrate run on a half-migrated
        # database, before this migration: it holds nothing the old row does not, so it goes.
        if manager.filter(app_label=old_label, model=model).exists():
            manager.filter(app_label=new_label, model=model).delete()
        manager.filter(app_label=old_label, model=model).update(app_label=new_label)
    # The running process may have cached the old label (permissions created later look it up).
    GlobalContentType.objects.clear_cache()
