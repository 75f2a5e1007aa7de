from django.urls import path

from . import views

app_name = "courts"

urlpatterns = [
    path("", views.index, name="index"),
    path("tenancies/<str:payment_reference>/notices/", views.serve, name="serve"),
    path("notices/<int:pk>/", views.notice, name="notice"),
]
