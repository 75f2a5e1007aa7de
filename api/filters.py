"""Strict reading of a list's query filters: a value that cannot be read is a 400 problem naming the parameter and
what it should look like, never a 500 and never silently ignored (docs/api.md). An empty value is as if not sent."""

import re
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError

MAX_ID = 2**63 - 1
MAX_TEXT = 100
MOST_OFFSET = timedelta(hours=14)  # the widest real time zone offset; PostgreSQL refuses offsets past 15:59
# "+01:00" in an address that was not URL-encoded arrives as " 01:00".
_SPACE_OFFSET = re.compile(r" (\d\d:?\d\d)$")


class QueryFilters:
    """Reads one request's query parameters; `errors` gathers every bad one, so a client hears of all of them at
    once when `raise_if_bad()` is called."""

    def __init__(self, request):
        self.params = request.query_params
        self.errors: dict[str, list[str]] = {}

    def _raw(self, name: str) -> str | None:
        values = self.params.getlist(name)
        if len(values) > 1:
            self.errors[name] = [f"Send {name} once: it was sent {len(values)} times."]
            return None
        value = values[0].strip() if values else ""
        if not value:
            return None
        if "\x00" in value:
            self.errors[name] = [f"{name} has a character that cannot be in it (NUL). Send plain text."]
            return None
        return value

    def text(self, name: str, *, max_length: int = MAX_TEXT) -> str | None:
        value = self._raw(name)
        if value is not None and len(value) > max_length:
            self.errors[name] = [f"{name} is too long: at most {max_length} characters."]
            return None
        return value

    def choice(self, name: str, choices: list[str]) -> str | None:
        value = self._raw(name)
        if value is not None and value not in choices:
            self.errors[name] = [f"{value[:40]!r} is not a {name} we know. Use one of: {', '.join(choices)}."]
            return None
        return value

    def integer(self, name: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
        value = self._raw(name)
        if value is None:
            return None
        if not value.isascii() or not value.isdigit() or not minimum <= int(value) <= maximum:
            self.errors[name] = [f"{name} must be a whole number from {minimum} to {maximum}."]
            return None
        return int(value)

    def day(self, name: str) -> date | None:
        value = self._raw(name)
        if value is None:
            return None
        try:
            parsed = parse_date(value)
        except ValueError:
            parsed = None
        if parsed is None:
            self.errors[name] = [f"{name} must be a date written YYYY-MM-DD, for example 2026-04-06."]
        return parsed

    def moment(self, name: str) -> datetime | None:
        """An ISO 8601 date and time; one without an offset is read as UK time (Europe/London)."""
        value = self._raw(name)
        if value is None:
            return None
        try:
            parsed = parse_datetime(_SPACE_OFFSET.sub(r"+\1", value))
        except ValueError:
            parsed = None
        if parsed is None:
            self.errors[name] = [
                f"{name} must be a date and time in ISO 8601, for example 2026-04-06T02:00:00Z "
                "(URL-encode a + in an offset as %2B)."
            ]
            return None
        try:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            offset = parsed.utcoffset()
            if offset is None or abs(offset) > MOST_OFFSET:
                raise ValueError
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            self.errors[name] = [f"{name} must have a time zone offset between -12:00 and +14:00, or Z."]
            return None

    def raise_if_bad(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
