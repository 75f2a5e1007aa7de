"""Replies no current tenant's number matches: kept, never dropped, and listed here for a manager to find whose they
are (a tenant who changed their number, a wrong number, someone who is not a tenant)."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .models import InboundMessage


@permission_required("messaging.view_inboundmessage", raise_exception=True)
def unmatched(request):
    # A reply that reached a case's diary has a contact pointing at it (the arrears app records it, messaging only
    # reads the link): the rest matched no current tenant.
    replies = InboundMessage.objects.filter(contacts__isnull=True).order_by("-received_at", "-id")
    page = Paginator(replies, 50).get_page(request.GET.get("page"))
    return render(request, "messaging/replies_unmatched.html", {"page": page})
