"""Who is calling: `Authorization: Bearer <key>` finds an API client (docs/api.md). A revoked or unknown key is a
401."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .keys import key_matches, key_prefix
from .models import ApiClient

LAST_USED_EVERY_SECONDS = 60


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Sets `request.user` to the client's service user and `request.auth` to the ApiClient."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        word, _, key = header.partition(" ")
        if word != self.keyword or not key.strip():
            raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Bearer <key>'.")
        key = key.strip()
        prefix = key_prefix(key)
        client = (
            ApiClient.objects.select_related("user").filter(key_prefix=prefix).first() if prefix is not None else None
        )
        if client is None or not client.key_hash or not key_matches(key, client.key_hash):
            raise exceptions.AuthenticationFailed("The API key is not one we know. Check it, or ask for a new one.")
        if client.is_revoked:
            raise exceptions.AuthenticationFailed(
                "This API key has been revoked. Ask the landlord's system administrator for a new one."
            )
        if not client.key_works:
            raise exceptions.AuthenticationFailed(
                "This API key is waiting for an Income Manager's approval. It works once approved."
            )
        now = timezone.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > LAST_USED_EVERY_SECONDS:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client.user, client

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from Staff > API clients: `Authorization: Bearer rw_...`.",
        }
