"""What every public page shows that depends only on the page tree — the main menu, the header's
donate and portal links, a page's hreflang alternates — kept in the shared cache until any page,
site, locale or view restriction changes (then every entry is dropped at once by bumping one
version number), and for at most TREE_CACHE_SECONDS in any case.

Gifts never touch these entries: a page that has to be rendered again after a gift (its page
cache and progress dropped) still finds them, so it costs no menu or header queries.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

VERSION_KEY = "ouendan:tree:version"


def tree_cache_seconds() -> int:
    return int(getattr(settings, "TREE_CACHE_SECONDS", 600))


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def tree_cached(key: str, compute):
    """compute()'s value for `key` (which must name everything it depends on besides the page
    tree: site, language, page), computed once per tree version."""
    seconds = tree_cache_seconds()
    if not seconds:
        return compute()
    full_key = f"ouendan:tree:{_version()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, seconds)
    return value


def _bump() -> None:
    cache.set(VERSION_KEY, time.time_ns(), None)


def tree_changed(**kwargs) -> None:
    """Drop every entry: a new version number (old entries expire on their own), now and again
    once the change commits. The signals fire inside the writer's transaction: a request that
    reads the tree between the first bump and the commit still sees the old rows and keeps them
    under the new version (a view restriction just added would not apply until the entry
    expired); the second bump drops what such a request kept."""
    _bump()
    transaction.on_commit(_bump)


def _model_changed(sender, instance=None, **kwargs) -> None:
    if isinstance(instance, Page | Site | Locale | PageViewRestriction):
        tree_changed()


def tree_cache_connect() -> None:
    """Called once from CoreConfig.ready()."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(tree_changed, dispatch_uid=f"ouendan-tree-{signal!r}")
    for signal in (post_save, post_delete):
        signal.connect(_model_changed, dispatch_uid=f"ouendan-tree-model-{signal!r}")
