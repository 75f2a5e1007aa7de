"""The shipped versions of each prescribed form, effective-dated: the sections they use, their commencement, the
source of the words held and what is still to confirm for a housing lawyer; installed where missing."""

from datetime import date

from django.db import transaction

from courts.constants import NoticeType
from courts.models import PrescribedForm
from incomeapp.law import shipped_rows_install

from .wording import (
    EXCLUDED_LICENCE_SECTIONS,
    FORM_3_SECTIONS,
    FORM_3A_SECTIONS,
    FORM_6A_SECTIONS,
    LICENCE_NTQ_SECTIONS,
    S128_SECTIONS,
    SECURE_NOSP_SECTIONS,
)

HELD_FROM = date(2021, 10, 1)  # as courts.law: the coronavirus notice periods and forms ended on 30 September 2021
RRA_PHASE_1 = date(2026, 5, 1)  # SI 2026/421: non-social assured tenancies only

_S83_SOURCE = (
    "Secure Tenancies (Notices) Regulations 1987 (SI 1987/755), Schedule, Part I form (periodic tenancies) as "
    "substituted and amended. Text held word for word from the copy at https://docsbay.net/notice-of-seeking-"
    "possession (secondary; cited in legal-spec R-SEC-02); the requirement: HA 1985 s83(2) (Shelter Legal 'Secure "
    "tenancy notice of seeking possession')."
)
_FORM_3_SOURCE = (
    "HA 1988 s8(3); Assured Tenancies and Agricultural Occupancies (Forms) (England) Regulations 2015 (SI 2015/620), "
    "Form 3. Title and statutory heading held word for word from the copy at https://docest.com/doc/460134 "
    "(secondary). gov.uk 'Assured tenancy forms' "
    "(https://www.gov.uk/government/publications/notice-seeking-possession-of-a-property-let-on-an-assured-shorthold-"
    "tenancy): social housing assured tenancies keep the old forms, 'now called the forms for social housing assured "
    "tenancies'."
)
_FORM_3_TO_CONFIRM = (
    "Held word for word: only the title and the statutory heading (from a secondary copy of the 2015-16 version). "
    "Missing: the landlord's guidance notes; the text of sections 1 to 7 as printed (we use our own words in the "
    "form's order: to, landlord intends, grounds in full, particulars, date, signature); the notes to the tenant; "
    "the Breathing Space wording added from 4 May 2021. The gov.uk guidance note is titled 'Notice of intention to "
    "begin proceedings for possession of a property in England let on an Assured Tenancy or an Assured Agricultural "
    "Occupancy (Form 3)': confirm which title the version in force carries. Replace every section with the current "
    "gov.uk Form 3 text before use."
)
_FORM_6A_SOURCE = (
    "HA 1988 s21; Assured Shorthold Tenancy Notices and Prescribed Requirements (England) Regulations 2015 "
    "(SI 2015/1646), Form 6A. Title, heading and sections 2 to 4 held word for word from the copies at "
    "https://www.scribd.com/document/420129170/Notice-seeking-possession and https://besmove.com/section21-form/ "
    "(secondary); the notes 'What to do if this notice is served on you' from besmove.com with line-break artefacts "
    "mended ('hasstarted', 'section 2below', 'fixedterm' and the like) and its back-quote apostrophes made straight."
)
_FORM_6A_TO_CONFIRM = (
    "Missing: the landlord's guidance at the top of the form (circumstances in which s21 cannot be used); the rest of "
    "the notes to the tenant after 'After this date the landlord can apply to court for a possession order against "
    "you.' (the s21C repayment of rent note, the advice sources, the note on deposits); the signature box labels as "
    "printed. The copies' section numbering (the address of premises in section 2) is followed as far as seen. "
    "Confirm the version in force (amendments from 2019 and by the Renters' Rights Act 2025 transitional rules) "
    "against the gov.uk form for social housing assured tenancies."
)

PRESCRIBED_FORMS: list[dict] = [
    dict(
        code="secure-nosp", notice_type=NoticeType.SECURE_NOSP, title="Notice of Seeking Possession",
        version="SI 1987/755 Part I form (periodic secure tenancy), as amended; for notices served from 1 October 2021",
        effective_from=HELD_FROM, sections=SECURE_NOSP_SECTIONS,
        commencement="Secure Tenancies (Notices) Regulations 1987 (SI 1987/755), form as substituted by SI 1997/71; "
        "the coronavirus versions (for example SI 2021/946) applied only to notices served up to 30 September 2021.",
        source=_S83_SOURCE,
        to_confirm="Held word for word: the heading, the opening, paragraphs 1 to 4 with their notes, and the first "
        "sentence of the reasonableness note. Missing from the copy found: the rest of the reasonableness note, the "
        "notes on suitable alternative accommodation (Grounds 9 to 16; not relied on for Ground 1), paragraph 5 (the "
        "date after which proceedings may be begun) and its notes on the 12 months, and the signature block as "
        "printed: those parts are in our words. Confirm the amendment in force for Ground 1 notices served now "
        "(SI 1997/71, SI 2004/1627, the 2014 amendments for s84A) and the text of paragraph 5.",
    ),
    dict(
        code="form-3-social", notice_type=NoticeType.ASSURED_S8, title="Notice seeking possession (Form 3)",
        version="Form 3 for social housing assured tenancies (pre-Renters' Rights Act)", effective_from=HELD_FROM,
        sections=FORM_3_SECTIONS,
        commencement="SI 2015/620 Form 3, as amended; in force for social housing assured tenancies until the "
        "Renters' Rights Act regime is commenced for them (2027 at the earliest, gov.uk; no date legislated).",
        source=_FORM_3_SOURCE, to_confirm=_FORM_3_TO_CONFIRM,
    ),
    dict(
        code="form-3", notice_type=NoticeType.ASSURED_S8, title="Notice seeking possession (Form 3)",
        version="Form 3 for other landlords (pre-Renters' Rights Act)", effective_from=HELD_FROM,
        effective_to=date(2026, 4, 30), sections=FORM_3_SECTIONS,
        commencement="SI 2015/620 Form 3, as amended; replaced by Form 3A for assured tenancies that are not social "
        "housing from 1 May 2026 (SI 2026/421).",
        source=_FORM_3_SOURCE, to_confirm=_FORM_3_TO_CONFIRM,
    ),
    dict(
        code="form-3a", notice_type=NoticeType.ASSURED_S8, title="Notice seeking possession (Form 3A)",
        version="Form 3A (Renters' Rights Act 2025 Phase 1), assured tenancies that are not social housing",
        effective_from=RRA_PHASE_1, sections=FORM_3A_SECTIONS,
        commencement="Renters' Rights Act 2025 Phase 1, SI 2026/421, 1 May 2026 (non-social assured tenancies).",
        source="gov.uk 'Assured tenancy forms' (forms for properties rented out privately, from 1 May 2026); "
        "legal-spec §1, §2.3; officedraft.com; letsafeuk.co.uk (secondary guides: no copy of the form's text found).",
        to_confirm="No copy of Form 3A's text was found: nothing here is held as prescribed. Every section is our "
        "wording in the order of Form 3 (to, landlord intends, grounds in full, particulars, date, signature). The "
        "whole form (its title, sections, notes to the tenant and the landlord's particulars) must be entered from "
        "the gov.uk form before a notice is served on it.",
    ),
    dict(
        code="form-6a-social", notice_type=NoticeType.S21, title="Notice seeking possession (Form 6A)",
        version="Form 6A for social housing assured shorthold tenancies", effective_from=HELD_FROM,
        sections=FORM_6A_SECTIONS,
        commencement="SI 2015/1646 Form 6A (1 October 2015), as amended; still used for social housing assured "
        "shorthold tenancies (gov.uk: the changes apply to them 2027 at the earliest).",
        source=_FORM_6A_SOURCE, to_confirm=_FORM_6A_TO_CONFIRM,
    ),
    dict(
        code="form-6a", notice_type=NoticeType.S21, title="Notice seeking possession (Form 6A)",
        version="Form 6A for other landlords", effective_from=HELD_FROM, effective_to=date(2026, 4, 30),
        sections=FORM_6A_SECTIONS,
        commencement="SI 2015/1646 Form 6A; section 21 abolished for assured tenancies that are not social housing "
        "from 1 May 2026 (SI 2026/421).",
        source=_FORM_6A_SOURCE, to_confirm=_FORM_6A_TO_CONFIRM,
    ),
    dict(
        code="s128", notice_type=NoticeType.INTRO_S128, title="Notice of proceedings for possession",
        version="Required content of HA 1996 s128 (no prescribed form)", effective_from=HELD_FROM,
        sections=S128_SECTIONS, commencement="Housing Act 1996 s128 (in force since 12 February 1997).",
        source="legal-spec R-INT-02: HA 1996 s128 as summarised by Shelter Legal 'Landlord's notice to end an "
        "introductory tenancy'; Introductory Tenants (Review) Regulations 1997 (SI 1997/72); Islington LBC v Dyer "
        "[2017] EWCA Civ 150 (the notice may be more than one document read together).",
        to_confirm="Not a prescribed form: the sections are our words for each required item (court will be asked, "
        "reasons, date, the 14-day review right with a hearing, where to get help). Confirm the wording of s128(3)-(6) "
        "and that the advice sources meet s128(7).",
    ),
    dict(
        code="licence-ntq", notice_type=NoticeType.LICENCE_NTQ, title="Notice to quit (licence)",
        version="SI 1988/2201 prescribed information", effective_from=HELD_FROM, sections=LICENCE_NTQ_SECTIONS,
        commencement="Protection from Eviction Act 1977 s5(1A) (periodic licences, from 15 January 1989); Notices to "
        "Quit etc. (Prescribed Information) Regulations 1988 (SI 1988/2201), in force 9 January 1989.",
        source="SI 1988/2201 Schedule, as reproduced by legalally.co.uk and do-it.org.uk (legal-spec R-LIC-01) and "
        "the copy at http://www.docstoc.com/docs/107063451 (secondary; paragraph 1 identical, paragraph 2 with two "
        "copying slips: 'notice to quit to determine', 'Citizen's').",
        to_confirm="The prescribed information is held word for word from secondary copies; confirm against SI "
        "1988/2201 on legislation.gov.uk. The notice's own wording (the date it takes effect, the period rule) is "
        "ours; whether a licence notice must end on a period boundary is common law [B].",
    ),
    dict(
        code="excluded-licence-letter", notice_type=NoticeType.EXCLUDED_LICENCE,
        title="Notice ending an excluded licence", version="Our letter (no prescribed form)",
        effective_from=HELD_FROM, sections=EXCLUDED_LICENCE_SECTIONS,
        commencement="Protection from Eviction Act 1977 s3A: an excluded licence needs reasonable notice; no form "
        "or information is prescribed.",
        source="legal-spec R-LIC-02 (Shelter Legal 'Excluded occupiers'; magna.org.uk policy: 28 days' notice).",
        to_confirm="Not prescribed: our letter. It gives reasonable notice (28 days by default, NoticeRule min_days) "
        "and deliberately says nothing about the courts. Confirm that 28 days is reasonable for your licences.",
    ),
]  # fmt: skip


@transaction.atomic
def prescribed_forms_install(model=PrescribedForm) -> int:
    """Adds the shipped form versions that are missing (safe to repeat; a migration passes its own model)."""
    return shipped_rows_install(model, PRESCRIBED_FORMS, keys=("code", "effective_from"))
