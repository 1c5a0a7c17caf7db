"""Storage for files with personal data (member imports, later receipts): never served over HTTP.

It lives outside MEDIA_ROOT, so neither Django's media route nor the proxy can reach it; staff
download such files only through views that check permissions.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
