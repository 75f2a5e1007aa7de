"""Ending a tenancy and the moves around it, under the tenancy's own address: /tenancies/<payment reference>/end/,
/end/correct/, /end/done/, /end/refund/, /end/transfer-credit/, /transfer/, /mutual-exchange/, /moved/, /succession/
and /assignment/. A form posts to its own address; its check-your-answers page is that address posted."""

from django.urls import path

from . import views_ending

_T = "tenancies/<str:payment_reference>"

urlpatterns = [
    path(f"{_T}/end/", views_ending.end, name="end"),
    path(f"{_T}/end/correct/", views_ending.end_correct, name="end_correct"),
    path(f"{_T}/end/done/", views_ending.end_done, name="end_done"),
    path(f"{_T}/end/refund/", views_ending.end_refund, name="end_refund"),
    path(f"{_T}/end/transfer-credit/", views_ending.end_credit_transfer, name="end_credit_transfer"),
    path(f"{_T}/transfer/", views_ending.transfer, name="transfer"),
    path(f"{_T}/mutual-exchange/", views_ending.mutual_exchange, name="mutual_exchange"),
    path(f"{_T}/moved/", views_ending.moved, name="moved"),
    path(f"{_T}/succession/", views_ending.succession, name="succession"),
    path(f"{_T}/assignment/", views_ending.assignment, name="assignment"),
]
