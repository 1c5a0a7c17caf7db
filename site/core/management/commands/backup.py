"""Back up the database and every uploaded and private file into a dated folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ouendan.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and all files (uploads, private) into a folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="where the dated backup folder is made")

    def handle(self, *args, folder, **options):
        try:
            target = backup_create(folder=Path(folder))
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(target))
