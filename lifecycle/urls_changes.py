from django.urls import path

from . import views_changes

urlpatterns = [
    path("rent-changes/", views_changes.rent_changes, name="rent_changes"),
]
