"""Homes and patches (managers): providers, schemes and rent-free weeks, properties, patches. Namespace `homes`."""

from django.urls import path

from . import views_homes

app_name = "homes"

urlpatterns = [
    path("", views_homes.index, name="index"),
]
