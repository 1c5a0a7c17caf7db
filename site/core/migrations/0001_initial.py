"""The organisation settings and the e-mail outbox move from home to core without touching data.

State only: the tables keep their names (db_table), so nothing is copied. The content types
are renamed "home" → "core", so their permissions, the groups granted them (Finance's
view_money_email, Editors' organisation settings) and every log entry pointing at them follow.
home/0011 removes the models from home's state once campaigns' foreign keys point here.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED_MODELS = ["organisationsettings", "outgoingemail"]


def _content_types_move(apps, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        moving = ContentType.objects.filter(app_label=source, model=model).first()
        if moving is None:
            continue  # a fresh database: post_migrate creates the content type under `target`
        # A row under `target` could only be an empty one created early; the moving row is the
        # one permissions, grants and logs point at.
        ContentType.objects.filter(app_label=target, model=model).delete()
        moving.app_label = target
        moving.save(update_fields=["app_label"])
    # The running process may have cached the old labels (tests migrate in-process).
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    CurrentContentType.objects.clear_cache()


def content_types_to_core(apps, schema_editor):
    _content_types_move(apps, source="home", target="core")


def content_types_to_home(apps, schema_editor):
    _content_types_move(apps, source="core", target="home")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("home", "0010_outbox_money_permission_redact_links"),
        ("members", "0002_supporters"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OrganisationSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(default='子どもの未来応援団', max_length=120, verbose_name='organisation name')),
                        ('tagline', models.CharField(blank=True, max_length=200, verbose_name='tagline')),
                        ('postal_code', models.CharField(blank=True, max_length=8, verbose_name='postal code')),
                        ('address', models.CharField(blank=True, max_length=255, verbose_name='address')),
                        ('phone', models.CharField(blank=True, max_length=20, verbose_name='phone')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='contact email')),
                        ('representative', models.CharField(blank=True, max_length=120, verbose_name='representative')),
                        ('footer_note', models.TextField(blank=True, verbose_name='footer note')),
                        ('legal_form', models.CharField(blank=True, help_text='For example 認定特定非営利活動法人. Printed on receipts.', max_length=60, verbose_name='legal form')),
                        ('corporate_number', models.CharField(blank=True, max_length=13, verbose_name='corporate number (法人番号)')),
                        ('certification_number', models.CharField(blank=True, help_text="The certified NPO's approval reference, e.g. ○○県指令第123号.", max_length=100, verbose_name='certification number')),
                        ('certification_date', models.DateField(blank=True, null=True, verbose_name='certification date')),
                        ('receipt_note', models.TextField(blank=True, help_text='Printed at the foot of every receipt and donation certificate.', verbose_name='note on receipts')),
                        ('logo', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailimages.image', verbose_name='logo')),
                        ('site', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='wagtailcore.site')),
                    ],
                    options={
                        'verbose_name': 'organisation',
                        'db_table': 'home_organisationsettings',
                    },
                ),
                migrations.CreateModel(
                    name='OutgoingEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=200, unique=True, verbose_name='key')),
                        ('to', models.EmailField(max_length=254, verbose_name='to')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='body')),
                        ('secret_body', models.TextField(blank=True, editable=False)),
                        ('category', models.CharField(choices=[('general', 'General'), ('money', 'Money')], db_index=True, default='general', max_length=10, verbose_name='category')),
                        ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sending', 'Being sent (unconfirmed)'), ('sent', 'Sent'), ('failed', 'Failed')], db_index=True, default='pending', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                        ('supporter', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='emails', to='members.supporter', verbose_name='supporter')),
                    ],
                    options={
                        'verbose_name': 'outgoing e-mail',
                        'verbose_name_plural': 'outgoing e-mails',
                        'db_table': 'home_outgoingemail',
                        'ordering': ['-created_at'],
                        'permissions': [('view_money_email', 'Can view money-related e-mails')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_core, content_types_to_home),
    ]
