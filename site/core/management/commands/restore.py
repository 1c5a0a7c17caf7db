"""Restore a backup into a fresh (empty) database and storage."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ouendan.core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup folder made by `backup` into an empty database and storage."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup folder (ouendan-<date>)")

    def handle(self, *args, backup, **options):
        try:
            manifest = backup_restore(source=Path(backup))
        except (BackupError, OSError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"restored": manifest["created"], "files": manifest["files"]}))
