"""Storage for files with personal data (member imports, receipts): never served over HTTP.

It lives outside MEDIA_ROOT, so neither Django's media route nor the proxy can reach it; staff
download such files only through views that check permissions. Files are written 0600 in 0700
folders, so other accounts on the machine cannot read them whatever the umask.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read when first used and again whenever the setting
    changes, as Django's own storage does for MEDIA_ROOT: the file fields create their storage
    once, when the models load, and tests give every test its own folder."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage() -> FileSystemStorage:
    return PrivateStorage(
        base_url=None,
        file_permissions_mode=FILE_MODE,
        directory_permissions_mode=DIRECTORY_MODE,
    )
