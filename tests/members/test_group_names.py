"""The staff groups and review workflows have Japanese names (members/0012, campaigns/0007), the
way back restores the English ones, and migrations written with either name find the group."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupApprovalTask, Task, Workflow

from campaigns import workflow_names
from members import groups
from members.group_permissions import group_permissions_grant, group_permissions_revoke

GROUP_RENAME = importlib.import_module("members.migrations.0012_staff_groups_japanese_names")
WORKFLOW_RENAME = importlib.import_module("campaigns.migrations.0007_workflow_japanese_names")
STAFF_GROUPS = [groups.EDITORS, groups.MODERATORS, groups.MEMBER_STAFF, groups.FINANCE]


def _names(model) -> set[str]:
    return set(model.objects.values_list("name", flat=True))


@pytest.mark.django_db
def test_the_migrated_database_has_the_japanese_names_only():
    assert set(STAFF_GROUPS) <= _names(Group)
    assert not set(groups.RENAMED_FROM.values()) & _names(Group)
    assert _names(Workflow) >= {workflow_names.CAMPAIGN_REVIEW, workflow_names.MODERATORS_APPROVAL}
    assert _names(Task) >= {workflow_names.EDITORS_REVIEW, workflow_names.MODERATORS_APPROVAL}
    assert not set(workflow_names.RENAMED_FROM.values()) & (_names(Workflow) | _names(Task))
    # Wagtail's default task still asks the moderators, now under their new name.
    task = GroupApprovalTask.objects.get(name=workflow_names.MODERATORS_APPROVAL)
    assert [g.name for g in task.groups.all()] == [groups.MODERATORS]


@pytest.mark.django_db
def test_the_migrations_constants_match_the_code_constants():
    # The migrations keep their own frozen copies; today they say the same as the constants.
    assert {old: new for new, old in groups.RENAMED_FROM.items()} == GROUP_RENAME.RENAMES
    assert {old: new for new, old in workflow_names.RENAMED_FROM.items()} == {
        **WORKFLOW_RENAME.WORKFLOWS,
        **WORKFLOW_RENAME.TASKS,
    }


@pytest.mark.django_db
def test_the_renames_go_back_and_forth_keeping_members_and_grants():
    finance = Group.objects.get(name=groups.FINANCE)
    grants = set(finance.permissions.all())
    GROUP_RENAME.to_english(apps, None)
    WORKFLOW_RENAME.to_english(apps, None)
    assert set(groups.RENAMED_FROM.values()) <= _names(Group)
    assert not set(STAFF_GROUPS) & _names(Group)
    assert {"Campaign review", "Moderators approval"} <= _names(Workflow)
    assert {"Editors review", "Moderators approval"} <= _names(Task)
    finance.refresh_from_db()
    assert finance.name == "Finance" and set(finance.permissions.all()) == grants

    GROUP_RENAME.to_japanese(apps, None)
    WORKFLOW_RENAME.to_japanese(apps, None)
    finance.refresh_from_db()
    assert finance.name == groups.FINANCE and set(finance.permissions.all()) == grants
    assert workflow_names.CAMPAIGN_REVIEW in _names(Workflow)


@pytest.mark.django_db
def test_a_group_staff_made_under_a_new_name_is_left_alone():
    Group.objects.filter(name=groups.FINANCE).update(name="Finance")
    Group.objects.create(name=groups.FINANCE)
    GROUP_RENAME.to_japanese(apps, None)
    assert {"Finance", groups.FINANCE} <= _names(Group)  # no clash, nothing merged


@pytest.fixture
def members_models_module():
    """group_permissions sets the app config's models_module for migrations' historical apps;
    here it runs with the real registry, whose members config gets its module back."""
    config = apps.get_app_config("members")
    module = config.models_module
    yield
    config.models_module = module


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Finance", groups.FINANCE])
def test_a_later_migration_with_either_name_grants_to_the_renamed_group(
    name, members_models_module
):
    finance = Group.objects.get(name=groups.FINANCE)
    count = Group.objects.count()
    permission = Permission.objects.get(codename="add_interest")
    assert permission not in finance.permissions.all()
    group_permissions_grant(apps, group=name, app_label="members", codenames=["add_interest"])
    assert Group.objects.count() == count  # no second, English "Finance"
    assert permission in finance.permissions.all()
    group_permissions_revoke(apps, group=name, app_label="members", codenames=["add_interest"])
    assert permission not in finance.permissions.all()
