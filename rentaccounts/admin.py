from django.contrib import admin

from .models import PaymentAllocationOrder


@admin.register(PaymentAllocationOrder)
class PaymentAllocationOrderAdmin(admin.ModelAdmin):
    """The order in which payments clear a tenancy's accounts (rent first unless set otherwise here)."""

    list_display = ("position", "kind")
    ordering = ("position",)
