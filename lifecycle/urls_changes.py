from django.urls import path

from . import views_changes

urlpatterns = [
    path(
        "tenancies/<str:payment_reference>/charges/change/",
        views_changes.charges_change,
        name="charges_change",
    ),
    path(
        "tenancies/<str:payment_reference>/charges/change/check/",
        views_changes.charges_change_check,
        name="charges_change_check",
    ),
    path("rent-changes/", views_changes.rent_changes, name="rent_changes"),
    path("rent-changes/new/percentage/", views_changes.rent_change_prepare_rule, name="rent_change_prepare_rule"),
    path("rent-changes/new/file/", views_changes.rent_change_prepare_csv, name="rent_change_prepare_csv"),
    path("rent-changes/new/file/example.csv", views_changes.rent_change_csv_template, name="rent_change_csv_template"),
    path("rent-changes/<int:pk>/", views_changes.rent_change_detail, name="rent_change"),
    path("rent-changes/<int:pk>/submit/", views_changes.rent_change_submit, name="rent_change_submit"),
    path("rent-changes/<int:pk>/cancel/", views_changes.rent_change_cancel, name="rent_change_cancel"),
    path("rent-changes/<int:pk>/decide/", views_changes.rent_change_decide, name="rent_change_decide"),
    path("rent-changes/<int:pk>/finish/", views_changes.rent_change_finish, name="rent_change_finish"),
]
