"""Every test has its own media folders, and private storage follows PRIVATE_MEDIA_ROOT."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from ouendan.core.storage import private_storage

SEEN: list[Path] = []

# The second test looks at what the first left: both run in one worker, in this order.
same_worker = pytest.mark.xdist_group("storage-folders")


def _write_both() -> tuple[Path, Path]:
    public = Path(default_storage.path(default_storage.save("t/a.txt", ContentFile(b"a"))))
    private = private_storage()
    secret = Path(private.path(private.save("t/b.txt", ContentFile(b"b"))))
    return public, secret


@same_worker
def test_a_test_writes_into_its_own_folders(session_media_folder):
    public, secret = _write_both()
    assert public.is_relative_to(settings.MEDIA_ROOT)
    assert secret.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not public.is_relative_to(session_media_folder)  # not the session's shared folder
    SEEN.append(Path(settings.MEDIA_ROOT))


@same_worker
def test_the_next_test_starts_empty_and_the_last_folder_is_gone():
    public, _secret = _write_both()
    assert public.name == "a.txt"  # no "a_XXXX.txt": nothing left by the test before
    assert SEEN and SEEN[0] != Path(settings.MEDIA_ROOT)
    assert not SEEN[0].exists()  # removed after its test


def test_private_storage_follows_the_setting(tmp_path):
    storage = private_storage()  # made once, as the models' file fields make theirs
    with override_settings(PRIVATE_MEDIA_ROOT=tmp_path / "elsewhere"):
        name = storage.save("x.txt", ContentFile(b"x"))
        assert Path(storage.path(name)).parent == tmp_path / "elsewhere"
    assert Path(storage.path(name)).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
