from django.urls import path

from . import views

app_name = "rentaccounts"

urlpatterns = [
    path("", views.index, name="index"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/try-again/", views.import_retry, name="import_retry"),
    path("suspense/", views.suspense, name="suspense"),
    path("suspense/<int:pk>/", views.suspense_item, name="suspense_item"),
    path("suspense/<int:pk>/allocate/", views.suspense_item_allocate_view, name="suspense_allocate"),
    path("suspense/<int:pk>/reject/", views.suspense_item_reject_view, name="suspense_reject"),
]
