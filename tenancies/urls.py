from django.urls import path

from . import views

app_name = "tenancies"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:payment_reference>/", views.detail, name="detail"),
]
