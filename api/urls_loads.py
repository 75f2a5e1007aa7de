"""urls_loads: POST /api/v1/loads/ (see api/urls.py and api/views_loads.py)."""

from django.urls import path

from .views_loads import LoadsView

urlpatterns = [
    path("loads/", LoadsView.as_view(), name="loads"),
]
