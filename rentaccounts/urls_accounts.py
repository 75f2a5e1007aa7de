from django.urls import path

from . import views_accounts, views_invoices

app_name = "accounts"

urlpatterns = [
    path("<str:payment_reference>/account/", views_accounts.account_detail, name="detail"),
    path("<str:payment_reference>/account/export.csv", views_accounts.account_export, name="export"),
    path("<str:payment_reference>/recharges/new/", views_invoices.recharge_raise, name="recharge"),
    path("<str:payment_reference>/sundry-debts/new/", views_invoices.sundry_raise, name="sundry"),
    path("<str:payment_reference>/account/<str:kind>/", views_accounts.account_detail, name="detail_kind"),
    path("<str:payment_reference>/account/<str:kind>/statement/", views_accounts.statement_send_view, name="statement"),
    path("<str:payment_reference>/account/<str:kind>/export.csv", views_accounts.account_export, name="export_kind"),
]
