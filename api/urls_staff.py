"""urls_staff: see api/urls.py."""

urlpatterns: list = []
