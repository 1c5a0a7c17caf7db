import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from donations import portal_views as donation_portal_views
from donations import views as donation_views
from donations.receipts import views as receipt_views
from ouendan.core import views as core_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("health/", core_views.health, name="health"),
    path("stripe/webhook/", donation_views.stripe_webhook, name="stripe_webhook"),
    # The mail provider's tracking webhooks (anymail verifies each provider's signature):
    # bounces and complaints suppress the address (ouendan.core.suppression).
    path("anymail/", include("anymail.urls")),
]

if settings.SERVE_MEDIA:
    # Small deployments and tests serve uploads from Django; larger ones let the proxy do it.
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            core_views.media_serve,
        )
    ]

# Japanese pages live at "/", English at "/en/". The language switch sits inside the prefix so it
# can translate the URL it came from. Wagtail's catch-all page route comes last.
urlpatterns += i18n_patterns(
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("members.urls")),
    path("newsletter/", include("campaigns.newsletter.urls")),
    path("", include("members.volunteering.urls")),
    path(
        "donations/billing-portal/",
        donation_views.billing_portal,
        name="donations_billing_portal",
    ),
    path(
        "donations/monthly-gift/request/",
        donation_portal_views.monthly_gift_request,
        name="donations_monthly_gift_request",
    ),
    path(
        "donations/membership/<int:membership_id>/pay/",
        donation_views.membership_pay,
        name="donations_membership_pay",
    ),
    path(
        "donations/update-card/<str:token>/",
        donation_views.card_update,
        name="donations_card_update",
    ),
    path(
        "donations/receipts/<int:pk>/pdf/",
        receipt_views.portal_receipt_download,
        name="donations_receipt_download",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
