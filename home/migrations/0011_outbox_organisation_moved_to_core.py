"""The organisation settings and the outbox now belong to core (core/0001, which kept their
tables and moved their content types): remove them from home's state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0010_outbox_money_permission_redact_links"),
        ("core", "0001_initial"),
        ("campaigns", "0006_outbox_moved_to_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="OrganisationSettings"),
                migrations.DeleteModel(name="OutgoingEmail"),
            ],
        ),
    ]
