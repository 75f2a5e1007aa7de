"""What every API view shares: the key, the scope check, the rate limit, the call log and problem details.

A view names the scope each method needs in `scopes` ({"GET": "tenancies:read"}); the domain services it calls check
the client's service user's permissions again, as they do for staff.
"""

import time

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.utils.cache import add_never_cache_headers
from rest_framework import generics
from rest_framework.views import APIView

from .authentication import ApiKeyAuthentication
from .models import ApiCall
from .permissions import HasScope
from .throttling import ClientRateThrottle


class ApiViewMixin:
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    scopes: dict[str, str] = {}

    @classmethod
    def as_view(cls, **initkwargs):
        # The API answers a missing key with a 401 problem, not the sign-in page. Not in the request's transaction:
        # writes make their own (api.idempotency), and the call log is kept whatever the outcome.
        return transaction.non_atomic_requests(login_not_required(super().as_view(**initkwargs)))

    def initial(self, request, *args, **kwargs):
        self._started = time.perf_counter()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)  # tenants' data: never kept by a proxy
        client = getattr(request, "_auth", None)
        started = getattr(self, "_started", None)
        ApiCall.objects.create(
            client=client if hasattr(client, "scopes") else None,
            method=request.method[:10],
            path=request.get_full_path()[:500],
            status=response.status_code,
            milliseconds=int((time.perf_counter() - started) * 1000) if started else 0,
            idempotency_key=(request.headers.get("Idempotency-Key") or "").replace("\x00", "")[:255],
            replayed=response.headers.get("Idempotent-Replayed") == "true",
        )
        return response


class ApiView(ApiViewMixin, APIView):
    pass


class ApiListView(ApiViewMixin, generics.ListAPIView):
    pass


class ApiDetailView(ApiViewMixin, generics.RetrieveAPIView):
    pass
