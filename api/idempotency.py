"""Idempotency-Key for writes (docs/api.md): the first call with a key does the work and its answer is kept; a repeat
with the same key and the same request gets that answer (`Idempotent-Replayed: true`) and changes nothing. The same key
with another request is refused (422), and a repeat while the first is still at work is told to wait (409).

The key is claimed (committed) before the work starts, so two calls at once cannot both do it; the work is one
transaction (API views are not wrapped in the request's transaction, so the call log survives a failure). A call that
fails frees its key, so a corrected or retried request can use it. A claim left by a process that died is taken over
after STALE_AFTER.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .constants import IdempotencyState
from .models import IdempotencyRecord
from .problems import MEDIA_TYPE, Problem

HEADER = "Idempotency-Key"
STALE_AFTER = timedelta(minutes=5)
KEY_LIMIT = 255
CLAIM_TRIES = 5


def request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _key(request, required: bool) -> str | None:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        if required:
            raise Problem(
                status_code=400, slug="idempotency-key-missing", title="Idempotency-Key is missing",
                detail=f"Send an {HEADER} header (your own unique id for this request, such as a UUID), so a repeat "
                "of the request is never carried out twice.",
            )  # fmt: skip
        return None
    if len(key) > KEY_LIMIT or not key.isprintable():
        raise Problem(
            status_code=400, slug="idempotency-key-invalid", title="Idempotency-Key is not usable",
            detail=f"The {HEADER} must be printable text of at most {KEY_LIMIT} characters.",
        )  # fmt: skip
    return key


def _replay(record: IdempotencyRecord) -> Response:
    content_type = MEDIA_TYPE if record.status >= 400 else None
    return Response(
        record.body, status=record.status, headers={"Idempotent-Replayed": "true"}, content_type=content_type
    )


def _claimed_or_holder(client, key: str, hashed: str) -> tuple[IdempotencyRecord | None, bool]:
    """(the new record, True) when this call claims the key, else (the record that holds it, False). (None, False):
    the holder freed the key between the two (its call failed), so the claim is tried again."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(client=client, key=key, request_hash=hashed), True
    except IntegrityError:
        return IdempotencyRecord.objects.filter(client=client, key=key).first(), False


def _claim(client, key: str, hashed: str) -> IdempotencyRecord | Response:
    for _ in range(CLAIM_TRIES):
        record, claimed = _claimed_or_holder(client, key, hashed)
        if claimed:
            return record
        if record is not None:
            break
    else:
        raise Problem(
            status_code=409, slug="request-in-progress", title="The same key is busy",
            detail=f"Other requests with this {HEADER} keep starting and failing. Wait a few seconds, then send "
            "the request again with the same key.",
        )  # fmt: skip
    if record.request_hash != hashed:
        raise Problem(
            status_code=422, slug="idempotency-key-reused", title="Idempotency-Key already used",
            detail=f"This {HEADER} was used with a different request. Use a new key for a new request.",
        )  # fmt: skip
    if record.state == IdempotencyState.DONE:
        return _replay(record)
    now = timezone.now()
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyState.PROCESSING, created_at__lte=now - STALE_AFTER
    ).update(created_at=now)
    if not taken:
        raise Problem(
            status_code=409, slug="request-in-progress", title="The same request is still being carried out",
            detail="A request with this Idempotency-Key is still being carried out. Wait a few seconds and send it "
            "again with the same key to get its result.",
        )  # fmt: skip
    return record


def idempotent(request, work: Callable[[], Response], *, required: bool = True) -> Response:
    """Runs `work` once per (client, Idempotency-Key); see the module's doc."""
    key = _key(request, required)
    if key is None:
        with transaction.atomic():
            return work()
    claimed = _claim(request.auth, key, request_hash(request))
    if isinstance(claimed, Response):
        return claimed
    try:
        with transaction.atomic():
            response = work()
    except BaseException:
        claimed.delete()
        raise
    if response.status_code >= 400:
        claimed.delete()
        return response
    claimed.state = IdempotencyState.DONE
    claimed.status = response.status_code
    claimed.body = json.loads(JSONRenderer().render(response.data) or b"null")
    claimed.finished_at = timezone.now()
    claimed.save(update_fields=["state", "status", "body", "finished_at"])
    return response
