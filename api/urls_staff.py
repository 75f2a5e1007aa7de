"""/staff/api-clients/: the administrators' pages for API clients (api/views_staff.py)."""

from django.urls import path

from . import views_staff

urlpatterns = [
    path("", views_staff.index, name="api_clients"),
    path("new/", views_staff.new, name="api_client_new"),
    path("<int:pk>/", views_staff.detail, name="api_client"),
    path("<int:pk>/key/", views_staff.key, name="api_client_key"),
    path("<int:pk>/change/", views_staff.change, name="api_client_change"),
    path("<int:pk>/rotate/", views_staff.rotate, name="api_client_rotate"),
    path("<int:pk>/revoke/", views_staff.revoke, name="api_client_revoke"),
    path("<int:pk>/approve/", views_staff.approve, name="api_client_approve"),
    path("<int:pk>/refuse/", views_staff.refuse, name="api_client_refuse"),
]
