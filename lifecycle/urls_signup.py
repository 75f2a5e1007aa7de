"""Sign up a new tenancy: /sign-up/ (start), one page per question, check your answers, confirmation."""

from django.urls import path

from . import views_signup

urlpatterns = [
    path("sign-up/", views_signup.start, name="sign_up_start"),
    path("sign-up/check/", views_signup.check, name="sign_up_check"),
    path("sign-up/confirm/", views_signup.confirm, name="sign_up_confirm"),
    path("sign-up/tenants/find/", views_signup.tenant_find, name="sign_up_tenant_find"),
    path("sign-up/tenants/new/", views_signup.tenant_new, name="sign_up_tenant_new"),
    path("sign-up/done/<str:payment_reference>/", views_signup.done, name="sign_up_done"),
    path("sign-up/<slug:slug>/", views_signup.step, name="sign_up_step"),
]
