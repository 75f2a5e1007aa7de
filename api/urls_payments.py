"""urls_payments: see api/urls.py."""

urlpatterns: list = []
