"""urls_payments: POST /api/v1/payments/ (see api/urls.py and docs/api.md)."""

from django.urls import path

from .views_payments import PaymentsView

urlpatterns: list = [
    path("payments/", PaymentsView.as_view(), name="payments"),
]
