"""urls_contacts: see api/urls.py."""

urlpatterns: list = []
