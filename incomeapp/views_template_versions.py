"""The publish and go-back buttons of a versioned template's page, for letter templates (documents) and message
templates (messaging) alike: `namespace` is the app's URL namespace, `made` what its templates make ("letter")."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from .models import TemplateVersion
from .refusals import refusal_shown


def version_or_404(model: type[TemplateVersion], key: str, number: int) -> TemplateVersion:
    """The template's version with that number, with who wrote, published or copied it."""
    return get_object_or_404(
        model.objects.select_related("template", "created_by", "published_by", "reverted_from"),
        template__key=key,
        number=number,
    )


def version_publish_answer(
    request, version: TemplateVersion, *, publish: Callable, namespace: str, made: str
) -> HttpResponse:
    """Publishes the version with the app's `publish` service, then back to the template; refused, back to the
    version with the reason."""
    key = version.template.key
    with refusal_shown(request):
        publish(version=version, published_by=request.user)
        messages.success(
            request,
            f"Published version {version.number} of “{version.template.title}”. Every {made} made from now on uses "
            f"it ({made}s already made keep the version they used).",
        )
        return redirect(f"{namespace}:template_edit", key=key)
    return redirect(f"{namespace}:template_version", key=key, number=version.number)


def version_revert_answer(
    request, version: TemplateVersion, *, revert: Callable, namespace: str, made: str
) -> HttpResponse:
    """Goes back to the version with the app's `revert` service, then back to the template; refused, back to the
    version with the reason."""
    key = version.template.key
    with refusal_shown(request):
        new = revert(version=version, reverted_by=request.user)
        messages.success(
            request,
            f"Went back to version {version.number}: its text is now version {new.number}, in use for every {made} "
            "made from now on.",
        )
        return redirect(f"{namespace}:template_edit", key=key)
    return redirect(f"{namespace}:template_version", key=key, number=version.number)
