# Funding settings and grant income moved from the donations app: the state takes over the
# models with their current tables (donations/0015 removed them there), then the tables get this
# app's names and the content types this app's label, so permissions, Finance's grants and the
# Wagtail setting become funding.*.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from members.group_permissions import content_types_move

MODELS = ["fundingsettings", "grantincome"]


def forwards(apps, schema_editor):
    content_types_move(apps, schema_editor, old_label="donations", new_label="funding", models=MODELS)


def backwards(apps, schema_editor):
    content_types_move(apps, schema_editor, old_label="funding", new_label="donations", models=MODELS)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("donations", "0015_receipts_funding_models_moved"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='FundingSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('monthly_running_costs_yen', models.PositiveIntegerField(default=0, help_text='What the group spends in a normal month: rent, food, staff, insurance...', verbose_name='monthly running costs (yen)')),
                        ('grant_name', models.CharField(blank=True, max_length=120, verbose_name='grant')),
                        ('grant_amount_yen', models.PositiveIntegerField(default=0, verbose_name='grant amount (yen)')),
                        ('grant_start_date', models.DateField(blank=True, null=True, verbose_name='grant start date')),
                        ('grant_end_date', models.DateField(blank=True, null=True, verbose_name='grant end date')),
                        ('site', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='wagtailcore.site')),
                    ],
                    options={
                        'verbose_name': 'funding',
                        'db_table': 'donations_fundingsettings',
                    },
                ),
                migrations.CreateModel(
                    name='GrantIncome',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('received_on', models.DateField(db_index=True, verbose_name='received on')),
                        ('amount_yen', models.PositiveIntegerField(verbose_name='amount (yen)')),
                        ('grantor', models.CharField(max_length=120, verbose_name='grantor')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                    ],
                    options={
                        'verbose_name': 'grant income',
                        'verbose_name_plural': 'grant income',
                        'ordering': ['-received_on', '-pk'],
                        'db_table': 'donations_grantincome',
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount_yen__gt', 0)), name='grant_income_positive')],
                    },
                ),
            ],
        ),
        # The tables take this app's names (db_table back to the default).
        migrations.AlterModelTable(name='fundingsettings', table=None),
        migrations.AlterModelTable(name='grantincome', table=None),
        migrations.RunPython(forwards, backwards),
    ]
