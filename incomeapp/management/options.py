"""What the management commands read from their options the same way."""

from datetime import date

from django.core.management.base import CommandError


def date_option(given: str | None, option: str, *, like: str, default: date | None = None) -> date:
    """A command's date option, written YYYY-MM-DD, as a date; `default` when the option was not given. A date written
    another way stops the command with an example: "Give --week-ending as a date like 2026-11-29."."""
    if not given and default is not None:
        return default
    try:
        return date.fromisoformat(given)
    except (TypeError, ValueError) as error:  # TypeError: called without the option and without a default
        raise CommandError(f"Give {option} as a date like {like}.") from error
