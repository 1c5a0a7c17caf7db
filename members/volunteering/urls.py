from django.urls import path

from . import views

app_name = "volunteering"

urlpatterns = [
    path("volunteering/calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
