"""The retention schedule in Admin (system administrators): each category's period, basis and source may be changed;
the categories themselves, and what anonymising does to each, are fixed in code (privacy.retention). Every change is
kept in the rule's history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(SimpleHistoryAdmin):
    list_display = ("title", "period_description", "action", "source")
    readonly_fields = ("category", "title", "data_held", "what_happens")
    fields = ("category", "title", "data_held", "period_months", "action", "what_happens", "basis", "source")

    @admin.display(description="Kept for")
    def period_description(self, obj: RetentionRule) -> str:
        return obj.period_description

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
