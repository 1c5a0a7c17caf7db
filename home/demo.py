"""Impact figures for the demo site (the page helpers are ouendan.core.demo)."""

import io

from django.core.files.base import ContentFile
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from wagtail.documents.models import Document
from wagtail.models import Locale, Page

from donations.models import Programme
from ouendan.core.demo import page_translate, page_upsert
from ouendan.core.pdf import pdf_fonts

from . import demo_content as content
from .models import HomePage, ImpactPage, ImpactSpending, StaffImpactFigure


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

    _impact_page(home, home_en, english)


def _cta(home: Page, heading, text, slug, query, label) -> tuple[str, dict] | None:
    target = Page.objects.child_of(home).filter(slug=slug).first()
    if target is None:
        return None
    return (
        "call_to_action",
        {
            "heading": heading,
            "text": text,
            "page": target,
            "page_query": query,
            "url": "",
            "button_label": label,
        },
    )


def _ctas(home: Page, rows) -> list[tuple[str, dict]]:
    return [block for block in (_cta(home, *row) for row in rows) if block is not None]


def _annual_report(year: int) -> Document:
    """A small generated PDF, so the demo needs no files of its own."""
    title = content.IMPACT_REPORT_TITLE.format(year=year)
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    fonts = pdf_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont(fonts.sans, 20)
    pdf.drawString(60, 760, title)
    pdf.setFont(fonts.serif, 11)
    pdf.drawString(60, 730, "さくら野 子どもの未来応援団（デモ）")
    pdf.showPage()
    pdf.save()
    return Document.objects.create(
        title=title, file=ContentFile(buffer.getvalue(), name=f"annual-report-{year}.pdf")
    )


def _impact_page(home: Page, home_en: Page | None, english: Locale | None) -> None:
    """活動の成果 as an impact page: figures, use of funds, goods, stories, reports, actions."""
    text, text_en = content.LIVE_IMPACT, content.LIVE_IMPACT_EN
    # Earlier demos built a standard page at /impact/: the impact page takes its place.
    for old in Page.objects.child_of(home).filter(slug="impact").not_type(ImpactPage):
        for translation in old.get_translations():
            translation.delete()
        old.delete()
    year = timezone.localdate().year
    reports = [
        ("report", {"year": year - 1, "title": content.IMPACT_REPORT_TITLE.format(year=year - 1),
                    "document": _annual_report(year - 1)}),
    ]  # fmt: skip

    def stories(rows):
        return [("story", {**row, "image": None}) for row in rows]

    impact = page_upsert(
        parent=home,
        model=ImpactPage,
        slug="impact",
        title=text["page_title"],
        intro=text["page_intro"],
        figures_heading=text["page_heading"],
        body=stories(content.IMPACT_STORIES),
        reports=reports,
        calls_to_action=_ctas(home, content.IMPACT_CTA),
        show_in_menus=True,
    )
    if not impact.spending.exists():
        for years_back, label, amount in content.IMPACT_SPENDING:
            programme = Programme.objects.filter(name_ja=label).first()
            ImpactSpending.objects.create(
                page=impact,
                year=year - years_back,
                programme=programme,
                label="" if programme else label,
                amount_yen=amount,
            )
    if home_en is not None:
        page_translate(
            page=impact,
            locale=english,
            title=text_en["page_title"],
            intro=text_en["page_intro"],
            figures_heading=text_en["page_heading"],
            body=stories(content.IMPACT_STORIES_EN),
            reports=[
                (
                    "report",
                    {**value, "title": content.IMPACT_REPORT_TITLE_EN.format(year=value["year"])},
                )
                for _type, value in reports
            ],  # fmt: skip
            calls_to_action=_ctas(home_en, content.IMPACT_CTA_EN),
        )


def support_demo_update() -> None:
    """The "ways to support" page: every way to help with its button (donate, monthly, member,
    volunteer, goods, company), after every app built its page; the corporate wall stays."""
    home = HomePage.objects.filter(locale__language_code="ja").first()
    if home is None:
        return
    english = Locale.objects.filter(language_code="en").first()
    home_en = home.get_translation_or_none(english) if english else None
    for root, ways in ((home, content.SUPPORT_WAYS), (home_en, content.SUPPORT_WAYS_EN)):
        if root is None:
            continue
        support = Page.objects.child_of(root).filter(slug="support").first()
        if support is None:
            continue
        support = support.specific
        walls = [
            (block.block_type, block.value)
            for block in support.body
            if block.block_type == "corporate_wall"
        ]
        support.body = _ctas(root, ways) + walls
        support.save_revision().publish()
