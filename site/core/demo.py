"""Helpers for idempotent demo content: every app's demo builder uses them. The builders are
called by home's `demo` command (the top layer), which passes them the home page to build under."""

from wagtail.models import Locale, Page


def page_upsert(*, parent: Page, model: type[Page], slug: str, **fields) -> Page:
    """Create the child page with this slug, or update it, and publish it."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
    else:
        for name, value in fields.items():
            setattr(page, name, value)
    page.save_revision().publish()
    return page


def page_translate(*, page: Page, locale: Locale, **fields) -> Page:
    """Create or update the page's translation into `locale` and publish it."""
    page = page.specific
    translation = page.get_translation_or_none(locale)
    if translation is None:
        translation = page.copy_for_translation(locale)
    translation = translation.specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation
