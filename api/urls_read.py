"""The read API's addresses (api/views_read.py): see api/urls.py and docs/api.md."""

from django.urls import path

from . import views_read

urlpatterns = [
    path("tenancies/", views_read.TenancyList.as_view(), name="tenancy-list"),
    path("tenancies/<str:payment_reference>/", views_read.TenancyDetail.as_view(), name="tenancy-detail"),
    path("accounts/", views_read.AccountList.as_view(), name="account-list"),
    path("accounts/<int:id>/", views_read.AccountDetail.as_view(), name="account-detail"),
    path("transactions/", views_read.TransactionList.as_view(), name="transaction-list"),
    path("cases/", views_read.CaseList.as_view(), name="case-list"),
    path("cases/<int:id>/", views_read.CaseDetail.as_view(), name="case-detail"),
    path("agreements/", views_read.AgreementList.as_view(), name="agreement-list"),
    path("notices/", views_read.NoticeList.as_view(), name="notice-list"),
]
