"""Homes and patches (managers): providers, schemes and rent-free weeks, properties, patches, voids. Namespace `homes`.

Nothing here deletes: homes, schemes, patches and providers are retired (and can be brought back into use)."""

from django.urls import path

from . import views_homes

app_name = "homes"

urlpatterns = [
    path("", views_homes.index, name="index"),
    path("add/", views_homes.property_add, name="property_add"),
    path("<int:pk>/", views_homes.property_page, name="property"),
    path("<int:pk>/change/", views_homes.property_change, name="property_change"),
    path("<int:pk>/charges/", views_homes.property_charges, name="property_charges"),
    path("<int:pk>/retire/", views_homes.retire, {"kind": "property"}, name="property_retire"),
    path("schemes/", views_homes.schemes, name="schemes"),
    path("schemes/add/", views_homes.scheme_add, name="scheme_add"),
    path("schemes/<int:pk>/", views_homes.scheme_page, name="scheme"),
    path("schemes/<int:pk>/change/", views_homes.scheme_change, name="scheme_change"),
    path(
        "schemes/<int:pk>/rent-free-weeks/<int:year>/",
        views_homes.scheme_rent_free_weeks,
        name="scheme_rent_free_weeks",
    ),
    path("schemes/<int:pk>/retire/", views_homes.retire, {"kind": "scheme"}, name="scheme_retire"),
    path("patches/", views_homes.patches, name="patches"),
    path("patches/add/", views_homes.patch_add, name="patch_add"),
    path("patches/<int:pk>/change/", views_homes.patch_change, name="patch_change"),
    path("patches/<int:pk>/retire/", views_homes.retire, {"kind": "patch"}, name="patch_retire"),
    path("providers/", views_homes.providers, name="providers"),
    path("providers/add/", views_homes.provider_add, name="provider_add"),
    path("providers/<int:pk>/change/", views_homes.provider_change, name="provider_change"),
    path("providers/<int:pk>/retire/", views_homes.retire, {"kind": "provider"}, name="provider_retire"),
    path("voids/", views_homes.voids, name="voids"),
]
