"""Impact figures for the demo site (the page helpers are ouendan.core.demo)."""

from django.utils import timezone
from wagtail.models import Locale

from ouendan.core.demo import page_translate, page_upsert

from . import demo_content as content
from .models import HomePage, StaffImpactFigure, StandardPage


def impact_demo_update() -> None:
    """Put live impact figures on the demo site (idempotent): the home page's typed figures
    become the live impact block, the households figure is entered once for this year, and an
    impact page with a year choice is added. Run after the other demo builders."""
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
