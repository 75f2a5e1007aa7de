"""The prescribed forms of possession notice (and, where the law prescribes content but no form, that content) as
effective-dated data: each form's sections in order, the notes to the tenant word for word as far as a copy of the
official text was found, where the particulars go, its source and commencement. A notice uses the version in force on
its date of service (`prescribed_form_for`); a change in the law is a new row with a later `effective_from`.

Each section is {key, heading, text, prescribed, block}: `text` may hold {placeholders} for the particulars (see
`PLACEHOLDERS`); `prescribed` is True only where the text is held word for word from a copy of the prescribed form or
regulations (cited in `source`); other sections are ours, giving what the law requires in plain English, and what is
missing from the held text is listed in `to_confirm` for a housing lawyer. `block` names a part the template fills in
full (the grounds, the particulars with the 13-week schedule).

The prescribed forms are in three parts:

- `wording`: each form's sections, word for word where a copy of the official text was found, and `PLACEHOLDERS`.
- `versions`: each version with its source, commencement and what is still to confirm (`PRESCRIBED_FORMS`), and
  `prescribed_forms_install`, which adds the missing ones.
- `in_force`: the version in force on the date of service (`prescribed_form_for`), its sections with the particulars
  filled in (`notice_sections`), and the fixed words for checking a rendered notice (`section_fragments`).
"""

from .in_force import FORM_CODES, notice_sections, prescribed_form_for, section_fragments
from .versions import HELD_FROM, PRESCRIBED_FORMS, RRA_PHASE_1, prescribed_forms_install
from .wording import (
    EXCLUDED_LICENCE_SECTIONS,
    FORM_3_SECTIONS,
    FORM_3A_SECTIONS,
    FORM_6A_SECTIONS,
    LICENCE_NTQ_SECTIONS,
    NTQ_PRESCRIBED_1,
    NTQ_PRESCRIBED_2,
    PLACEHOLDERS,
    S128_SECTIONS,
    SECURE_NOSP_SECTIONS,
)

__all__ = [
    "EXCLUDED_LICENCE_SECTIONS",
    "FORM_3A_SECTIONS",
    "FORM_3_SECTIONS",
    "FORM_6A_SECTIONS",
    "FORM_CODES",
    "HELD_FROM",
    "LICENCE_NTQ_SECTIONS",
    "NTQ_PRESCRIBED_1",
    "NTQ_PRESCRIBED_2",
    "PLACEHOLDERS",
    "PRESCRIBED_FORMS",
    "RRA_PHASE_1",
    "S128_SECTIONS",
    "SECURE_NOSP_SECTIONS",
    "notice_sections",
    "prescribed_form_for",
    "prescribed_forms_install",
    "section_fragments",
]
