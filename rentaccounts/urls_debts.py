from django.urls import path

from . import views_debts

app_name = "debts"

urlpatterns = [
    path("accounts/<int:pk>/acknowledgment/", views_debts.acknowledgment_add, name="acknowledgment_add"),
    path("people/<int:pk>/insolvency-order/", views_debts.insolvency_order_add, name="order_add"),
    path("insolvency-orders/<int:pk>/discharge/", views_debts.insolvency_order_discharge_view, name="order_discharge"),
]
