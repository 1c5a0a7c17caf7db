"""The outbox moved to core (core/0001): the e-mail links point at core.OutgoingEmail, whose
table is the same, so only the migration state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_goods_goal_wishlist_item_moved"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="thankyoubatchrecipient",
                    name="email",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.outgoingemail"),
                ),
                migrations.AlterField(
                    model_name="thankyoulog",
                    name="email",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.outgoingemail", verbose_name="e-mail"),
                ),
            ],
        ),
    ]
