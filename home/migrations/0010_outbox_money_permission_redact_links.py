"""Outbox trust: money mail for Finance only, single-use links hidden from staff.

- A "view money-related e-mails" permission, granted to Finance (with the outbox itself), never
  to Member staff or Editors.
- Existing messages get their category from their key prefix.
- Existing messages that carry a single-use link (portal login, sign-up confirmation, card
  update) have the link redacted in `body`; a message not sent yet keeps the real text in
  `secret_body` so that it still works when it goes out.
"""

import re

from django.db import migrations

from members.group_permissions import group_permissions_grant, group_permissions_revoke

LINK_HIDDEN = "[link hidden / リンクは表示しません]"  # as ouendan.core.mail.LINK_HIDDEN, frozen here

# Keys as queued by campaigns/thanks.py, donations (payment failed, receipts) and members
# (renewal reminders state the fee). Thanks for goods deliveries are not money.
MONEY_PREFIXES = (
    "thanks:",
    "thanks-batch:",
    "payment-failed:",
    "receipt-ready:",
    "renewal-reminder:",
)
NOT_MONEY_PREFIXES = ("thanks:inkind_delivery:",)

# Mails whose body holds a single-use link (members/services.py _email_link; donations'
# payment-failed mail), and the shape of those links.
LINK_PREFIXES = ("login_link:", "confirm_signup:", "already_registered:", "payment-failed:")
LINK_PATTERN = re.compile(r"https?://\S*?/(?:login|confirm|update-card)/[^/\s]+/?")


def money_category(key: str) -> bool:
    return key.startswith(MONEY_PREFIXES) and not key.startswith(NOT_MONEY_PREFIXES)


def categorise(apps, schema_editor):
    OutgoingEmail = apps.get_model("home", "OutgoingEmail")
    money = [
        pk
        for pk, key in OutgoingEmail.objects.filter(category="general")
        .values_list("pk", "key")
        .iterator()
        if money_category(key)
    ]
    for start in range(0, len(money), 500):
        OutgoingEmail.objects.filter(pk__in=money[start : start + 500]).update(category="money")


def redact_links(apps, schema_editor):
    OutgoingEmail = apps.get_model("home", "OutgoingEmail")
    for message in OutgoingEmail.objects.filter(
        key__regex=r"^(login_link|confirm_signup|already_registered|payment-failed):"
    ).iterator():
        redacted = LINK_PATTERN.sub(LINK_HIDDEN, message.body)
        if redacted == message.body:
            continue
        if message.status in ("pending", "sending") and not message.secret_body:
            message.secret_body = message.body  # still to be sent: it must keep working
        message.body = redacted
        message.save(update_fields=["body", "secret_body"])


def grant(apps, schema_editor):
    group_permissions_grant(
        apps,
        group="Finance",
        app_label="home",
        codenames=["view_outgoingemail", "view_money_email"],
    )
    for group in ("Member staff", "Editors"):
        group_permissions_revoke(
            apps, group=group, app_label="home", codenames=["view_money_email"]
        )


def revoke(apps, schema_editor):
    group_permissions_revoke(
        apps,
        group="Finance",
        app_label="home",
        codenames=["view_outgoingemail", "view_money_email"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0009_outbox_sending_category_secret"),
        ("members", "0003_staff_groups"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="outgoingemail",
            options={
                "ordering": ["-created_at"],
                "permissions": [("view_money_email", "Can view money-related e-mails")],
                "verbose_name": "outgoing e-mail",
                "verbose_name_plural": "outgoing e-mails",
            },
        ),
        migrations.RunPython(categorise, migrations.RunPython.noop),
        migrations.RunPython(redact_links, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
