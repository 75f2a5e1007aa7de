from django.urls import path

from . import views_staff

app_name = "staff"

urlpatterns = [
    path("", views_staff.index, name="index"),
    path("<int:pk>/", views_staff.detail, name="detail"),
    path("<int:pk>/roles/", views_staff.change, {"kind": "roles"}, name="roles"),
    path("<int:pk>/authority/", views_staff.change, {"kind": "authority_limit"}, name="authority"),
    path("<int:pk>/email/", views_staff.change, {"kind": "email"}, name="email"),
    path("<int:pk>/password/", views_staff.change, {"kind": "password_reset"}, name="password"),
    path("changes/", views_staff.changes, name="changes"),
    path("changes/<int:pk>/", views_staff.change_detail, name="change_detail"),
    path("changes/<int:pk>/decide/", views_staff.change_decide, name="change_decide"),
    path("changes/<int:pk>/withdraw/", views_staff.change_withdraw, name="change_withdraw"),
]
