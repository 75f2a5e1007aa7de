from django.urls import path

from . import views_approvals

app_name = "approvals"

urlpatterns = [
    path("", views_approvals.queue, name="queue"),
    path("new/", views_approvals.request_create, name="request_create"),
    path("<int:pk>/", views_approvals.detail, name="detail"),
    path("<int:pk>/decide/", views_approvals.decide, name="decide"),
    path("checks/", views_approvals.checks, name="checks"),
    path("checks/<int:pk>/", views_approvals.check_detail, name="check_detail"),
]
