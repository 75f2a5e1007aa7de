from django.urls import path

from . import views_direct_debits

app_name = "direct_debits"

urlpatterns = [
    path("", views_direct_debits.index, name="index"),
    path("<int:pk>/cancel/", views_direct_debits.cancel, name="cancel"),
]
