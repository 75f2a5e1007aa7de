"""The prescribed forms of possession notice (and, where the law prescribes content but no form, that content) as
effective-dated data: each form's sections in order, the notes to the tenant word for word as far as a copy of the
official text was found, where the particulars go, its source and commencement. A notice uses the version in force on
its date of service (`prescribed_form_for`); a change in the law is a new row with a later `effective_from`.

Each section is {key, heading, text, prescribed, block}: `text` may hold {placeholders} for the particulars (see
`PLACEHOLDERS`); `prescribed` is True only where the text is held word for word from a copy of the prescribed form or
regulations (cited in `source`); other sections are ours, giving what the law requires in plain English, and what is
missing from the held text is listed in `to_confirm` for a housing lawyer. `block` names a part the template fills in
full (the grounds, the particulars with the 13-week schedule)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from .constants import NoticeType, Sector
from .models import PrescribedForm

HELD_FROM = date(2021, 10, 1)  # as courts.law: the coronavirus notice periods and forms ended on 30 September 2021
RRA_PHASE_1 = date(2026, 5, 1)  # SI 2026/421: non-social assured tenancies only

PLACEHOLDERS = (
    "tenant_names", "landlord", "landlord_address", "landlord_phone", "address", "ground_numbers", "served_on",
    "earliest_proceedings", "lapses_on", "review_by", "takes_effect", "notice_days", "signatory",
)  # fmt: skip


def _s(key: str, text: str, *, heading: str = "", prescribed: bool = False, block: str = "") -> dict:
    return {"key": key, "heading": heading, "text": text, "prescribed": prescribed, "block": block}


_SIGNATURE = _s(
    "signature",
    "Signed: {signatory}\nOn behalf of: {landlord}\nAddress: {landlord_address}\nTelephone: {landlord_phone}\n"
    "Date: {served_on}",
    heading="Signature and the landlord's details",
)

# --- Secure tenancies: HA 1985 s83, Secure Tenancies (Notices) Regulations 1987 (SI 1987/755) ----------------------
SECURE_NOSP_SECTIONS = [
    _s("title", "Housing Act 1985, section 83", heading="Notice of Seeking Possession", prescribed=True),
    _s(
        "intro",
        "This Notice is the first step towards requiring you to give up possession of your dwelling. You should read "
        "it very carefully.",
        prescribed=True,
    ),
    _s("para-1", "1. To {tenant_names}", prescribed=True),
    _s(
        "note-advice",
        "If you need advice about this Notice, and what you should do about it, take it as quickly as possible to a "
        "Citizens' Advice Bureau, a Housing Aid Centre, or a Law Centre, or to a Solicitor. You may be able to receive "
        "Legal Aid but this will depend on your personal circumstances.",
        prescribed=True,
    ),
    _s(
        "para-2",
        "2. The {landlord} intends to apply to the Court for an order requiring you to give up possession of: "
        "{address}",
        prescribed=True,
    ),
    _s(
        "note-court-order",
        "If you are a secure tenant under the Housing Act 1985, you can only be required to leave your dwelling if "
        "your landlord obtains an order for possession from the Court. The order must be based on one of the Grounds "
        "which are set out in the 1985 Act (see paragraphs 3 and 4 below)",
        prescribed=True,
    ),
    _s(
        "note-leave",
        "If you are willing to give up possession without a Court order, you should notify the person who signed this "
        "Notice as soon as possible and say when you would leave.",
        prescribed=True,
    ),
    _s(
        "para-3",
        "3. Possession will be sought on Ground(s) {ground_numbers} of Schedule 2 to the Housing Act 1985, which "
        "reads:—",
        prescribed=True,
        block="grounds",
    ),
    _s(
        "note-other-grounds",
        "Whatever Grounds for possession are set out in paragraph 3 of this Notice, the Court may allow any of the "
        "other Grounds to be added at a later stage. If this is done, you will be told about it so you can argue at "
        "the hearing in Court about the new Ground, as well as the Grounds set out in paragraph 3, if you want to.",
        prescribed=True,
    ),
    _s("para-4", "4. Particulars of each Ground are as follows:—", prescribed=True, block="particulars"),
    _s(
        "note-reasonable",
        "Before the Court will grant an order on any of the Grounds 1 to 8 or 12 to 16, it must be satisfied that it "
        "is reasonable to require you to leave.",
        prescribed=True,
    ),
    _s(
        "note-reasonable-ours",
        "So if Ground 1 is set out in paragraph 3 of this Notice, you can argue at the hearing that it is not "
        "reasonable for you to have to leave, even if you accept that the Ground applies.",
    ),
    _s("para-5", "5. Court proceedings will not begin until after {earliest_proceedings}."),
    _s(
        "lapse",
        "This Notice lapses on {lapses_on}: court proceedings cannot be begun on it after that date, and a new Notice "
        "would have to be served.",
    ),
    _SIGNATURE,
]

# --- Assured tenancies: HA 1988 s8, Form 3 (Assured Tenancies and Agricultural Occupancies (Forms) (England)
# Regulations 2015, SI 2015/620, as amended) --------------------------------------------------------------------------
FORM_3_SECTIONS = [
    _s(
        "title",
        "Housing Act 1988 Section 8 as amended by Section 151 of the Housing Act 1996 and section 97 of the "
        "Anti-social Behaviour, Crime and Policing Act 2014",
        heading="Notice Seeking Possession of a Property Let on an Assured Tenancy or an Assured Agricultural "
        "Occupancy",
        prescribed=True,
    ),
    _s("form", "Form 3"),
    _s("para-1", "1. To: {tenant_names}"),
    _s(
        "para-2",
        "2. Your landlord, {landlord}, intends to apply to the court for an order requiring you to give up possession "
        "of: {address}",
    ),
    _s(
        "para-3",
        "3. Your landlord intends to seek possession on Ground(s) {ground_numbers} in Schedule 2 to the Housing Act "
        "1988, which read(s):",
        block="grounds",
    ),
    _s("para-4", "4. Particulars of each ground are as follows:", block="particulars"),
    _s(
        "para-5",
        "5. The court proceedings will not begin until after {earliest_proceedings}. They cannot be begun later than "
        "12 months from the date on which this notice is served: after {lapses_on} this notice cannot be relied on.",
    ),
    _s(
        "note-grounds",
        "Where the court makes an order for possession on a mandatory ground (Ground 8), it must order possession if "
        "the ground is proved. On a discretionary ground (Grounds 10 and 11) the court must also be satisfied that it "
        "is reasonable to make the order.",
    ),
    _SIGNATURE,
]

FORM_3A_SECTIONS = [
    _s("form", "Form 3A", heading="Notice seeking possession of a property let on an assured tenancy"),
    _s("basis", "Housing Act 1988, section 8, as amended by the Renters' Rights Act 2025"),
    _s("para-1", "1. To: {tenant_names}"),
    _s(
        "para-2",
        "2. Your landlord, {landlord}, intends to apply to the court for an order requiring you to give up possession "
        "of: {address}",
    ),
    _s(
        "para-3",
        "3. Your landlord intends to seek possession on Ground(s) {ground_numbers} in Schedule 2 to the Housing Act "
        "1988, which read(s):",
        block="grounds",
    ),
    _s("para-4", "4. Particulars of each ground are as follows:", block="particulars"),
    _s(
        "para-5",
        "5. The court proceedings will not begin until after {earliest_proceedings}. They cannot be begun later than "
        "12 months from the date on which this notice is served: after {lapses_on} this notice cannot be relied on.",
    ),
    _SIGNATURE,
]

# --- Section 21: Form 6A (Assured Shorthold Tenancy Notices and Prescribed Requirements (England) Regulations 2015,
# SI 2015/1646, as amended) ------------------------------------------------------------------------------------------
FORM_6A_SECTIONS = [
    _s(
        "title",
        "Housing Act 1988 section 21(1) and (4) as amended by section 194 and paragraph 103 of Schedule 11 to the "
        "Local Government and Housing Act 1989 and section 98(2) and (3) of the Housing Act 1996",
        heading="Notice seeking possession of a property let on an Assured Shorthold Tenancy",
        prescribed=True,
    ),
    _s("form", "Form 6A"),
    _s("para-1", "To: {tenant_names}", heading="1. Name(s) of tenant(s)"),
    _s(
        "para-2",
        "You are required to leave the below address after {earliest_proceedings}. If you do not leave, your "
        "landlord may apply to the court for an order under section 21(1) or (4) of the Housing Act 1988 requiring "
        "you to give up possession.",
        heading="2.",
        prescribed=True,
    ),
    _s("address", "Address of premises: {address}"),
    _s(
        "para-3",
        "This notice is valid for six months only from the date of issue unless you have a periodic tenancy under "
        "which more than two months' notice is required (see notes accompanying this form) in which case this "
        "notice is valid for four months only from the date specified in section 2 above.",
        heading="3.",
        prescribed=True,
    ),
    _s(
        "para-4",
        "To be signed and dated by the landlord or their agent (someone acting for them). If there are joint "
        "landlords each landlord or the agent should sign unless one signs on behalf of the rest with their "
        "agreement.",
        heading="4. Name and address of landlord",
        prescribed=True,
    ),
    _SIGNATURE,
    _s(
        "notes",
        "You should read this notice very carefully. It explains that your landlord has started the process to "
        "regain possession of the property referred to in section 2 below.\n"
        "You are entitled to at least two month's notice before being required to give up possession of the "
        "property.\n"
        "However, if your tenancy started on a periodic basis without any initial fixed term a longer notice period "
        "may be required depending on how often you are required to pay rent (for example, if you pay rent "
        "quarterly, you must be given at least three month's notice, or, if you have a periodic tenancy which is "
        "half yearly or annual, you must be given at least six month's notice (which is the maximum).\n"
        "The date you are required to leave should be shown in section 2 below. After this date the landlord can "
        "apply to court for a possession order against you.",
        heading="What to do if this notice is served on you",
        prescribed=True,
    ),
]

# --- Introductory tenancies: HA 1996 s128 (no prescribed form; the required content, R-INT-02) -----------------------
S128_SECTIONS = [
    _s("title", "Housing Act 1996, section 128", heading="Notice of proceedings for possession"),
    _s("to", "To: {tenant_names}"),
    _s(
        "court",
        "{landlord} will ask the court to make an order for the possession of {address}, which you hold on an "
        "introductory tenancy.",
        heading="1. The court will be asked for possession",
    ),
    _s("reasons", "Our reasons for applying for possession are:", heading="2. Our reasons", block="grounds"),
    _s("particulars", "The particulars are:", block="particulars"),
    _s(
        "date",
        "Court proceedings for possession will not be begun before {earliest_proceedings}.",
        heading="3. The date after which proceedings may be begun",
    ),
    _s(
        "review",
        "You have the right to ask {landlord} to review its decision to seek possession. You must ask within 14 days "
        "beginning with the day on which this notice was served on you, so your request must reach us by "
        "{review_by}. You may ask for the review to be by way of a hearing. The review will be carried out by "
        "someone more senior than the person who made the decision, who was not involved in it, and you will be told "
        "the result before the date in paragraph 3.",
        heading="4. Your right to ask for a review",
    ),
    _s(
        "help",
        "If you need help or advice about this notice, and what you should do about it, take it immediately to a "
        "Citizens Advice Bureau, a housing aid centre, a law centre or a solicitor.",
        heading="5. Where to get help",
    ),
    _SIGNATURE,
]

# --- Licences: PEA 1977 s5(1A); Notices to Quit etc. (Prescribed Information) Regulations 1988 (SI 1988/2201) -------
NTQ_PRESCRIBED_1 = (
    "1. If the tenant or licensee does not leave the dwelling, the landlord or licensor must get an order for "
    "possession from the court before the tenant or licensee can lawfully be evicted. The landlord or licensor cannot "
    "apply for such an order before the notice to quit or notice to determine has run out."
)
NTQ_PRESCRIBED_2 = (
    "2. A tenant or licensee who does not know if he has any right to remain in possession after a notice to quit or "
    "a notice to determine runs out can obtain advice from a solicitor. Help with all or part of the cost of legal "
    "advice and assistance may be available under the Legal Aid Scheme. He should also be able to obtain information "
    "from a Citizens' Advice Bureau, a Housing Aid Centre or a rent officer."
)
LICENCE_NTQ_SECTIONS = [
    _s(
        "title",
        "Protection from Eviction Act 1977, section 5",
        heading="Notice to quit (notice to determine a licence)",
    ),
    _s("to", "To: {tenant_names}"),
    _s(
        "notice",
        "{landlord} gives you notice to quit and determines your licence to occupy {address}. This notice takes "
        "effect on {takes_effect}: your licence ends on that day.",
        heading="1. Notice",
    ),
    _s(
        "period",
        "That day is at least four weeks after the day this notice is given to you, and it falls at the end of a "
        "period of your licence.",
    ),
    _s("reasons", "Why we are ending your licence:", heading="2. Why", block="grounds"),
    _s("particulars", "The particulars are:", block="particulars"),
    _s("prescribed-1", NTQ_PRESCRIBED_1, heading="Prescribed information", prescribed=True),
    _s("prescribed-2", NTQ_PRESCRIBED_2, prescribed=True),
    _SIGNATURE,
]

# --- Excluded licences: PEA 1977 s3A (no prescribed form; ours) -------------------------------------------------------
EXCLUDED_LICENCE_SECTIONS = [
    _s("title", "Your licence is coming to an end", heading="Notice ending your licence"),
    _s("to", "To: {tenant_names}"),
    _s(
        "notice",
        "{landlord} is ending your licence to occupy {address}. Your licence ends on {takes_effect}, which gives you "
        "{notice_days} days' notice. Please leave by that day, take your belongings with you and hand back your keys.",
        heading="1. Notice",
    ),
    _s("reasons", "Why we are ending your licence:", heading="2. Why", block="grounds"),
    _s("particulars", "The particulars are:", block="particulars"),
    _s(
        "help",
        "Please talk to your support worker or to us straight away: if the charges can be paid or a plan agreed, we "
        "may be able to withdraw this notice. For advice, contact your local council's housing options service, "
        "Citizens Advice or Shelter (0808 800 4444).",
        heading="3. Help",
    ),
    _SIGNATURE,
]

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
    added = 0
    for row in PRESCRIBED_FORMS:
        fields = dict(row)
        _, created = model.objects.get_or_create(
            code=fields.pop("code"), effective_from=fields.pop("effective_from"), defaults=fields
        )
        added += created
    return added


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
            f"{problem} for a {label} served on {on:%d/%m/%Y} (R-SEC-02, R-AST-04, R-AST-05, R-INT-02, R-LIC-01): a "
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
