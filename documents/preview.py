"""Previewing a template on a real case. The documents app knows no domain app, so the arrears app registers the
function that turns a payment reference into merge values, a recipient and the landlord (in its AppConfig.ready)."""

from collections.abc import Callable

PreviewContext = tuple[dict[str, str], dict, dict]  # merge values, recipient, landlord
_provider: Callable[[str], PreviewContext] | None = None


def provider_register(provider: Callable[[str], PreviewContext]) -> None:
    global _provider  # one registration, at start-up
    _provider = provider


def preview_context(reference: str) -> PreviewContext:
    """Raises LookupError with a plain message when no case can be found for the reference."""
    if _provider is None:
        raise LookupError("Previews on a case are not available: the arrears app is not installed.")
    return _provider(reference)


# A made-up tenant and landlord for a preview when no case is chosen: every merge field has a value, so any template
# that can be saved can be seen as a letter.
SAMPLE_REFERENCE = "RW000000"
SAMPLE_RECIPIENT = {"name": "Sam Sample", "address_lines": ["Flat 4, 12 Example Street", "Anytown", "AB1 2CD"]}
SAMPLE_LANDLORD = {
    "name": "Example Housing Association",
    "address_lines": ["1 High Street", "Anytown", "AB1 0AA"],
    "phone": "0300 123 4567",
}
SAMPLE_VALUES = {
    "tenant_name": "Sam Sample",
    "tenant_names": "Sam Sample and Alex Sample",
    "address": "Flat 4, 12 Example Street, Anytown, AB1 2CD",
    "payment_reference": SAMPLE_REFERENCE,
    "balance": "£412.50",
    "moratorium_note": "",
    "weekly_rent": "£102.40",
    "arrears_weeks": "4.0",
    "weeks_basis": "weeks of rent",
    "agreement_amount": "£10.00",
    "agreement_frequency": "weekly",
    "agreement_start": "7 December 2026",
    "officer_name": "Jo Officer",
    "officer_phone": "0300 123 4568",
    "landlord_name": "Example Housing Association",
    "today": "",  # filled with today's date when the preview is made
    "rent_change_date": "5 April 2027",
    "charges_before": "Rent: £95.00\nService charge: £7.40",
    "charges_after": "Rent: £98.00\nService charge: £7.55",
    "charge_changes": "Rent: £95.00 now, £98.00 from 5 April 2027, up £3.00",
    "total_before": "£102.40 a week",
    "total_after": "£105.55 a week",
    "total_change": "an increase of £3.15 a week",
    "start_date": "6 April 2027",
    "tenure": "assured tenancy",
    "rent_breakdown": "Rent: £95.00 a week\nService charge: £7.40 a week\nTotal: £102.40 a week",
    "rent_total": "£102.40 a week",
    "first_payment": "£43.89 for 6 to 8 April 2027, due on 6 April 2027; then £102.40 each week",
    "how_to_pay": f"Pay by bank transfer, quoting your payment reference {SAMPLE_REFERENCE}.",
    "invoice_number": "RCH-000012",
    "invoice_for": "Replacing a kitchen door damaged beyond fair wear and tear",
    "invoice_amount": "£85.00",
    "invoice_date": "2 December 2026",
    "job_reference": "JOB-4471",
    "sundry_kind": "garage or parking space",
    "payment_order": "rent, then court costs, then rechargeable repairs, then other charges such as this one",
    "amount_due": "£412.50",
    "debt_for": "rent and charges at Flat 4, 12 Example Street that were not paid before the tenancy ended",
}


def sample_context(today) -> PreviewContext:
    return {**SAMPLE_VALUES, "today": f"{today:%-d %B %Y}"}, SAMPLE_RECIPIENT, SAMPLE_LANDLORD


def template_preview(*, subject: str, body: str, reference: str = "", today) -> dict:
    """What a letter from this heading and text would say: on the case with `reference`, or on the sample tenant when
    none is given. Raises LookupError (no such case) or TemplateError (a merge field with no value)."""
    from .merge_fields import fill, merge

    values, recipient, landlord = preview_context(reference) if reference else sample_context(today)
    return {
        "title": fill(subject, values),
        "body_html": merge(body, values),
        "recipient": recipient,
        "landlord": landlord,
        "reference": values.get("payment_reference") or reference or SAMPLE_REFERENCE,
        "sample": not reference,
    }


def template_preview_pdf(*, subject: str, body: str, reference: str = "", today) -> bytes:
    """The preview as the PDF the tenant would get (the one renderer, dated today, not stored)."""
    from .rendering import letter_pdf

    preview = template_preview(subject=subject, body=body, reference=reference, today=today)
    return letter_pdf(
        title=preview["title"],
        landlord=preview["landlord"],
        recipient=preview["recipient"],
        reference=preview["reference"],
        dated=today,
        body_html=preview["body_html"],
    )
