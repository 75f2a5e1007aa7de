from django.urls import path

from . import views

app_name = "arrears"

urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("cases/<int:pk>/agreements/", views.agreement_add, name="agreement_add"),
    path("cases/<int:pk>/pauses/", views.pause_add, name="pause_add"),
    path("cases/<int:pk>/breathing-space/", views.breathing_space_add, name="breathing_space_add"),
]
