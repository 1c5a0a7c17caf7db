"""Helpers for idempotent demo content: every app's demo builder uses them."""

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


def impact_demo_update() -> None:
    """Put live impact figures on the demo site (idempotent): the home page's typed figures
    become the live impact block, the households figure is entered once for this year, and an
    impact page with a year choice is added. Run after the other demo builders."""
    from django.utils import timezone

    from . import demo_content as content
    from .models import HomePage, StaffImpactFigure, StandardPage

    text, text_en = content.LIVE_IMPACT, content.LIVE_IMPACT_EN
    StaffImpactFigure.objects.update_or_create(
        year=timezone.localdate().year,
        defaults={"households_supported": text["households"], "note": text["households_note"]},
    )
    home = HomePage.objects.filter(locale__language_code="ja").first()
    if home is None:
        return
    english = Locale.objects.filter(language_code="en").first()
    home_en = home.get_translation_or_none(english) if english else None

    def live(heading: str, period: str = "all") -> tuple[str, dict]:
        return ("live_impact", {"heading": heading, "period": period, "year_choice": True})

    for page, heading in ((home, text["heading"]), (home_en, text_en["heading"])):
        if page is None:
            continue
        page = page.specific
        body = [
            live(heading)
            if block.block_type in ("impact_figures", "live_impact")
            else (block.block_type, block.value)
            for block in page.body
        ]
        if not any(block.block_type in ("impact_figures", "live_impact") for block in page.body):
            body.insert(1 if body else 0, live(heading))
        page.body = body
        page.save_revision().publish()

    impact = page_upsert(
        parent=home,
        model=StandardPage,
        slug="impact",
        title=text["page_title"],
        intro=text["page_intro"],
        body=[live(text["page_heading"], "this_year")],
        show_in_menus=True,
    )
    if home_en is not None:
        page_translate(
            page=impact,
            locale=english,
            title=text_en["page_title"],
            intro=text_en["page_intro"],
            body=[live(text_en["page_heading"], "this_year")],
        )
