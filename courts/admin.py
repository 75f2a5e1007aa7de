"""The notice law in Admin (system administrators): a change in the law is a new rule with a later start date and an
end date on the old one, never an edit of a rule notices were served under."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import GroundRule, NoticeRule, PrescribedForm


class GroundRuleInline(admin.StackedInline):
    model = GroundRule
    extra = 0


@admin.register(NoticeRule)
class NoticeRuleAdmin(SimpleHistoryAdmin):
    list_display = ("label", "jurisdiction", "sector", "tenure_types", "effective_from", "effective_to", "regime")
    list_filter = ("jurisdiction", "sector", "notice_type")
    inlines = [GroundRuleInline]


@admin.register(PrescribedForm)
class PrescribedFormAdmin(SimpleHistoryAdmin):
    list_display = ("title", "code", "notice_type", "version", "effective_from", "effective_to")
    list_filter = ("notice_type", "code")
