from django.urls import path

from . import views

app_name = "rentaccounts"

urlpatterns = [
    path("", views.index, name="index"),
]
