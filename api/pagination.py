"""Cursor pagination for every list: stable under inserts, so a data warehouse's nightly pull can walk the ledger from
where it stopped (`next` is the address of the following page; keep it to resume).

A cursor or page size that cannot be read is a 400 problem (never a 500, never silently ignored)."""

import re

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

MAX_ID = 2**63 - 1
_CURSOR = re.compile(r"[A-Za-z0-9+/]+={0,2}")  # what encode_cursor gives: base64
BAD_CURSOR = (
    "The cursor is not one this list gave. Use the `next` or `previous` address exactly as it came, or leave the "
    "cursor out to start from the beginning."
)


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        raw = values[0].strip() if len(values) == 1 else ("" if not values else None)
        if raw == "":
            return self.page_size
        if raw is None or not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"page_size must be a whole number from 1 to {self.max_page_size}, sent once."
                    ]
                }
            )
        return int(raw)

    def decode_cursor(self, request):
        if len(request.query_params.getlist(self.cursor_query_param)) > 1:
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]})
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and encoded.strip() == "":
            return None  # an empty value is as if not sent
        if encoded is not None and not _CURSOR.fullmatch(encoded):
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]})
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]}) from None
        if cursor is not None and cursor.position is not None and not self._position_readable(cursor.position):
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]})
        return cursor

    def _position_readable(self, position: str) -> bool:
        """The cursor's position is compared with the ordering field in the database: it must be a value of it."""
        field_name = self.ordering[0].lstrip("-")
        model = getattr(self, "_model", None)
        if model is None or "__" in field_name or "\x00" in position:
            return "\x00" not in position
        try:
            field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
            value = field.to_python(position)
        except (FieldDoesNotExist, DjangoValidationError, TypeError, ValueError, OverflowError):
            return False
        return not isinstance(value, int) or -MAX_ID - 1 <= value <= MAX_ID

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "Where to carry on from: use the `next` (or `previous`) address a page gave, as it is. Leave out "
                    "for the first page."
                )
            elif parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"How many results a page holds: 1 to {self.max_page_size} (default {self.page_size})."
                )
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters
