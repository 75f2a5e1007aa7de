"""The OpenAPI schema's shared parts (docs/api.md).

Every operation:
- needs the API key (`security: apiKey`, from api.authentication.ApiKeyScheme) and says which scope it needs;
- documents the RFC 9457 problem responses it can give, as `application/problem+json` with the `Problem` schema: 401,
  403, 406 and 429 always, 400 and 404 for reads, 400/404/409/413/415/422 for writes, and 500;
- on a write whose view sets `idempotency_required` (True or False), takes the `Idempotency-Key` header (required when
  True) and says a replayed answer carries `Idempotent-Replayed: true`.

So a client, and schemathesis in CI, can rely on the schema for errors as well as for answers.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import KEY_LIMIT
from .problems import MEDIA_TYPE

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ProblemSerializer = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(help_text="The kind of problem, e.g. urn:rentwise:problem:not-found."),
        "title": serializers.CharField(help_text="A short summary of the kind of problem."),
        "status": serializers.IntegerField(min_value=400, max_value=599, help_text="The HTTP status code."),
        "detail": serializers.CharField(help_text="What was wrong and what to do, in plain English."),
        "instance": serializers.CharField(help_text="The path that was called.", allow_blank=True),
        "errors": serializers.ListField(
            required=False,
            help_text="For a request with problems: each one, with where it is in the request.",
            child=inline_serializer(
                name="ProblemError",
                fields={
                    "pointer": serializers.CharField(
                        allow_blank=True,
                        help_text="A JSON pointer into the request body, e.g. /payments/0/amount (empty: the whole "
                        "request).",
                    ),
                    "detail": serializers.CharField(help_text="What is wrong there, in plain English."),
                },
            ),
        ),
    },
)

_ALWAYS = {
    401: "No key, an unknown key or a revoked key.",
    403: "The client lacks the scope this needs.",
    406: "The Accept header asks for something other than JSON: send `Accept: application/json` or leave it out.",
    429: "Too many calls this minute: wait for Retry-After seconds.",
    500: "A fault on our side. Writes can be retried with the same Idempotency-Key.",
}
_READ = {
    400: "A filter, the cursor or the page size is not readable (each in `errors`).",
    404: "Nothing has that reference or id.",
}
_WRITE = {
    400: "The request has problems (each in `errors`); nothing was changed.",
    404: "Nothing has that reference or id.",
    409: "A request with the same Idempotency-Key is still being carried out: send it again in a few seconds.",
    413: "The body is too large: send the rows in smaller requests.",
    415: "The body is not JSON: send `Content-Type: application/json`.",
    422: "The request was read but could not be carried out (for example an Idempotency-Key used for another "
    "request); nothing was changed.",
}
# Headers a problem response always carries.
_PROBLEM_HEADERS = {
    401: ("WWW-Authenticate", 'How to authenticate: `Bearer realm="api"`.'),
    429: ("Retry-After", "Seconds to wait before calling again."),
}
# Printable ASCII without leading or trailing spaces, at most KEY_LIMIT characters: what api.idempotency accepts.
IDEMPOTENCY_KEY_PATTERN = rf"^[\x21-\x7e](?:[\x20-\x7e]{{0,{KEY_LIMIT - 2}}}[\x21-\x7e])?$"
IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": KEY_LIMIT, "pattern": IDEMPOTENCY_KEY_PATTERN}


def _problem_content(schema_ref) -> dict:
    return {MEDIA_TYPE: {"schema": schema_ref}}


class ProblemAutoSchema(AutoSchema):
    def _scope(self) -> str | None:
        scopes = getattr(self.view, "scopes", None) or {}
        return scopes.get(self.method) or scopes.get("*")

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        scope = self._scope() if operation is not None else None
        if scope:
            # Here, not in get_description: a view's @extend_schema(description=...) replaces that method.
            description = operation.get("description") or ""
            if f"`{scope}`" not in description:
                operation["description"] = f"{description}\n\nNeeds the `{scope}` scope.".strip()
            operation.setdefault("x-required-scope", scope)
        return operation

    def _idempotency_required(self) -> bool | None:
        """None when the operation takes no Idempotency-Key (a read, or a write whose view does not say)."""
        if self.method not in WRITE_METHODS:
            return None
        required = getattr(self.view, "idempotency_required", None)
        return None if required is None else bool(required)

    def get_override_parameters(self):
        # Ours come first: a view's own @extend_schema parameters (appended after these) win.
        parameters = list(super().get_override_parameters())
        required = self._idempotency_required()
        if required is None:
            return parameters
        key = OpenApiParameter(
            name=IDEMPOTENCY_HEADER,
            type=dict(IDEMPOTENCY_KEY_SCHEMA),
            location=OpenApiParameter.HEADER,
            required=required,
            description="Your own unique id for this request (a UUID is ideal). A repeat with the same key and the "
            "same body gets the first answer and changes nothing; the same key with another body is refused (422). "
            "Keys are kept per client.",
        )  # fmt: skip
        replayed = OpenApiParameter(
            name="Idempotent-Replayed",
            type={"type": "string", "enum": ["true"]},
            location=OpenApiParameter.HEADER,
            response=True,
            required=False,
            description="`true` when this is the kept answer to an earlier request with the same Idempotency-Key.",
        )
        return [key, replayed, *parameters]

    def _process_override_parameters(self, direction="request"):
        parameters = super()._process_override_parameters(direction)
        key = parameters.get((IDEMPOTENCY_HEADER, OpenApiParameter.HEADER))
        if key is not None and self.method in WRITE_METHODS:
            # A view may describe the header itself; the schema of what the server accepts is the same everywhere.
            key["schema"] = dict(IDEMPOTENCY_KEY_SCHEMA)
        return parameters

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if str(status_code).startswith(("4", "5")):
            headers.pop("Idempotent-Replayed", None)  # a failed request's key is freed, never replayed
        return headers

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        extra = {**_ALWAYS, **(_WRITE if self.method in WRITE_METHODS else _READ)}
        problem_ref = self.resolve_serializer(ProblemSerializer, direction).ref
        for code, description in extra.items():
            bodies.setdefault(str(code), {"description": description})
        for code, body in bodies.items():
            if code[:1] not in ("4", "5"):
                continue
            # Every error is a problem document: give one the view left without a body the Problem schema, and serve
            # any the view described under the problem media type.
            content = body.get("content") or {}
            schema = next(iter(content.values()), {}).get("schema") if content else None
            body["content"] = _problem_content(schema or problem_ref)
            body.setdefault("description", "")
            if not body["description"]:
                body["description"] = extra.get(int(code), "A problem (RFC 9457).")
            header = _PROBLEM_HEADERS.get(int(code)) if code.isdigit() else None
            if header:
                name, text = header
                body.setdefault("headers", {})[name] = {
                    "schema": {"type": "string"},
                    "description": text,
                    "required": True,
                }
        return bodies
