from django.urls import path

from . import views_approvals, views_write_offs

app_name = "approvals"

urlpatterns = [
    path("", views_approvals.queue, name="queue"),
    path("new/", views_approvals.request_create, name="request_create"),
    path("<int:pk>/", views_approvals.detail, name="detail"),
    path("<int:pk>/decide/", views_approvals.decide, name="decide"),
    path("<int:pk>/write-on/", views_write_offs.write_on, name="write_on"),
    path("small-balances/", views_write_offs.small_balances, name="small_balances"),
    path("small-balances/<int:pk>/", views_write_offs.run_detail, name="write_off_run"),
    path("small-balances/<int:pk>/decide/", views_write_offs.run_decide, name="write_off_run_decide"),
    path("checks/", views_approvals.checks, name="checks"),
    path("checks/<int:pk>/", views_approvals.check_detail, name="check_detail"),
]
