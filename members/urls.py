from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/postal-code/", views.postal_code_lookup, name="postal_code"),
]
