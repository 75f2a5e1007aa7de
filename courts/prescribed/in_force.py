"""The version of a notice's prescribed form in force on its date of service, for its notice type and sector, and
the form's sections with the particulars filled in."""

from datetime import date

from django.core.exceptions import ValidationError

from courts.constants import NoticeType, Sector
from courts.models import PrescribedForm

from .wording import PLACEHOLDERS

# Which form codes serve a notice type for a sector; Sector.ANY rules (secure, introductory, licences) have one form.
FORM_CODES: dict[str, dict[str, tuple[str, ...]]] = {
    NoticeType.SECURE_NOSP: {Sector.ANY: ("secure-nosp",)},
    NoticeType.ASSURED_S8: {Sector.SOCIAL: ("form-3-social",), Sector.NON_SOCIAL: ("form-3", "form-3a")},
    NoticeType.S21: {Sector.SOCIAL: ("form-6a-social",), Sector.NON_SOCIAL: ("form-6a",)},
    NoticeType.INTRO_S128: {Sector.ANY: ("s128",)},
    NoticeType.LICENCE_NTQ: {Sector.ANY: ("licence-ntq",)},
    NoticeType.EXCLUDED_LICENCE: {Sector.ANY: ("excluded-licence-letter",)},
}


def prescribed_form_for(*, notice_type: str, sector: str, on: date) -> PrescribedForm:
    """The version of the notice's prescribed form (or required content) in force on the date of service. Refuses,
    in plain English, when none is held (R-SEC-02, R-AST-04, R-AST-05, R-INT-02, R-LIC-01)."""
    by_sector = FORM_CODES.get(notice_type, {})
    codes = by_sector.get(sector) or by_sector.get(Sector.ANY)
    if codes is None and sector == Sector.ANY:
        codes = tuple(code for sector_codes in by_sector.values() for code in sector_codes)
    forms = list(
        PrescribedForm.objects.filter(notice_type=notice_type, code__in=codes or (), effective_from__lte=on).exclude(
            effective_to__lt=on
        )
    )
    if len(forms) != 1:
        label = NoticeType(notice_type).label if notice_type in NoticeType.values else notice_type
        problem = "No prescribed form is held" if not forms else "More than one prescribed form is in force"
        raise ValidationError(
            f"{problem} for a {label} served on {on:%-d %B %Y}: a "
            "notice not in the prescribed form can be struck out. Add the form in force on that date under Admin > "
            "Prescribed forms, or take legal advice."
        )
    return forms[0]


def _paragraphs(text: str, values: dict[str, str]) -> list[str]:
    """Plain text lines (the template escapes them)."""
    return [line for line in text.format_map(values).split("\n") if line.strip()]


def notice_sections(*, form: PrescribedForm, values: dict[str, str]) -> list[dict]:
    """The form's sections in order with the particulars filled in (the template escapes them)."""
    missing = {key: "" for key in PLACEHOLDERS if key not in values}
    return [{**section, "paragraphs": _paragraphs(section["text"], {**missing, **values})} for section in form.sections]


def section_fragments(text: str) -> list[str]:
    """The fixed words of a section's text (the parts between placeholders), for checking a rendered notice."""
    fragments, rest = [], text
    while "{" in rest:
        head, _, tail = rest.partition("{")
        fragments.append(head)
        rest = tail.partition("}")[2]
    fragments.append(rest)
    return [" ".join(f.split()) for f in fragments if f.strip()]
