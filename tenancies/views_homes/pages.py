"""What every Homes page shares: the area's permission, the sub-navigation, the one form page, saving a form through
its service, and the change page of a home, scheme, patch or provider."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from incomeapp.navigation import homes_sections

VIEW = "tenancies.change_property"  # the Homes navigation item's permission: the area is the managers'


def _render(request, template: str, section: str, context: dict):
    """Renders a Homes page with its sub-navigation, `section` marked as the current one."""
    context["sections"] = homes_sections(request.user, section)
    return render(request, f"tenancies/homes/{template}", context)


def _form_page(request, form, *, section: str, title: str, back: str, caption: str = "", intro: str = "", **extra):
    context = {"form": form, "title": title, "back": back, "caption": caption, "intro": intro, **extra}
    return _render(request, "form.html", section, context)


def _saved(request, form, save: Callable[[], Any]) -> tuple[bool, Any]:
    """On a valid post, `save()` (the service, given the form's values): (True, what it returned). Otherwise, or when
    the service refuses (its reasons are put on the form), (False, None)."""
    if request.method == "POST" and form.is_valid():
        try:
            return True, save()
        except ValidationError as error:
            form.add_service_errors(error)
    return False, None


def _change_page(request, form, update: Callable[[], bool], *, what: str, section: str, title: str, caption: str, back):
    """Changing a home's, scheme's, patch's or provider's details: `update()` saves them through the service; the page
    then says whether anything changed (`what` names the details) and goes back to `back`."""
    form.helper.inputs[0].value = "Save changes"
    saved, changed = _saved(request, form, update)
    if saved:
        if changed:
            messages.success(request, f"{what} saved.")
        else:
            messages.info(request, f"Nothing was changed: {what[:1].lower() + what[1:]} already had those details.")
        return redirect(back)
    return _form_page(request, form, section=section, title=title, caption=caption, back=back)
