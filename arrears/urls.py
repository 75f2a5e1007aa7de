from django.urls import path

from . import views

app_name = "arrears"

urlpatterns = [
    path("", views.index, name="index"),
]
