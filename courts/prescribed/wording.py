"""The words of each prescribed form of possession notice (and of the required content where no form is
prescribed): its sections in order, each {key, heading, text, prescribed, block}. `text` may hold {placeholders} for
the particulars (`PLACEHOLDERS`); `prescribed` is True only where the text is held word for word from a copy of the
prescribed form or regulations (cited in the version's `source`, courts.prescribed.versions)."""

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
# Paragraphs 1 to 5 of Form 3, in our words; Form 3A (no copy of its text found) has the same paragraphs in the
# same order (see its to_confirm in courts.prescribed.versions).
_ASSURED_PARAGRAPHS = [
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
]

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
    *_ASSURED_PARAGRAPHS,
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
    *_ASSURED_PARAGRAPHS,
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
