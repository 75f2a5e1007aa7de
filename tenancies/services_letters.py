"""A letter to one named tenant, made the way every tenant's letter is: their name merged in and on the envelope, in
large print when they asked for it, and posted or (when they chose email) emailed."""

from documents.constants import DeliveryState
from documents.models import Document, LetterTemplateVersion
from documents.services import letter_make

from .models import Person


def tenant_letter_make(
    *,
    version: LetterTemplateVersion,
    values: dict[str, str],
    person: Person,
    address: list[str],
    landlord: dict,
    reference: str,
    subject_key: str,
    idempotency_key: str | None = None,
    made_by=None,
    made_by_run: str = "",
) -> Document:
    """One tenant's letter from the template `version`, to `address`: waiting to be printed, or to be emailed to a
    tenant who chose email (the caller sends it). Raises ValidationError as `letter_make` does."""
    return letter_make(
        version=version,
        values={**values, "tenant_name": person.full_name},
        landlord=landlord,
        recipient={"name": person.full_name, "address_lines": address},
        reference=reference,
        subject_key=subject_key,
        idempotency_key=idempotency_key,
        made_by=made_by,
        made_by_run=made_by_run,
        large_print="large print" in person.communication_adjustments.lower(),
        delivery_state=DeliveryState.TO_EMAIL if person.wants_email else DeliveryState.TO_PRINT,
    )
