"""People: find, add, edit, likely duplicates and merging. Namespace `people`."""

from django.urls import path

from . import views_people

app_name = "people"

urlpatterns = [
    path("", views_people.index, name="index"),
]
