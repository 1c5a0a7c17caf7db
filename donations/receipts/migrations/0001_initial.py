# Receipts moved from the donations app: the state takes over the models with their current
# tables (donations/0015 removed them there), then the tables get this app's names and the
# content types this app's label, so permissions and Finance's grants become receipts.*.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import ouendan.core.storage
from members.group_permissions import content_types_move

MODELS = ["receiptbatch", "receipt", "receiptcounter", "receiptlog"]


def forwards(apps, schema_editor):
    content_types_move(apps, schema_editor, old_label="donations", new_label="receipts", models=MODELS)


def backwards(apps, schema_editor):
    content_types_move(apps, schema_editor, old_label="receipts", new_label="donations", models=MODELS)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("donations", "0015_receipts_funding_models_moved"),
        ("members", "0002_supporters"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ReceiptBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('status', models.CharField(choices=[('pending', 'Waiting to start'), ('running', 'Generating'), ('done', 'Done'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('total', models.PositiveIntegerField(default=0, verbose_name='donors')),
                        ('processed', models.PositiveIntegerField(default=0, verbose_name='donors processed')),
                        ('issued_count', models.PositiveIntegerField(default=0, verbose_name='certificates issued')),
                        ('skipped_count', models.PositiveIntegerField(default=0, verbose_name='already issued')),
                        ('emailed_count', models.PositiveIntegerField(default=0, verbose_name='e-mailed')),
                        ('postal_count', models.PositiveIntegerField(default=0, verbose_name='to post')),
                        ('last_supporter_id', models.PositiveIntegerField(default=0)),
                        ('postal_zip', models.FileField(blank=True, storage=ouendan.core.storage.private_storage, upload_to='receipts/batches/', verbose_name='ZIP for posting')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('failures', models.PositiveSmallIntegerField(default=0, verbose_name='failed runs')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='started')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
                    ],
                    options={
                        'verbose_name': 'receipt batch',
                        'verbose_name_plural': 'receipt batches',
                        'ordering': ['-created_at'],
                        'db_table': 'donations_receiptbatch',
                    },
                ),
                migrations.CreateModel(
                    name='Receipt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('gift', 'Receipt for one gift'), ('annual', 'Annual donation certificate')], max_length=10, verbose_name='kind')),
                        ('year', models.PositiveSmallIntegerField(db_index=True, verbose_name='year')),
                        ('sequence', models.PositiveIntegerField(verbose_name='sequence')),
                        ('number', models.CharField(max_length=20, unique=True, verbose_name='receipt number')),
                        ('status', models.CharField(choices=[('issued', 'Issued'), ('void', 'Void')], db_index=True, default='issued', max_length=10, verbose_name='status')),
                        ('donor_name', models.CharField(max_length=400, verbose_name='donor name')),
                        ('donor_postal_code', models.CharField(blank=True, max_length=8, verbose_name='donor postal code')),
                        ('donor_address', models.TextField(blank=True, verbose_name='donor address')),
                        ('lines', models.JSONField(default=list, verbose_name='gifts')),
                        ('total_yen', models.PositiveIntegerField(verbose_name='total (yen)')),
                        ('issuer', models.JSONField(default=dict, verbose_name='issuer')),
                        ('issued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued')),
                        ('reissue_count', models.PositiveSmallIntegerField(default=0, verbose_name='reissues')),
                        ('reissued_at', models.DateTimeField(blank=True, null=True, verbose_name='last reissued')),
                        ('voided_at', models.DateTimeField(blank=True, null=True, verbose_name='voided')),
                        ('void_reason', models.TextField(blank=True, verbose_name='reason for voiding')),
                        ('pdf', models.FileField(blank=True, max_length=200, storage=ouendan.core.storage.private_storage, upload_to='receipts/', verbose_name='PDF')),
                        ('donation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='donations.donation', verbose_name='gift')),
                        ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by')),
                        ('replaces', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='receipts.receipt', verbose_name='corrects')),
                        ('supporter', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='members.supporter', verbose_name='donor')),
                        ('voided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='voided by')),
                        ('batch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='receipts', to='receipts.receiptbatch', verbose_name='batch')),
                    ],
                    options={
                        'verbose_name': 'receipt',
                        'verbose_name_plural': 'receipts',
                        'ordering': ['-issued_at', '-pk'],
                        'db_table': 'donations_receipt',
                        'indexes': [models.Index(fields=['supporter', 'kind', 'year'], name='receipt_donor_idx')],
                        'constraints': [
                            models.UniqueConstraint(fields=('kind', 'year', 'sequence'), name='receipt_unique_sequence'),
                            models.UniqueConstraint(condition=models.Q(('kind', 'gift'), ('status', 'issued')), fields=('donation',), name='receipt_one_issued_per_gift'),
                            models.UniqueConstraint(condition=models.Q(('kind', 'annual'), ('status', 'issued')), fields=('supporter', 'year'), name='receipt_one_issued_certificate_per_year'),
                            models.CheckConstraint(condition=models.Q(('kind', 'annual'), ('donation__isnull', False), _connector='OR'), name='receipt_gift_has_donation'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='ReceiptCounter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('gift', 'Receipt for one gift'), ('annual', 'Annual donation certificate')], max_length=10)),
                        ('year', models.PositiveSmallIntegerField()),
                        ('last_number', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'donations_receiptcounter',
                        'constraints': [models.UniqueConstraint(fields=('kind', 'year'), name='receipt_counter_kind_year')],
                    },
                ),
                migrations.CreateModel(
                    name='ReceiptLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('issued', 'Issued'), ('reissued', 'Reissued'), ('voided', 'Voided'), ('emailed', 'E-mailed'), ('downloaded', 'Downloaded')], max_length=12, verbose_name='action')),
                        ('by_donor', models.BooleanField(default=False, verbose_name='by the donor')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when')),
                        ('receipt', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='log', to='receipts.receipt', verbose_name='receipt')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff')),
                    ],
                    options={
                        'verbose_name': 'receipt log entry',
                        'verbose_name_plural': 'receipt log',
                        'ordering': ['-at', '-pk'],
                        'db_table': 'donations_receiptlog',
                    },
                ),
            ],
        ),
        # The tables take this app's names (db_table back to the default).
        migrations.AlterModelTable(name='receiptbatch', table=None),
        migrations.AlterModelTable(name='receipt', table=None),
        migrations.AlterModelTable(name='receiptcounter', table=None),
        migrations.AlterModelTable(name='receiptlog', table=None),
        migrations.RunPython(forwards, backwards),
    ]
