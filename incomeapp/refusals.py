"""A service's refusal on the page a button leads to: the service raises ValidationError with a plain-English reason and
the next page shows that reason in its error banner. The one way every such button shows a refusal."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


@contextmanager
def refusal_shown(request: HttpRequest) -> Iterator[None]:
    """Runs the block; when a service in it refuses (ValidationError), the rest of the block is skipped and the
    refusal's first reason becomes the next page's error banner. The code after the block runs either way, so a view
    that returns inside the block on success reaches the code after it only when refused."""
    try:
        yield
    except ValidationError as error:
        messages.error(request, error.messages[0])
