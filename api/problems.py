"""Every error the API returns is an RFC 9457 problem (`application/problem+json`): `type`, `title`, `status`,
`detail`, `instance`, and for bad input `errors`, each with a JSON pointer into the request and what is wrong, in plain
English (docs/api.md)."""

import logging
import math

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

logger = logging.getLogger(__name__)
PROBLEM_TYPE = "urn:rentwise:problem:"
MEDIA_TYPE = "application/problem+json"


class ProblemJSONRenderer(JSONRenderer):
    media_type = MEDIA_TYPE


class Problem(exceptions.APIException):
    """An error a view raises with its own slug, title and status (a refused Idempotency-Key, a closed case)."""

    def __init__(self, *, status_code: int, slug: str, title: str, detail: str, errors: list | None = None):
        super().__init__(detail)
        self.status_code, self.slug, self.title, self.errors = status_code, slug, title, errors or []


def problem_response(
    request, *, status_code: int, slug: str, title: str, detail: str, errors: list | None = None, headers=None
) -> Response:
    body = {
        "type": f"{PROBLEM_TYPE}{slug}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": request.path if request is not None else "",
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=MEDIA_TYPE)
    return response


def _pointer(path: list) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path) if path else ""


def field_errors(detail, path: list | None = None) -> list[dict]:
    """DRF's nested error detail as a flat list of {pointer, detail}."""
    path = path or []
    if isinstance(detail, dict):
        found = []
        for name, value in detail.items():
            found += field_errors(value, path if name in ("non_field_errors", "__all__") else [*path, name])
        return found
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"pointer": _pointer(path), "detail": str(item)} for item in detail]
        found = []
        for index, item in enumerate(detail):
            if item:
                found += field_errors(item, [*path, index])
        return found
    return [{"pointer": _pointer(path), "detail": str(detail)}]


def exception_handler(exc, context):
    # No set_rollback(): API views are outside the request's transaction (views_base), and a write's own atomic block
    # (api.idempotency) is rolled back by the exception itself. Marking an enclosing block for rollback would only stop
    # the call log being written (and breaks every error answer inside a test's transaction).
    request = context.get("request")
    if isinstance(exc, Problem):
        return problem_response(
            request, status_code=exc.status_code, slug=exc.slug, title=exc.title, detail=str(exc.detail),
            errors=exc.errors,
        )  # fmt: skip
    if isinstance(exc, Http404):
        return problem_response(
            request, status_code=404, slug="not-found", title="Not found",
            detail=str(exc) or "There is nothing at this address. Check the reference or id in it.",
        )  # fmt: skip
    if isinstance(exc, DjangoPermissionDenied):
        return problem_response(request, status_code=403, slug="forbidden", title="Not allowed", detail=str(exc))
    if isinstance(exc, DjangoValidationError):
        messages = exc.messages
        return problem_response(
            request, status_code=422, slug="not-accepted", title="The request could not be carried out",
            detail=" ".join(messages), errors=[{"pointer": "", "detail": message} for message in messages],
        )  # fmt: skip
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        return problem_response(
            request, status_code=400, slug="invalid-request", title="The request has problems",
            detail="Nothing was changed. Correct what each error says, then send the request again.", errors=errors,
        )  # fmt: skip
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        detail = str(exc.detail) if isinstance(exc, exceptions.AuthenticationFailed) else (
            "Send your API key as 'Authorization: Bearer <key>'."
        )  # fmt: skip
        return problem_response(
            request, status_code=401, slug="unauthorised", title="No valid API key", detail=detail,
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )  # fmt: skip
    if isinstance(exc, exceptions.Throttled):
        wait = math.ceil(exc.wait or 1)
        return problem_response(
            request, status_code=429, slug="rate-limited", title="Too many calls",
            detail=f"This client has used its calls for this minute. Try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )  # fmt: skip
    if isinstance(exc, exceptions.PermissionDenied):
        return problem_response(request, status_code=403, slug="forbidden", title="Not allowed", detail=str(exc.detail))
    if isinstance(exc, exceptions.APIException):
        slug = {
            status.HTTP_404_NOT_FOUND: "not-found",
            status.HTTP_405_METHOD_NOT_ALLOWED: "method-not-allowed",
            status.HTTP_406_NOT_ACCEPTABLE: "not-acceptable",
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported-media-type",
        }.get(exc.status_code, "bad-request")
        return problem_response(
            request, status_code=exc.status_code, slug=slug, title=slug.replace("-", " ").capitalize(),
            detail=str(exc.detail),
        )  # fmt: skip
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024) or 1
        return problem_response(
            request, status_code=413, slug="too-large", title="The request is too large",
            detail=f"The body is larger than {limit} MB. Send the rows in smaller requests.",
        )  # fmt: skip
    if isinstance(exc, RecursionError):  # the JSON parser on a body nested thousands deep
        return problem_response(
            request, status_code=400, slug="bad-request", title="Bad request",
            detail="The body is nested too deeply to read. Send the JSON the documentation describes.",
        )  # fmt: skip
    logger.exception("API call failed: %s", request.path if request is not None else "")
    return problem_response(
        request, status_code=500, slug="server-error", title="Something went wrong on our side",
        detail="Try again with the same Idempotency-Key (nothing is done twice); if it goes on, tell the landlord's "
        "system administrator.",
    )  # fmt: skip


@csrf_exempt
@login_not_required
def not_found(request, *args, **kwargs):
    """Any /api/v1/ address no view answers (an unknown path, or an id that is not a whole number): a 404 problem, not
    the browser's page. The last pattern in api/urls.py."""
    body = {
        "type": f"{PROBLEM_TYPE}not-found",
        "title": "Not found",
        "status": 404,
        "detail": "There is nothing at this address. Check the path and the reference or id in it against the API "
        "documentation (/api/v1/schema/).",
        "instance": request.path,
    }
    response = JsonResponse(body, status=404, content_type=MEDIA_TYPE)
    add_never_cache_headers(response)
    return response
