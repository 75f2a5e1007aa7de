"""/api/v1/webhooks/: a client's webhook subscriptions and their deliveries (docs/api.md). A client sees only its own:
another client's subscription is "not found". Needs the webhooks scope; each event also needs its own scope
(api.constants.EVENT_SCOPES)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from .constants import DeliveryState, Scope
from .filters import MAX_ID, QueryFilters
from .idempotency import idempotent
from .models import WebhookDelivery, WebhookSubscription
from .pagination import IdCursorPagination
from .serializers_webhooks import (
    WebhookDeliveryRead,
    WebhookSubscriptionCreated,
    WebhookSubscriptionIn,
    WebhookSubscriptionRead,
)
from .services_webhooks import delivery_retry, subscription_create, subscription_end
from .views_base import ApiListView, ApiView

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional: your own unique id for this request. A repeat with the same key returns the first answer "
    "and does nothing again.",
)
NOT_FOUND = "This API client has no webhook subscription with that id."


class NewestFirst(IdCursorPagination):
    ordering = "-id"


def _subscription(request, pk) -> WebhookSubscription:
    if not 0 < int(pk) <= MAX_ID:
        raise Http404(NOT_FOUND)
    found = WebhookSubscription.objects.filter(pk=pk, client=request.auth).select_related("client").first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


class WebhookListView(ApiListView):
    scopes = {"GET": Scope.WEBHOOKS, "POST": Scope.WEBHOOKS}
    serializer_class = WebhookSubscriptionRead
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return WebhookSubscription.objects.filter(client=self.request.auth)

    @extend_schema(
        operation_id="webhooks_list",
        summary="List this client's webhook subscriptions",
        description="Active and ended ones (`active`), oldest first. The secret is never shown here.",
        tags=["webhooks"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Subscribe to events",
        description="Posts each event to `url`, signed with the secret in this answer (shown only here: keep it). "
        "The url must be https:// (http://localhost only on a development server). Each event needs its scope: "
        "payment.posted accounts:read; case.*, recommendation.changed and agreement.breached cases:read; "
        "breathing_space.recorded sensitive:read. An event the client lacks the scope for is a 403 problem.",
        parameters=[IDEMPOTENCY_KEY],
        request=WebhookSubscriptionIn,
        responses={201: WebhookSubscriptionCreated},
        examples=[
            OpenApiExample(
                "Payments and cases",
                request_only=True,
                value={"url": "https://crm.example.org/rentwise/hooks", "events": ["payment.posted", "case.opened"]},
            )
        ],
        tags=["webhooks"],
    )
    def post(self, request, *args, **kwargs):
        def work() -> Response:
            given = WebhookSubscriptionIn(data=request.data)
            given.is_valid(raise_exception=True)
            issued = subscription_create(by=request.user, client=request.auth, **given.validated_data)
            body = WebhookSubscriptionCreated(issued.subscription, context={"secret": issued.secret}).data
            return Response(body, status=status.HTTP_201_CREATED)

        return idempotent(request, work, required=False)


class WebhookDetailView(ApiView):
    scopes = {"GET": Scope.WEBHOOKS, "DELETE": Scope.WEBHOOKS}

    @extend_schema(
        operation_id="webhooks_read",
        summary="One webhook subscription",
        responses={200: WebhookSubscriptionRead},
        tags=["webhooks"],
    )
    def get(self, request, pk):
        return Response(WebhookSubscriptionRead(_subscription(request, pk)).data)

    @extend_schema(
        operation_id="webhooks_end",
        summary="End a webhook subscription",
        description="Stops it: nothing more is posted, and deliveries still waiting are marked failed. It and its "
        "deliveries stay listed. Ending an ended subscription changes nothing.",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={204: OpenApiResponse(description="Ended.")},
        tags=["webhooks"],
    )
    def delete(self, request, pk):
        subscription = _subscription(request, pk)

        def work() -> Response:
            subscription_end(by=request.user, subscription=subscription)
            return Response(status=status.HTTP_204_NO_CONTENT)

        return idempotent(request, work, required=False)


class WebhookDeliveryListView(ApiListView):
    scopes = {"GET": Scope.WEBHOOKS}
    serializer_class = WebhookDeliveryRead
    pagination_class = NewestFirst

    def get_queryset(self):
        subscription = _subscription(self.request, self.kwargs["pk"])
        filters = QueryFilters(self.request)
        state = filters.choice("state", DeliveryState.values)
        event = filters.text("event", max_length=40)
        filters.raise_if_bad()
        deliveries = WebhookDelivery.objects.filter(subscription=subscription)
        if state:
            deliveries = deliveries.filter(state=state)
        if event:
            deliveries = deliveries.filter(event=event)
        return deliveries

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        summary="A subscription's deliveries and their state",
        description="Newest first: each event posted or to be posted, its state (pending, retrying, delivered, "
        "failed), the tries made, the receiver's last HTTP status and what went wrong.",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=DeliveryState.values, description="Only this state."),
            OpenApiParameter("event", OpenApiTypes.STR, description="Only this event, e.g. payment.posted."),
        ],
        tags=["webhooks"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WebhookDeliveryRetryView(ApiView):
    scopes = {"POST": Scope.WEBHOOKS}

    @extend_schema(
        operation_id="webhooks_delivery_retry",
        summary="Try a failed delivery again",
        description="A failed delivery is sent again, with a full set of tries and the same event id. A delivery "
        "that is not failed is a 422 problem (it is already delivered, or still being tried).",
        parameters=[IDEMPOTENCY_KEY],
        request=None,
        responses={202: WebhookDeliveryRead},
        tags=["webhooks"],
    )
    def post(self, request, pk, delivery_id):
        subscription = _subscription(request, pk)
        if not 0 < int(delivery_id) <= MAX_ID:
            raise Http404("This subscription has no delivery with that id.")
        delivery = subscription.deliveries.filter(pk=delivery_id).first()
        if delivery is None:
            raise Http404("This subscription has no delivery with that id.")

        def work() -> Response:
            retried = delivery_retry(by=request.user, delivery=delivery)
            return Response(WebhookDeliveryRead(retried).data, status=status.HTTP_202_ACCEPTED)

        return idempotent(request, work, required=False)
