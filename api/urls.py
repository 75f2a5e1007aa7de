"""/api/v1/: the schema and its documentation pages, and each part of the API (docs/api.md)."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from . import problems
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


def _documentation_page(view_class):
    """Swagger UI and Redoc, from the sidecar's own static files: for signed-in staff. Their renderers set inline
    styles (and Redoc starts a worker from a blob), so these two pages, which show only the schema and no tenant's
    data, allow that; every other page keeps the strict policy."""
    view = view_class.as_view(url_name="api:schema", authentication_classes=[SessionAuthentication])
    page = login_required(csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(view))
    page.login_required = True  # DRF marks its views login-free, and wraps() copied that: sign-in is needed here
    return page


urlpatterns = [
    path("schema/", schema_view, name="schema"),
    path("schema/swagger/", _documentation_page(SpectacularSwaggerSplitView), name="swagger"),
    path("schema/redoc/", _documentation_page(SpectacularRedocView), name="redoc"),
    path("", include("api.urls_read")),
    path("", include("api.urls_payments")),
    path("", include("api.urls_contacts")),
    path("", include("api.urls_loads")),
    path("", include("api.urls_webhooks")),
    # Last: any other /api/v1/ address is a 404 problem, not the staff site's page.
    re_path(r"", problems.not_found, name="not_found"),
]
