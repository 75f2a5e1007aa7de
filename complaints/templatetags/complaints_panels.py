from django import template
from django.template.loader import render_to_string

from complaints.panels import TEMPLATE, person_complaints_context

register = template.Library()


@register.simple_tag(takes_context=True)
def person_complaints_panel(context, person):
    """The person page's "Complaints" section: their complaints and a "Record a complaint" button."""
    panel = person_complaints_context(context["request"].user, person)
    if panel is None:
        return ""
    return render_to_string(TEMPLATE, {"panel": panel}, request=context["request"])
