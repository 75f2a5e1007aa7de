from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import forms, views

account_patterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(authentication_form=forms.SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(form_class=forms.PasswordChangeForm),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=forms.PasswordResetForm),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=forms.SetPasswordForm),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include(account_patterns)),
    path("approvals/", include("rentaccounts.urls_approvals")),
    path("worklist/", include("arrears.urls")),
    path("search/", include("arrears.urls_search")),
    path("", include("lifecycle.urls")),
    path("homes/", include("tenancies.urls_homes")),
    path("people/", include("tenancies.urls_people")),
    path("tenancies/", include("tenancies.urls")),
    path("tenancies/", include("rentaccounts.urls_accounts")),
    path("payments/direct-debits/", include("rentaccounts.urls_direct_debits")),
    path("debts/", include("rentaccounts.urls_debts")),
    path("payments/", include("rentaccounts.urls")),
    path("legal/", include("courts.urls")),
    path("documents/", include("documents.urls")),
    path("messaging/", include("messaging.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("privacy/", include("privacy.urls")),
    path("complaints/", include("complaints.urls")),
    path("staff/api-clients/", include("api.urls_staff")),
    path("staff/", include("incomeapp.urls_staff")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]
