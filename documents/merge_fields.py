"""Merge fields: the only names a letter template may use, each with what it means. Pure.

A template is plain text written by an Income Manager: paragraphs separated by blank lines, merge fields written
`{{ tenant_name }}`. Nothing else of Django's template language is allowed (no tags, filters or attributes), so a
template cannot reach data it should not, and a typing slip is refused before anything is saved.
"""

import re
from html import escape

MERGE_FIELDS = {
    "tenant_name": "The named tenant the letter is addressed to (one letter per named tenant).",
    "tenant_names": "Every named tenant, joined with 'and'.",
    "address": "The home's address on one line.",
    "payment_reference": "The tenancy's payment reference.",
    "balance": "What is owed today, in pounds (for example £412.50); under a Breathing Space, only the new arrears.",
    "moratorium_note": "Under a Breathing Space: the letter is about new arrears only, and what is held; else empty.",
    "weekly_rent": "A week's rent on the arrears policy's weeks basis, in pounds.",
    "arrears_weeks": "What is owed, in weeks (for example 4.1); follow it with weeks_basis.",
    "weeks_basis": "What those weeks are of: 'weeks of rent' or 'weeks of rent and all charges'.",
    "agreement_amount": "The agreed amount towards the arrears, in pounds.",
    "agreement_frequency": "How often it is paid (weekly, fortnightly, every 4 weeks, monthly).",
    "agreement_start": "The date of the first agreed payment.",
    "officer_name": "The income officer's name.",
    "officer_phone": "The income officer's phone number.",
    "landlord_name": "The landlord's name.",
    "today": "Today's date (for example 30 November 2026).",
    # The rent change letter (lifecycle.rent_change).
    "rent_change_date": "The day the new charges start (for example 5 April 2027).",
    "charges_before": "Each charge before the change with its amount, one per line.",
    "charges_after": "Each charge from the change with its amount, one per line.",
    "charge_changes": "Each charge that changes: now, from the date, and by how much, one per line.",
    "total_before": "Everything due each rent period before the change (for example £105.00 a week).",
    "total_after": "Everything due each rent period from the change.",
    "total_change": "The difference in words (for example 'an increase of £3.15 a week').",
    # The sign-up letter (lifecycle.signup).
    "start_date": "The day the tenancy starts (for example 6 April 2027).",
    "tenure": "The kind of tenancy or licence, in words (for example assured tenancy).",
    "rent_breakdown": "Each charge and what it comes to each rent period, one per line, then the total.",
    "rent_total": "All the charges together each rent period (for example £105.00 a week).",
    "first_payment": "The first payment: what is due for the first (part) period, by day, and when; then each period.",
    "how_to_pay": "How the tenant pays: their direct debit, or the way to pay quoting the payment reference.",
    # Invoice letters for rechargeable repairs and sundry debts (rentaccounts.services.invoices).
    "invoice_number": "The invoice's number (for example RCH-000012).",
    "invoice_for": "What the invoice is for, as the officer wrote it.",
    "invoice_amount": "The invoice's amount, in pounds.",
    "invoice_date": "Recharges: when the repair was done. Sundry debts: when it fell due.",
    "job_reference": "Recharges: the repair job's reference.",
    "sundry_kind": "Sundry debts: what kind of debt it is (for example storage).",
    "payment_order": "What a payment to the tenancy pays first, then next, in the configured order.",
    # Former tenants' and sundry ladder letters (arrears.letters).
    "amount_due": "What the letter asks for: the balance less any part out of time or covered by an insolvency order.",
    "debt_for": "What the debt is for: former rent at the address, or the recharge or sundry invoices unpaid.",
}

_FIELD = re.compile(r"{{\s*([^{}]*?)\s*}}")
_NAME = re.compile(r"^[a-z_]+$")


class TemplateError(ValueError):
    """A template that cannot be used; the message names what is wrong and lists the merge fields."""


def fields_used(text: str) -> list[str]:
    """The merge fields a template uses, in order. Refuses unknown names and anything that is not a plain field."""
    if "{%" in text or "%}" in text:
        raise TemplateError("Templates cannot contain {% … %}. Use only merge fields such as {{ tenant_name }}.")
    used, unknown = [], []
    for raw in _FIELD.findall(text):
        if not _NAME.match(raw) or raw not in MERGE_FIELDS:
            unknown.append(raw)
        elif raw not in used:
            used.append(raw)
    leftover = _FIELD.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        raise TemplateError("A merge field is not closed: write it as {{ tenant_name }}.")
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        verb = "is not a merge field" if len(unknown) == 1 else "are not merge fields"
        raise TemplateError(
            f"The template uses {names}, which {verb}. The merge fields are: {', '.join(MERGE_FIELDS)}."
        )
    return used


def merge(text: str, values: dict[str, str]) -> str:
    """The template as HTML paragraphs with the values filled in; both the text and the values are escaped."""
    missing = [name for name in fields_used(text) if name not in values]
    if missing:
        raise TemplateError(f"No value for {', '.join(missing)} in this case; the letter cannot be made.")
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    html = []
    for paragraph in paragraphs:
        pieces, last = [], 0
        for match in _FIELD.finditer(paragraph):
            pieces.append(escape(paragraph[last : match.start()]))
            pieces.append(escape(str(values[match.group(1)])))
            last = match.end()
        pieces.append(escape(paragraph[last:]))
        html.append("<p>" + "".join(pieces).replace("\n", "<br>") + "</p>")
    return "\n".join(html)


def fill(text: str, values: dict[str, str]) -> str:
    """A one-line template (a letter's heading) with its values, as plain text: the page template escapes it."""
    missing = [name for name in fields_used(text) if name not in values]
    if missing:
        raise TemplateError(f"No value for {', '.join(missing)} in this case; the letter cannot be made.")
    return _FIELD.sub(lambda match: str(values[match.group(1)]), text)
