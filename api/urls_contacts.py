"""urls_contacts: POST /api/v1/contacts/ (see api/urls.py and docs/api.md)."""

from django.urls import path

from .views_contacts import ContactsView

urlpatterns: list = [
    path("contacts/", ContactsView.as_view(), name="contacts"),
]
