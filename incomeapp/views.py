from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import NOT_CONFIGURED, OK, broker_status, database_status
from .navigation import areas_for


def home(request):
    return render(request, "incomeapp/home.html", {"areas": areas_for(request.user)})


@login_not_required
@transaction.non_atomic_requests  # must answer (with 503) even when the database cannot open a transaction
@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when the database (and the broker, if configured) answer, else 503."""
    database = database_status()
    broker = broker_status()
    healthy = database == OK and broker in (OK, NOT_CONFIGURED)
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
