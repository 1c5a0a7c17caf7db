"""The staff admin speaks one language at a time. In Japanese (the default) the main screens show
no English interface text: every run of ASCII words on them is data this test made, an e-mail
address, a URL, a number or a brand/format name (Wagtail, Stripe, CSV...). In English (the
user's preference) they show no Japanese interface text: every Japanese run is data (names of
people, pages, groups, workflows).

The screens: the dashboard, the page explorer and a page's editor, every list and "add" screen
of the admin (snippets, viewsets, Wagtail's users, groups, workflows, settings, reports), the
supporter page, the funding dashboard and a form with errors ("Go to the first error").
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from wagtail.models import Page, Task, Workflow
from wagtail.users.models import UserProfile

from tests.admin_walk import admin_routes
from tests.members.factories import MembershipPlanFactory, SupporterFactory

# Brand and format names, units and abbreviations Japanese staff read as they are.
ALLOWED_WORDS = {
    "wagtail", "stripe", "csv", "xlsx", "pdf", "zip", "id", "jpy", "url", "svg", "png", "jpeg",
    "jpg", "gif", "webp", "avif", "utf-8", "shift_jis", "e-mail", "email", "html", "ok", "kg",
    "api", "npo", "pk", "mb", "excel", "l",
    # Fundraising terms the funding dashboard names on purpose (「LYBUNT」と呼ばれます).
    "lybunt", "sybunt",
}  # fmt: skip
# A language offered by its own name (the supporter's language: 日本語 / English), as language
# menus do in every language.
ENDONYMS = {"English", "日本語"}
# A run of ASCII words: letters, then letters, digits and word-inner punctuation.
ASCII_RUN = re.compile(r"[A-Za-z][\w'’.\-/]*(?:[ \t]+[A-Za-z][\w'’.\-/]*)*", re.ASCII)
NOT_TEXT = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|/[\w\-/.?=&%]*")
# Hiragana, katakana and CJK ideographs, with the punctuation around them (a lone full-width
# bracket around data, "（ヤマダ）", is not language).
JAPANESE = "\u3040-\u30ff\u3400-\u9fff"
JAPANESE_RUN = re.compile(
    rf"[{JAPANESE}\uff01-\uff60\u3000-\u303f]*[{JAPANESE}][{JAPANESE}\uff01-\uff60\u3000-\u303f]*"
)
# Japanese terms the English text names on purpose, in brackets after their English.
GLOSSES = {"口", "財源バランス"}
# Attributes staff read (or hear with a screen reader).
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "aria-description"}
SKIPPED_TAGS = {"script", "style", "template", "svg", "noscript"}
VOID_TAGS = {"input", "img", "br", "hr", "meta", "link", "source", "col", "area", "wbr"}


class _Text(HTMLParser):
    """The text a person reads on the page: tag contents outside scripts, styles, templates and
    `hidden` elements, and the attributes above (a submit input's value too)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0
        self.hidden_tag, self.hidden_depth = None, 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        attrs = dict(attrs)
        if self.hidden_tag == tag:
            self.hidden_depth += 1
        elif self.hidden_tag is None and "hidden" in attrs and tag not in VOID_TAGS:
            self.hidden_tag, self.hidden_depth = tag, 1
        if self.hidden_tag is not None:
            return
        for name in READ_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_startendtag(self, tag, attrs):
        if tag in SKIPPED_TAGS or (self.hidden_tag is None and "hidden" in dict(attrs)):
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1
        if tag == self.hidden_tag:
            self.hidden_depth -= 1
            if not self.hidden_depth:
                self.hidden_tag = None

    def handle_data(self, data):
        if not self.skipping and self.hidden_tag is None:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(part.split()) for part in parser.parts if part.strip()]


def english_runs(html: str, data: set[str]) -> set[str]:
    """Runs of ASCII words that are neither data nor allowed names."""
    found = set()
    for part in visible_text(html):
        for value in sorted(data, key=len, reverse=True):
            part = part.replace(value, " ")
        part = NOT_TEXT.sub(" ", part)
        for run in ASCII_RUN.findall(part):
            words = [w.strip(".-/'’").lower() for w in run.split()]
            if any(w and w not in ALLOWED_WORDS and not w.isdigit() for w in words):
                found.add(run)
    return found


def japanese_runs(html: str, data: set[str]) -> set[str]:
    found = set()
    for part in visible_text(html):
        for value in sorted(data, key=len, reverse=True):
            part = part.replace(value, " ")
        found.update(run for run in JAPANESE_RUN.findall(part) if run.strip("\u3000 "))
    return found


# Ours, on purpose: a shift series' rule is written in RFC 5545 (iCalendar) syntax, and its help
# text shows an example rule.
RRULE_EXAMPLE = {"BYDAY", "FREQ", "MONTHLY", "RRULE", "SA", "iCalendar"}

# Wagtail 8.0 writes these without gettext, so no catalogue can translate them (the sr-only
# "Search" button of the dashboard's search, the sites list's column names taken from field
# names, content-type headings and sr-only labels of the permission forms, the users list's
# sr-only "True"). Anything else in English fails.
WAGTAIL_UNTRANSLATABLE = {
    "/admin/": {"Search"},
    "/admin/groups/edit/<id>/": {"Locale", "Page", "Simple translation"},
    "/admin/groups/new/": {"Locale", "Simple translation"},
    "/admin/workflows/edit/<id>/": {"Page"},
    "/admin/workflows/add/": {"Page"},
    "/admin/sites/": {"Port", "Site name", "page"},  # "Root page", "Root" being a page's title
    "/admin/users/": {"True"},
    "/admin/locales/": {"locale"},
    "/admin/locales/new/": {"Locale"},
}
WAGTAIL_UNTRANSLATABLE["/admin/shift_series/new/"] = RRULE_EXAMPLE
WAGTAIL_UNTRANSLATABLE["/admin/shift_series/edit/<id>/"] = RRULE_EXAMPLE
# Wagtail 8.0 builds the group form's collection permission labels (images, documents,
# collections) once per process, in the language of the first request that shows them: in
# Japanese, as the Japanese test runs first. Anything else in Japanese fails.
WAGTAIL_FIRST_LANGUAGE = {
    "/admin/groups/edit/<id>/": {"コレクション", "コレクションを削除", "コレクションを編集",
        "コレクションを追加", "削除", "画像を編集する", "編集", "自分の画像を追加", "追加", "選択",
        "選択画面で画像を選ぶ"},
}  # fmt: skip
WAGTAIL_FIRST_LANGUAGE["/admin/groups/new/"] = WAGTAIL_FIRST_LANGUAGE["/admin/groups/edit/<id>/"]
# Ours, on purpose: the volunteer import names the file's column headings, which are Japanese
# in every language (as in the template file staff download).
WAGTAIL_FIRST_LANGUAGE["/admin/volunteering/import/"] = {
    "メールアドレス、スキル、活動地域、活動できる時間帯、研修、研修修了日"
}


def unexplained(leftovers: dict[str, set[str]], known: dict[str, set[str]]) -> dict:
    found = {}
    for url, runs in leftovers.items():
        screen = re.sub(r"/\d+/", "/<id>/", url)
        if rest := runs - known.get(screen, set()):
            found[url] = rest
    return found


FIRST_ERROR = "Go to the first error"  # Wagtail's msgid (a variable: not ours to extract)

# --- The screens -------------------------------------------------------------------------------

LIST_AND_ADD = re.compile(r"(^|:)(index|add|create|list|edit)$|^wagtailadmin_reports:")
# Not screens a person reads as a page: JSON, downloads, fragments, redirects, the log-out.
NOT_PAGES = re.compile(
    r"results|_json|json$|progress|export|download|template|chooser|choose|api|sprite|catalog"
    r"|logout|login|password|dismissibles|editing_sessions|bulk_action|preview|usage"
)


@pytest.fixture
def admin_data(db, home_page) -> dict:
    """The superuser and the data this test shows: all Japanese except what is English on
    purpose (an English page title to find in the English admin)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(
        "kanri", email="kanri@example.jp", password="pw", first_name="管理", last_name="太郎"
    )
    supporter = SupporterFactory()
    MembershipPlanFactory(name="個人会員")
    data = {
        supporter.family_name,
        supporter.given_name,
        supporter.family_name_kana,
        supporter.given_name_kana,
        supporter.phone,
        "管理",
        "太郎",
        "kanri",
        "個人会員",
    }
    # Everything already in the database staff typed or the migrations made: page titles,
    # groups, workflows, tasks, locales' and sites' names, thank-you templates' subjects.
    data |= set(Page.objects.values_list("title", flat=True))
    data |= set(Group.objects.values_list("name", flat=True))
    data |= set(Workflow.objects.values_list("name", flat=True))
    data |= set(Task.objects.values_list("name", flat=True))
    from wagtail.models import Site

    from campaigns.models import ThankYouTemplate

    data |= set(ThankYouTemplate.objects.values_list("subject", flat=True))
    # Permission names are rows Django writes in English ("Can add supporter"); the group form
    # shows them to screen readers only.
    data |= set(Permission.objects.values_list("name", flat=True))
    data |= ENDONYMS
    data |= {site.site_name or "" for site in Site.objects.all()} | {"localhost"}
    data.discard("")
    return {"user": user, "supporter": supporter, "data": data, "home": home_page}


def main_screens(admin_data) -> list[str]:
    urls = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[admin_data["home"].pk]),
        reverse("wagtailadmin_pages:edit", args=[admin_data["home"].pk]),
        reverse("supporter:inspect", args=[admin_data["supporter"].pk]),
        reverse("wagtailusers_users:edit", args=[admin_data["user"].pk]),
        reverse("wagtailusers_groups:edit", args=[Group.objects.order_by("pk").first().pk]),
        reverse("wagtailadmin_workflows:edit", args=[Workflow.objects.order_by("pk").first().pk]),
    ]
    for route, name, arguments in admin_routes():
        if arguments or route == name or NOT_PAGES.search(name):
            continue
        if LIST_AND_ADD.search(name):
            try:
                urls.append(reverse(name))
            except NoReverseMatch:
                continue
    return list(dict.fromkeys(urls))


def _screens(client, urls) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        client.cookies.pop("messages", None)  # a refusal's message is not the next screen's
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[url] = response.content.decode()
    return pages


def _form_with_errors(client) -> tuple[str, str]:
    """The supporter "add" form posted empty: errors, and the link to the first of them."""
    url = reverse("supporter:add")
    response = client.post(url, {})
    assert response.status_code == 200
    return url + " (posted empty)", response.content.decode()


@pytest.mark.django_db
def test_the_japanese_admin_shows_no_english_interface_text(client, admin_data):
    client.force_login(admin_data["user"])
    pages = _screens(client, main_screens(admin_data))
    assert len(pages) > 40, sorted(pages)  # the walk found the screens
    url, html = _form_with_errors(client)
    with translation.override("ja"):
        assert translation.gettext(FIRST_ERROR) in html
    pages[url] = html
    leftovers = {url: english_runs(html, admin_data["data"]) for url, html in pages.items()}
    assert unexplained(leftovers, WAGTAIL_UNTRANSLATABLE) == {}


@pytest.mark.django_db
def test_the_english_admin_shows_no_japanese_interface_text(client, admin_data):
    profile = UserProfile.get_for_user(admin_data["user"])
    profile.preferred_language = "en"
    profile.save()
    client.force_login(admin_data["user"])
    pages = _screens(client, main_screens(admin_data))
    assert len(pages) > 40, sorted(pages)
    url, html = _form_with_errors(client)
    assert FIRST_ERROR in html
    pages[url] = html
    data = admin_data["data"] | GLOSSES
    leftovers = {url: japanese_runs(html, data) for url, html in pages.items()}
    assert unexplained(leftovers, WAGTAIL_FIRST_LANGUAGE) == {}


def test_the_checks_find_what_they_look_for():
    """The detectors themselves: English in Japanese text, Japanese in English text."""
    html = (
        '<p>寄付 <b>IN MODERATION</b> ¥1,000 CSV</p><input placeholder="Search…">'
        "<script>var notText = 'Hello';</script><a href='/admin/x/'>taro@example.jp</a>"
        "<p>Campaign reviewに提出する</p>"
    )
    assert english_runs(html, set()) == {"IN MODERATION", "Search", "Campaign review"}
    assert english_runs(html, {"Campaign review"}) == {"IN MODERATION", "Search"}
    assert japanese_runs("<p>Save 保存 <span title='検索'>x</span></p>", set()) == {"保存", "検索"}
    assert japanese_runs("<p>Editors: 編集者</p>", {"編集者"}) == set()
    assert (
        english_runs("<div hidden><p>None</p></div><p hidden>x</p><br hidden>はい", set()) == set()
    )
