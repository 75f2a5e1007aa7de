"""Retiring a home, scheme, patch or provider from a date, or bringing a retired one back into use."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from tenancies.forms_homes import RetireForm
from tenancies.models import Patch, Property, Provider, Scheme
from tenancies.services_homes import (
    patch_retire,
    patch_update,
    property_retire,
    property_update,
    provider_retire,
    provider_update,
    scheme_retire,
    scheme_update,
)

from .pages import _form_page, _render, _saved

RETIRING = {
    "property": (Property, property_retire, property_update, "tenancies.change_property", "Homes", "home"),
    "scheme": (Scheme, scheme_retire, scheme_update, "tenancies.change_scheme", "Schemes", "scheme"),
    "patch": (Patch, patch_retire, patch_update, "tenancies.change_patch", "Patches", "patch"),
    "provider": (Provider, provider_retire, provider_update, "tenancies.change_provider", "Providers", "provider"),
}


def _retire_back(kind: str, obj) -> str:
    if kind == "property":
        return reverse("homes:property", args=[obj.pk])
    if kind == "scheme":
        return reverse("homes:scheme", args=[obj.pk])
    return reverse(f"homes:{'patches' if kind == 'patch' else 'providers'}")


def retire(request, kind, pk):
    """Retire a home, scheme, patch or provider from a date, or bring a retired one back into use. Never deleted."""
    model, retire_service, update_service, permission, section, noun = RETIRING[kind]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    obj = get_object_or_404(model, pk=pk)
    back = _retire_back(kind, obj)
    if obj.retired_on is not None:
        if request.method == "POST":
            update_service(by=request.user, **{kind: obj}, retired_on=None)
            messages.success(request, f"{obj} is back in use: it is offered again for new work.")
            return redirect(back)
        context = {"obj": obj, "noun": noun, "back": back}
        return _render(request, "restore.html", section, context)
    form = RetireForm(request.POST or None, initial={"on": timezone.localdate()})
    form.helper.inputs[0].value = f"Retire this {noun}"
    saved, _ = _saved(request, form, lambda: retire_service(by=request.user, **{kind: obj}, on=form.cleaned_data["on"]))
    if saved:
        messages.success(
            request,
            f"{obj} is retired from {form.cleaned_data['on']:%-d %B %Y}. It is kept, with its history, and no longer "
            "offered for new work.",
        )
        return redirect(back)
    intro = {
        "property": "A retired home is kept, with its tenancies and history, but is not offered for sign-ups and stops "
        "counting as void. A home with a current tenancy cannot be retired.",
        "scheme": "A retired scheme is kept with its history but is not offered for new homes. Retire or move its "
        "homes first.",
        "patch": "A retired patch is kept with its history but is not offered for homes. Move its homes first.",
        "provider": "A retired provider is kept with its history but is not offered for new schemes. Retire or move "
        "its schemes first.",
    }[kind]
    return _form_page(
        request, form, section=section, title=f"Retire this {noun}", caption=str(obj), back=back, intro=intro
    )
