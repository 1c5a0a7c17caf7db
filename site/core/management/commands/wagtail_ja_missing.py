"""List Wagtail's admin strings that have no Japanese: neither Wagtail's own ja catalogue nor our
supplement (site/wagtail_ja/ja/LC_MESSAGES/django.po) translates them. Run it after a Wagtail
upgrade and add the Japanese of what it lists to the supplement (`--check`: fail when any)."""

import json

from django.core.management.base import BaseCommand, CommandError

from ouendan.core.catalogues import supplement_catalogue, wagtail_ja_missing


class Command(BaseCommand):
    help = "List Wagtail msgids without a Japanese translation (Wagtail's ja + our supplement)."

    def add_arguments(self, parser):
        parser.add_argument("--app", help="only this Wagtail folder, e.g. wagtail/admin")
        parser.add_argument("--check", action="store_true", help="fail when any is missing")

    def handle(self, *args, app=None, check=False, **options):
        missing = [(where, e) for where, e in wagtail_ja_missing() if not app or where == app]
        for where, entry in missing:
            context = f" msgctxt={json.dumps(entry.msgctxt, ensure_ascii=False)}"
            plural = f" / {json.dumps(entry.msgid_plural, ensure_ascii=False)}"
            self.stdout.write(
                f"{where}:{context if entry.msgctxt else ''} "
                f"{json.dumps(entry.msgid, ensure_ascii=False)}"
                f"{plural if entry.msgid_plural else ''}"
            )
        summary = (
            f"{len(missing)} Wagtail msgid(s) without Japanese"
            f" (supplement: {supplement_catalogue()})"
        )
        if check and missing:
            raise CommandError(summary)
        self.stderr.write(summary)
