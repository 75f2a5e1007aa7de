"""The OpenAPI schema's shared parts: every operation documents the problem responses it can give (RFC 9457), so a
client (and schemathesis in CI) can rely on the schema for errors too."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ProblemSerializer = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(help_text="The kind of problem, e.g. urn:rentwise:problem:not-found"),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(help_text="What was wrong and what to do, in plain English."),
        "instance": serializers.CharField(),
        "errors": serializers.ListField(
            required=False,
            child=inline_serializer(
                name="ProblemError",
                fields={
                    "pointer": serializers.CharField(help_text="Where in the request, e.g. /payments/0/amount"),
                    "detail": serializers.CharField(),
                },
            ),
        ),
    },
)

_ALWAYS = {
    401: "No key, an unknown key or a revoked key.",
    403: "The client lacks the scope this needs.",
    429: "Too many calls this minute: wait for Retry-After seconds.",
    500: "A fault on our side.",
}
_READ = {400: "A filter or the cursor is not readable.", 404: "Nothing has that reference or id."}
_WRITE = {
    400: "The request has problems (each in `errors`); nothing was changed.",
    404: "Nothing has that reference or id.",
    409: "The same Idempotency-Key is still being carried out.",
    415: "The body is not JSON.",
    422: "The request was read but could not be carried out (for example an Idempotency-Key used for another request).",
}


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        method = self.method.upper()
        extra = {**_ALWAYS, **(_READ if method in ("GET", "HEAD") else _WRITE)}
        for code, description in extra.items():
            if str(code) not in bodies:
                bodies[str(code)] = self._get_response_for_code(
                    OpenApiResponse(response=ProblemSerializer, description=description), str(code),
                    direction=direction,
                )  # fmt: skip
                if "content" in bodies[str(code)]:
                    content = bodies[str(code)]["content"]
                    bodies[str(code)]["content"] = {"application/problem+json": next(iter(content.values()))}
        return bodies
