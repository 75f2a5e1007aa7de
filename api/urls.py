"""/api/v1/: the schema and its documentation pages, and each part of the API (docs/api.md)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from .authentication import ApiKeyAuthentication

app_name = "api"

# The schema is for any client with a key, and for signed-in staff reading the documentation pages.
schema_view = login_not_required(
    SpectacularAPIView.as_view(
        authentication_classes=[ApiKeyAuthentication, SessionAuthentication],
        permission_classes=[IsAuthenticated],
        throttle_classes=[],
    )
)

urlpatterns = [
    path("schema/", schema_view, name="schema"),
    path("schema/swagger/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include("api.urls_read")),
    path("", include("api.urls_payments")),
    path("", include("api.urls_contacts")),
    path("", include("api.urls_loads")),
    path("", include("api.urls_webhooks")),
]
