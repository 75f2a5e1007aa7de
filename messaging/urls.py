"""Messaging pages. The four callbacks are the only pages in the product open without signing in: providers call
them with the callback bearer token (messaging/callbacks.py says why)."""

from django.urls import path

from . import callbacks, views, views_replies

app_name = "messaging"

urlpatterns = [
    path("callbacks/notify/receipts/", callbacks.notify_receipt, name="notify_receipts"),
    path("callbacks/notify/replies/", callbacks.notify_reply, name="notify_replies"),
    path("callbacks/sms/receipts/", callbacks.sms_receipt, name="sms_receipts"),
    path("callbacks/sms/replies/", callbacks.sms_reply, name="sms_replies"),
    # Message templates (added here so the navigation's link works; the templates' helper owns these views).
    path("templates/", views.templates, name="templates"),
    path("templates/<slug:key>/", views.template_edit, name="template_edit"),
    path("templates/<slug:key>/versions/<int:number>/", views.template_version, name="template_version"),
    path("templates/<slug:key>/versions/<int:number>/publish/", views.template_publish, name="template_publish"),
    path("templates/<slug:key>/versions/<int:number>/revert/", views.template_revert, name="template_revert"),
    path("replies/unmatched/", views_replies.unmatched, name="replies_unmatched"),
]
