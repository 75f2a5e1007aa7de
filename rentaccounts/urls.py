from django.urls import path

from . import views, views_hb_overpayments, views_statements

app_name = "rentaccounts"

urlpatterns = [
    path("", views.index, name="index"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/try-again/", views.import_retry, name="import_retry"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/post/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views.import_discard, name="import_discard"),
    path("statements/", views_statements.statement_runs, name="statement_runs"),
    path("statements/<int:pk>/", views_statements.statement_run, name="statement_run"),
    path("statements/<int:pk>/progress/", views_statements.statement_run_progress_view, name="statement_run_progress"),
    path("suspense/", views.suspense, name="suspense"),
    path("hb-overpayments/", views_hb_overpayments.hb_overpayments, name="hb_overpayments"),
    path("hb-overpayments/<int:pk>/", views_hb_overpayments.hb_overpayment, name="hb_overpayment"),
    path("hb-overpayments/<int:pk>/close/", views_hb_overpayments.hb_overpayment_close, name="hb_overpayment_close"),
    path(
        "hb-overpayments/new/<str:payment_reference>/",
        views_hb_overpayments.hb_overpayment_add,
        name="hb_overpayment_add",
    ),
    path("suspense/<int:pk>/", views.suspense_item, name="suspense_item"),
    path("suspense/<int:pk>/allocate/", views.suspense_item_allocate_view, name="suspense_allocate"),
    path("suspense/<int:pk>/reject/", views.suspense_item_reject_view, name="suspense_reject"),
]
