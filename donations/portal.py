"""Parts of the member portal's donations section that other money apps add (receipts), so this
app shows them without importing those apps: they register here from their AppConfig.ready()."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from members.models import Supporter

_PARTS: list[Callable[..., str]] = []


def donor_portal_part_register(render: Callable[..., str]) -> None:
    """render(supporter=...) returns the part's HTML, shown at the end of the section."""
    if render not in _PARTS:
        _PARTS.append(render)


def donor_portal_parts(*, supporter: Supporter) -> list[SafeString]:
    # Each part is rendered from its own template (autoescaped there).
    return [mark_safe(render(supporter=supporter)) for render in _PARTS]  # noqa: S308
