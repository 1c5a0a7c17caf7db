"""Storage for files with personal data (member imports, receipts): never served over HTTP.

It lives outside MEDIA_ROOT, so neither Django's media route nor the proxy can reach it; staff
download such files only through views that check permissions. Files are written 0600 in 0700
folders, so other accounts on the machine cannot read them whatever the umask.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(
        location=settings.PRIVATE_MEDIA_ROOT,
        base_url=None,
        file_permissions_mode=FILE_MODE,
        directory_permissions_mode=DIRECTORY_MODE,
    )
