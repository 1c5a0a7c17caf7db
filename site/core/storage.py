"""Storage for files with personal data (member imports, receipts): never served over HTTP.

The backend is the `private` entry of STORAGES: by default a folder outside MEDIA_ROOT (neither
Django's media route nor the proxy can reach it; files 0600 in 0700 folders, so other accounts on
the machine cannot read them whatever the umask), or a private prefix of the object store when
AWS_STORAGE_BUCKET_NAME is set (ouendan.core.object_storage: private ACL, URLs signed for a few
minutes only). Either way staff and donors download such files only through views that check
permissions and stream the file from the storage.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read when first used and again whenever the setting
    changes, as Django's own storage does for MEDIA_ROOT: tests give every test its own folder."""

    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", None)
        kwargs.setdefault("file_permissions_mode", FILE_MODE)
        kwargs.setdefault("directory_permissions_mode", DIRECTORY_MODE)
        super().__init__(**kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


class _PrivateStorageProxy(LazyObject):
    """STORAGES["private"], looked up when first used and again after STORAGES changes: the
    file fields take their storage once, when the models load (as default_storage does)."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorageProxy()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage():
    """The private storage (the file fields' `storage=` callable)."""
    return _private


def is_local(storage) -> bool:
    """Whether files of this storage are on this machine's disk (they have a path)."""
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True
