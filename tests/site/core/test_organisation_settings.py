"""The organisation's settings come with their logo in one query (the header shows it on every
public page)."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Site

from ouendan.core.models import OrganisationSettings

pytestmark = pytest.mark.django_db


def test_settings_and_logo_are_read_in_one_query(home_page):
    site = Site.objects.get(is_default_site=True)
    logo = Image.objects.create(title="logo", file=get_test_image_file())
    OrganisationSettings.objects.update_or_create(site=site, defaults={"logo": logo})
    request = RequestFactory().get("/")
    request._wagtail_site = site

    with CaptureQueriesContext(connection) as queries:
        assert OrganisationSettings.for_request(request).logo.title == "logo"
    assert len(queries) == 1
