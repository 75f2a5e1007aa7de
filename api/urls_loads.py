"""urls_loads: see api/urls.py."""

urlpatterns: list = []
