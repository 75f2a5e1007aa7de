"""What every Homes page shares: the area's permission, the sub-navigation, the one form page, and the messages after
a change."""

from django.contrib import messages
from django.shortcuts import render

from incomeapp.navigation import homes_sections

VIEW = "tenancies.change_property"  # the Homes navigation item's permission: the area is the managers'


def _render(request, template: str, section: str, context: dict):
    """Renders a Homes page with its sub-navigation, `section` marked as the current one."""
    context["sections"] = homes_sections(request.user, section)
    return render(request, f"tenancies/homes/{template}", context)


def _form_page(request, form, *, section: str, title: str, back: str, caption: str = "", intro: str = "", **extra):
    context = {"form": form, "title": title, "back": back, "caption": caption, "intro": intro, **extra}
    return _render(request, "form.html", section, context)


def _changed_or_not(request, changed: bool, what: str) -> None:
    if changed:
        messages.success(request, f"{what} saved.")
    else:
        messages.info(request, f"Nothing was changed: {what[:1].lower() + what[1:]} already had those details.")
