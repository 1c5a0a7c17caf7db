"""URLs for bench/public_pages.py only: the site's URLs plus a hello-world view."""

from django.http import HttpResponse
from django.urls import path

from ouendan.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench-hello/", hello), *site_urlpatterns]
