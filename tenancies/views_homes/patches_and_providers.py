"""Homes pages for patches and providers: their lists, and adding and changing one."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from tenancies.forms_homes import PatchForm, ProviderForm
from tenancies.models import Patch, Provider
from tenancies.services_homes import patch_create, patch_update, provider_create, provider_update

from .pages import VIEW, _change_page, _form_page, _render, _saved


@permission_required(VIEW, raise_exception=True)
def patches(request):
    rows = Patch.objects.select_related("officer").annotate(
        homes=Count("properties", filter=Q(properties__retired_on__isnull=True))
    )
    context = {
        "patches": rows.order_by("retired_on", "name"),
        "can_add": request.user.has_perm("tenancies.add_patch"),
        "can_change": request.user.has_perm("tenancies.change_patch"),
    }
    return _render(request, "patches.html", "Patches", context)


@permission_required("tenancies.add_patch", raise_exception=True)
def patch_add(request):
    form = PatchForm(request.POST or None)
    form.helper.inputs[0].value = "Add patch"
    saved, patch = _saved(request, form, lambda: patch_create(by=request.user, **form.cleaned_data))
    if saved:
        who = f", worked by {patch.officer}" if patch.officer else " with no officer yet"
        messages.success(request, f"Patch added: {patch.name}{who}. Choose it on each home in the patch.")
        return redirect("homes:patches")
    return _form_page(request, form, section="Patches", title="Add a patch", back=reverse("homes:patches"))


@permission_required("tenancies.change_patch", raise_exception=True)
def patch_change(request, pk):
    patch = get_object_or_404(Patch, pk=pk)
    form = PatchForm(request.POST or None, initial={"name": patch.name, "officer": patch.officer_id})
    return _change_page(
        request,
        form,
        lambda: patch_update(by=request.user, patch=patch, **form.cleaned_data),
        what="The patch",
        section="Patches",
        title="Change the patch",
        caption=str(patch),
        back=reverse("homes:patches"),
    )


@permission_required(VIEW, raise_exception=True)
def providers(request):
    rows = Provider.objects.annotate(schemes_in_use=Count("schemes", filter=Q(schemes__retired_on__isnull=True)))
    context = {
        "providers": rows.order_by("retired_on", "name"),
        "can_add": request.user.has_perm("tenancies.add_provider"),
        "can_change": request.user.has_perm("tenancies.change_provider"),
    }
    return _render(request, "providers.html", "Providers", context)


def _provider_initial(provider: Provider) -> dict:
    fields = ("name", "landlord_type", "jurisdiction", "address", "phone", "email")
    return {name: getattr(provider, name) for name in fields}


@permission_required("tenancies.add_provider", raise_exception=True)
def provider_add(request):
    form = ProviderForm(request.POST or None)
    form.helper.inputs[0].value = "Add provider"
    saved, provider = _saved(request, form, lambda: provider_create(by=request.user, **form.cleaned_data))
    if saved:
        messages.success(request, f"Provider added: {provider.name}. Add its schemes next.")
        return redirect("homes:providers")
    return _form_page(request, form, section="Providers", title="Add a provider", back=reverse("homes:providers"))


@permission_required("tenancies.change_provider", raise_exception=True)
def provider_change(request, pk):
    provider = get_object_or_404(Provider, pk=pk)
    form = ProviderForm(request.POST or None, initial=_provider_initial(provider))
    return _change_page(
        request,
        form,
        lambda: provider_update(by=request.user, provider=provider, **form.cleaned_data),
        what="The provider",
        section="Providers",
        title="Change the provider",
        caption=str(provider),
        back=reverse("homes:providers"),
    )
