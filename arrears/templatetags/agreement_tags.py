"""The case page's agreements section reads its rows here, so the page's view need not know their shape."""

from django import template
from django.utils import timezone

from arrears.selectors_agreements import agreement_status, case_agreements

register = template.Library()


@register.simple_tag
def case_agreement_rows(case, today=None):
    """Each agreement of the case with its status in words, its history of terms and its letters (newest first)."""
    return case_agreements(case=case, on=today or timezone.localdate())


@register.simple_tag
def agreement_status_of(agreement, today=None):
    """(label, tag class) of one agreement: "Pending first payment", "Being kept", "Broken", …"""
    return agreement_status(agreement, today or timezone.localdate())
