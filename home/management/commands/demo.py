"""Build (or refresh) the demo site. Safe to run any number of times."""

import datetime
import io
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Locale, Page, Site

from campaigns.demo import campaigns_demo_build
from campaigns.newsletter.demo import newsletter_demo_build
from donations.demo import donations_demo_build
from donations.funding.demo import funding_demo_build
from donations.goods.demo import inkind_demo_build
from home import demo_content as content
from home.demo import impact_demo_update, support_demo_update
from home.models import NewsIndexPage, NewsPage, StandardPage
from members.demo import members_demo_build
from members.places.demo import places_demo_build
from members.volunteering.demo import volunteering_demo_build
from ouendan.core.demo import page_translate, page_upsert
from ouendan.core.models import OrganisationSettings

DEMO_USERNAME = "admin"
DEFAULT_DEMO_PASSWORD = "ouendan-demo"  # noqa: S105  (dev-only; production refuses to run this)


def _paragraphs(html_list):
    return [("paragraph", html) for html in html_list]


def _figures(rows):
    return [
        {"value": value, "unit": unit, "label": label, "note": note}
        for value, unit, label, note in rows
    ]


def _home_body(text, figures):
    return [
        ("paragraph", text["intro"]),
        ("impact_figures", {"heading": text["figures_heading"], "figures": _figures(figures)}),
        (
            "call_to_action",
            {
                "heading": text["cta_heading"],
                "text": text["cta_text"],
                "page": None,
                "url": "",
                "button_label": text["cta_button"],
            },
        ),
    ]


class Command(BaseCommand):
    help = "Builds the demo site: pages, news, organisation settings and an admin login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with production settings."
        )

    def handle(self, *args, **options):
        if settings.OUENDAN_ENVIRONMENT == "production" and not options["force"]:
            raise CommandError("Refusing to load demo content with production settings.")
        with transaction.atomic():
            site = Site.objects.get(is_default_site=True)
            home = site.root_page.specific
            self._organisation(site)
            hero = self._hero_image()
            pages = self._pages(home)
            self._home(home, hero, pages["support"])
            self._english(home, pages)
            members_demo_build(  # members/demo.py: lists, plans, supporters, join/portal
                home=home,
                privacy=pages.get("privacy"),
                page_upsert=page_upsert,
                page_translate=page_translate,
            )
            places_demo_build(  # members/places/demo.py: 29 places, the food bank, the map
                home=home, page_upsert=page_upsert, page_translate=page_translate
            )
            # members/volunteering/demo.py: roles, shifts at the places, sign-ups and hours
            volunteering_demo_build()
            donations_demo_build(home=home)  # donations/demo.py: donate page, a small ledger
            funding_demo_build()  # donations/funding/demo.py: grant, running costs, 18 months
            inkind_demo_build(home=home)  # donations/goods/demo.py: wishlist, pledges, deliveries
            campaigns_demo_build(
                home=home
            )  # campaigns/demo.py: campaigns with gifts, wall (needs goods)
            newsletter_demo_build(home=home)  # campaigns/newsletter/demo.py: issues, audiences
            impact_demo_update()  # home/demo.py: live impact figures, last (counts all above)
            support_demo_update()  # home/demo.py: every way to help, once each page exists
            password = self._admin()
        self.stdout.write(self.style.SUCCESS("Demo site ready."))
        self.stdout.write(f"  Site:     {settings.WAGTAILADMIN_BASE_URL}/")
        self.stdout.write(f"  Admin:    {settings.WAGTAILADMIN_BASE_URL}/admin/")
        self.stdout.write(f"  Login:    {DEMO_USERNAME} / {password}")

    def _organisation(self, site):
        org = OrganisationSettings.for_site(site)
        for field, value in content.ORGANISATION.items():
            setattr(org, field, value)
        org.save()
        site.site_name = content.ORGANISATION["name"]
        site.save()

    def _hero_image(self) -> Image:
        title = "デモ: 子どもひろばのイメージ"
        existing = Image.objects.filter(title=title).first()
        if existing:
            return existing
        # A generated illustration, so the demo needs no downloaded photos.
        canvas = PILImage.new("RGB", (1600, 600), "#fff3e3")
        draw = ImageDraw.Draw(canvas)
        colours = ["#f6b26b", "#93c47d", "#6fa8dc", "#ffd966", "#e06666", "#8e7cc3"]
        for i in range(24):
            x, y, r = (i * 173) % 1600, 80 + (i * 97) % 460, 30 + (i * 37) % 70
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colours[i % len(colours)])
        buffer = io.BytesIO()
        canvas.save(buffer, format="PNG")
        return Image.objects.create(
            title=title, file=ImageFile(buffer, name="demo-hero.png"), width=1600, height=600
        )

    def _pages(self, home):
        pages = {}
        for spec in content.PAGES:
            pages[spec["slug"]] = page_upsert(
                parent=home,
                model=StandardPage,
                slug=spec["slug"],
                title=spec["title"],
                intro=spec["intro"],
                body=_paragraphs(spec["paragraphs"]),
                show_in_menus=spec.get("show_in_menus", True),
            )
        news_index = page_upsert(
            parent=home,
            model=NewsIndexPage,
            slug=content.NEWS_INDEX["slug"],
            title=content.NEWS_INDEX["title"],
            intro=content.NEWS_INDEX["intro"],
            show_in_menus=True,
        )
        pages["news"] = news_index
        for item in content.NEWS:
            pages[item["slug"]] = page_upsert(
                parent=news_index,
                model=NewsPage,
                slug=item["slug"],
                title=item["title"],
                date=datetime.date.fromisoformat(item["date"]),
                summary=item["summary"],
                body=[("paragraph", item["body"])],
            )
        return pages

    def _home(self, home, hero, support_page):
        text = content.HOME
        home.title = text["title"]
        home.hero_heading = text["hero_heading"]
        home.hero_text = text["hero_text"]
        home.hero_image = hero
        home.hero_cta_label = text["hero_cta_label"]
        home.hero_cta_page = support_page
        home.featured_heading = text["featured_heading"]
        body = _home_body(text, content.IMPACT_FIGURES)
        body[2][1]["page"] = support_page
        home.body = body
        home.save_revision().publish()

    def _english(self, home, pages):
        """Translate the demo pages into English, so /en/ shows English content too."""
        english, _ = Locale.objects.get_or_create(language_code="en")

        def translate(page: Page, **fields) -> Page:
            return page_translate(page=page, locale=english, **fields)

        home_en = translate(home, title=content.HOME_EN["title"])
        translated = {}
        for spec in content.PAGES:
            translated[spec["slug"]] = translate(
                pages[spec["slug"]],
                title=spec["title_en"],
                intro=spec["intro_en"],
                body=_paragraphs(spec["paragraphs_en"]),
            )
        translate(
            pages["news"],
            title=content.NEWS_INDEX["title_en"],
            intro=content.NEWS_INDEX["intro_en"],
        )
        for item in content.NEWS:
            translate(
                pages[item["slug"]],
                title=item["title_en"],
                summary=item["summary_en"],
                body=[("paragraph", f"<p>{item['summary_en']}</p>")],
            )
        text = content.HOME_EN
        body = _home_body(text, content.IMPACT_FIGURES_EN)
        body[2][1]["page"] = translated["support"]
        translate(
            home_en,
            title=text["title"],
            hero_heading=text["hero_heading"],
            hero_text=text["hero_text"],
            hero_cta_label=text["hero_cta_label"],
            hero_cta_page=translated["support"],
            featured_heading=text["featured_heading"],
            body=body,
        )

    def _admin(self) -> str:
        """The demo's superuser, and how to log in as it. The password is set only when the
        user is created: setting it again on every run would undo a password changed since and
        log everyone out (a new password hash ends every session signed with the old one)."""
        password = os.environ.get("DEMO_ADMIN_PASSWORD", DEFAULT_DEMO_PASSWORD)
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "admin@example.jp"}
        )
        if created:
            user.set_password(password)
        if created or not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save()
        if created or user.check_password(password):
            return password
        return "(the password set before: unchanged)"
