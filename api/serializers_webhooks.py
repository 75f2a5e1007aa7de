"""Webhook subscriptions and their deliveries, as the API shows them (the secret only in the answer to a create)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .constants import DeliveryState, Event
from .models import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionIn(serializers.Serializer):
    url = serializers.CharField(
        max_length=500, help_text="Where to post events: https://, or http://localhost in development."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices),
        allow_empty=False,
        max_length=len(Event.values),
        help_text="The events to hear about.",
    )

    def validate_url(self, value: str) -> str:
        from .services_webhooks import url_clean

        try:
            return url_clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class WebhookSubscriptionRead(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "active", "created_at", "ended_at"]
        read_only_fields = fields


class WebhookSubscriptionCreated(WebhookSubscriptionRead):
    secret = serializers.SerializerMethodField(
        help_text="Signs every post (Rentwise-Signature). Shown only in this answer: keep it safe now."
    )

    class Meta(WebhookSubscriptionRead.Meta):
        fields = [*WebhookSubscriptionRead.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, subscription) -> str:
        return self.context["secret"]


class WebhookDeliveryRead(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=DeliveryState.choices)
    data = serializers.JSONField(source="payload", help_text="The event's data, as posted.")
    subscription_id = serializers.IntegerField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription_id",
            "event_id",
            "event",
            "state",
            "attempts",
            "last_status",
            "last_error",
            "created_at",
            "next_attempt_at",
            "delivered_at",
            "data",
        ]
        read_only_fields = fields
