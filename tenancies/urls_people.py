"""People: find, add, edit, likely duplicates and merging. Namespace `people`."""

from django.urls import path

from . import views_people

app_name = "people"

urlpatterns = [
    path("", views_people.index, name="index"),
    path("add/", views_people.add, name="add"),
    path("duplicates/", views_people.duplicates, name="duplicates"),
    path("<int:pk>/", views_people.detail, name="detail"),
    path("<int:pk>/change/", views_people.change, name="change"),
    path("<int:pk>/mobile-confirm/", views_people.mobile_confirm, name="mobile_confirm"),
    path("merge/<int:first>/<int:second>/", views_people.merge, name="merge"),
]
