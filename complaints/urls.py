from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.index, name="index"),
    path("record/person/<int:pk>/", views.record_for_person, name="record_person"),
    path("record/tenancy/<str:payment_reference>/", views.record_for_tenancy, name="record_tenancy"),
    path("<int:pk>/", views.complaint, name="complaint"),
    *(path(f"<int:pk>/{action}/", views.complaint_action, {"action": action}, name=action) for action in views.ACTIONS),
]
