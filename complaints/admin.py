"""The Complaint Handling Code's rules in Admin: a new version of the Code is a new rule with a later start date, never
an edit of a rule stages were dated under (a stage keeps the rule it began with)."""

from django.contrib import admin

from .models import ComplaintHandlingRule


@admin.register(ComplaintHandlingRule)
class ComplaintHandlingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "stage",
        "effective_from",
        "acknowledge_working_days",
        "respond_working_days",
        "respond_from",
        "extension_working_days",
    )
    list_filter = ("stage",)
