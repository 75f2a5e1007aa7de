"""Personal data: subject access exports, the special-category access log, the retention schedule. Namespace
`privacy`."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("people/<int:pk>/export/", views.export, name="export"),
    path("access-log/", views.access_log, name="access_log"),
    path("retention/", views.retention_schedule, name="retention"),
]
