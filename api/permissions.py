"""The scope check: a view names the scope each method needs in `scopes`."""

from rest_framework import permissions


class HasScope(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        client = request.auth
        if client is None or not hasattr(client, "scopes"):
            return False
        needed = view.scopes.get(request.method) or view.scopes.get("*")
        if needed is None and request.method in ("HEAD", "OPTIONS"):
            needed = view.scopes.get("GET")
        if needed and not client.has_scope(needed):
            waiting = needed in (client.pending_scopes or [])
            self.message = (
                f"This API client's {needed} scope is waiting for an Income Manager's approval."
                if waiting
                else f"This API client does not have the {needed} scope. Ask for it to be added."
            )
            return False
        return True
