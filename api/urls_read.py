"""urls_read: see api/urls.py."""

urlpatterns: list = []
