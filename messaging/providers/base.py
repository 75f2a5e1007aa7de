"""What every provider does. A provider raises `TemporaryError` for what may work later (rate limit, a timeout, a
server error: the sender backs off and tries again) and `PermanentError` for what never will (a refused number, a bad
key: the message is failed with the provider's reason in plain words)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass


class ProviderError(Exception):
    pass


class TemporaryError(ProviderError):
    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(ProviderError):
    pass


@dataclass(frozen=True)
class Accepted:
    provider_ref: str
    # True when acceptance is all that will ever be known (an email handed to the product's own mail server has no
    # delivery report): the message is recorded delivered at once.
    delivered: bool = False


class Provider(ABC):
    name = ""

    @abstractmethod
    def send(self, message) -> Accepted:
        """Hands `message` (a messaging.models.Message) to the provider, with `reference` = the message's
        idempotency key, so that `find` can tell later whether it arrived."""

    @abstractmethod
    def find(self, reference: str) -> str | None:
        """The provider's id for a message it holds with our `reference`, or None: how a message whose worker died
        between sending and recording is found, so it is never sent twice."""
