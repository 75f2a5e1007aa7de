"""urls_webhooks: see api/urls.py."""

urlpatterns: list = []
