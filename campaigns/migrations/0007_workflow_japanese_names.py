"""Data: the review workflows and their tasks get Japanese names (campaigns/workflow_names.py):
"Campaign review" and its task "Editors review", and Wagtail's default "Moderators approval"
workflow and task. Reversible: the way back restores the English names."""

from django.db import migrations

# Frozen here (not imported): this migration must keep renaming exactly these.
WORKFLOWS = {"Campaign review": "キャンペーンの確認", "Moderators approval": "モデレーターによる承認"}
TASKS = {"Editors review": "編集者による確認", "Moderators approval": "モデレーターによる承認"}


def _rename(model, renames: dict[str, str]) -> None:
    for old, new in renames.items():
        if not model.objects.filter(name=new).exists():  # one staff made themselves stays
            model.objects.filter(name=old).update(name=new)


def to_japanese(apps, schema_editor):
    _rename(apps.get_model("wagtailcore", "Workflow"), WORKFLOWS)
    _rename(apps.get_model("wagtailcore", "Task"), TASKS)


def to_english(apps, schema_editor):
    _rename(apps.get_model("wagtailcore", "Workflow"), {n: o for o, n in WORKFLOWS.items()})
    _rename(apps.get_model("wagtailcore", "Task"), {n: o for o, n in TASKS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0006_outbox_moved_to_core"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(to_japanese, to_english)]
