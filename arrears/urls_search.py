"""The search in the page header: /search/?q=… finds tenancies, people and arrears cases. Namespace `search`."""

from django.urls import path

from .views import search

app_name = "search"

urlpatterns = [path("", search.search, name="results")]
