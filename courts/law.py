"""The notice law the product ships with (legal-spec §2, §11.1), as effective-dated rows with their sources, and the
lookup that turns the rows in force into plain `NoticeSpec`s for the pure rules. Points marked [B] or [GAP] in the
spec take the cautious reading and are listed in docs/legal-rules.md for a housing lawyer to confirm.

Rules are held for notices served from 1 October 2021, after the coronavirus notice periods ended (R-SEC-07); an
earlier notice must be checked by hand.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from incomeapp.constants import Jurisdiction
from tenancies.constants import LandlordType

from .constants import DateRule, GroundKind, LapseRule, NoticeType, Sector
from .models import GroundRule, NoticeRule
from .notice_rules import GroundSpec, NoticeSpec
from .prescribed.wording import NTQ_PRESCRIBED_1, NTQ_PRESCRIBED_2

HELD_FROM = date(2021, 10, 1)
RRA_PHASE_1 = date(2026, 5, 1)  # SI 2026/421: non-social assured tenancies only
WALES_RHWA = date(2022, 12, 1)

SECURE_GROUND_1 = (
    "Rent lawfully due from the tenant has not been paid or an obligation of the tenancy has been broken or not "
    "performed."
)
HA1988_GROUND_8_PRE_RRA = (
    "Both at the date of the service of the notice under section 8 of this Act relating to the proceedings for "
    "possession and at the date of the hearing: (a) if rent is payable weekly or fortnightly, at least eight weeks' "
    "rent is unpaid; (b) if rent is payable monthly, at least two months' rent is unpaid; (c) if rent is payable "
    "quarterly, at least one quarter's rent is more than three months in arrears; and (d) if rent is payable yearly, "
    'at least three months\' rent is more than three months in arrears; and for the purpose of this ground "rent" '
    "means rent lawfully due from the tenant."
)
HA1988_GROUND_8_RRA = (
    "Both at the date of the service of the notice under section 8 relating to the proceedings for possession and at "
    "the date of the hearing: (a) if rent is payable weekly or fortnightly, at least 13 weeks' rent is unpaid; (b) if "
    'rent is payable monthly, at least three months\' rent is unpaid; and for the purpose of this ground "rent" means '
    "rent lawfully due from the tenant, disregarding any amount that was unpaid only because the tenant had not yet "
    "received the payment of an award of universal credit that included an amount for housing."
)
HA1988_GROUND_10 = (
    "Some rent lawfully due from the tenant: (a) is unpaid on the date on which the proceedings for possession are "
    "begun; and (b) except where subsection (1)(b) of section 8 of this Act applies, was in arrears at the date of the "
    "service of the notice under that section relating to those proceedings."
)
HA1988_GROUND_11 = (
    "Whether or not any rent is in arrears on the date on which proceedings for possession are begun, the tenant has "
    "persistently delayed paying rent which has become lawfully due."
)
# SI 1988/2201's two paragraphs, held word for word once, with the licence notice's prescribed form.
NTQ_PRESCRIBED_INFORMATION = f"{NTQ_PRESCRIBED_1}\n{NTQ_PRESCRIBED_2}"

S8_SOURCE = (
    "legal-spec §2.3: HA 1988 s8 and Sch 2; s8(4B) two weeks (HA 1996 s151); s8(3)(c) 12 months; gov.uk 'Assured "
    "tenancy forms' (Form 3 for social housing assured tenancies); SI 2026/421."
)


def _grounds_pre_rra(days: int) -> list[dict]:
    return [
        dict(
            code="HA1988-8", title="Ground 8: at least 8 weeks' or 2 months' rent unpaid", text=HA1988_GROUND_8_PRE_RRA,
            kind=GroundKind.MANDATORY, notice_days=days, threshold_weeks=Decimal(8), threshold_months=Decimal(2),
            source="R-AST-01: HA 1988 Sch 2 Ground 8 (landlordslawyer.co.uk; grantsaw.com).",
        ),
        dict(
            code="HA1988-10", title="Ground 10: some rent unpaid", text=HA1988_GROUND_10,
            kind=GroundKind.DISCRETIONARY, notice_days=days, source="R-AST-02 [B wording]: HA 1988 Sch 2 Ground 10.",
        ),
        dict(
            code="HA1988-11", title="Ground 11: persistent delay in paying rent", text=HA1988_GROUND_11,
            kind=GroundKind.DISCRETIONARY, notice_days=days, source="R-AST-03: HA 1988 Sch 2 Ground 11.",
        ),
    ]  # fmt: skip


NOTICE_RULES: list[dict] = [
    dict(
        code="secure-nosp", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.ANY, tenure_types="SECURE,FLEXIBLE",
        effective_from=HELD_FROM, notice_type=NoticeType.SECURE_NOSP, label="NOSP",
        form="Secure Tenancies (Notices) Regulations 1987 (as amended)", regime="HA1985",
        date_rule=DateRule.NOTICE_TO_QUIT, min_days=28, lapse_rule=LapseRule.AFTER_SPECIFIED_DATE, lapse_months=12,
        source="R-SEC-01..05: HA 1985 s83(1), (2), (4)(b); Shelter Legal 'Secure tenancy notice seeking possession'.",
        to_confirm="R-SEC-04 [B]: day counting (the day of service counted, the last day not) and which period "
        "boundary to use; we take the first day of a period, the later date. Flexible tenancies follow secure [B].",
        grounds=[dict(
            code="HA1985-1", title="Ground 1: rent arrears or breach of the tenancy", text=SECURE_GROUND_1,
            kind=GroundKind.DISCRETIONARY, notice_days=0, source="R-SEC-03: HA 1985 Sch 2 Pt I Ground 1.",
        )],
    ),
    dict(
        code="assured-s8", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.SOCIAL, tenure_types="ASSURED,AST",
        effective_from=HELD_FROM, notice_type=NoticeType.ASSURED_S8, label="Section 8 notice (Form 3)",
        form="Form 3 (forms for social housing assured tenancies)", regime="SOCIAL_ASSURED_PRE_RRA",
        date_rule=DateRule.DAYS, min_days=14, lapse_rule=LapseRule.AFTER_SERVICE, lapse_months=12, source=S8_SOURCE,
        to_confirm="[GAP] the date the Renters' Rights Act regime starts for social housing assured tenancies (left "
        "open: this row has no end date until it is legislated) and the definition of 'social housing assured "
        "tenancy' (we treat local authority and registered provider landlords as social) [B].",
        grounds=_grounds_pre_rra(14),
    ),
    dict(
        code="assured-s8", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.NON_SOCIAL, tenure_types="ASSURED,AST",
        effective_from=HELD_FROM, effective_to=date(2026, 4, 30), notice_type=NoticeType.ASSURED_S8,
        label="Section 8 notice (Form 3)", form="Form 3", regime="ASSURED_PRE_RRA", date_rule=DateRule.DAYS,
        min_days=14, lapse_rule=LapseRule.AFTER_SERVICE, lapse_months=12, source=S8_SOURCE,
        grounds=_grounds_pre_rra(14),
    ),
    dict(
        code="assured-s8", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.NON_SOCIAL, tenure_types="ASSURED,AST",
        effective_from=RRA_PHASE_1, notice_type=NoticeType.ASSURED_S8, label="Section 8 notice (Form 3A)",
        form="Form 3A", regime="RRA_2025_PHASE1", date_rule=DateRule.DAYS, min_days=28,
        lapse_rule=LapseRule.AFTER_SERVICE, lapse_months=12,
        source="R-AST-01, §2.3 table: Renters' Rights Act 2025 Phase 1 (SI 2026/421) for assured tenancies that are "
        "not social housing; grantsaw.com; dewarhogan.co.uk; tenancyarmour.co.uk.",
        to_confirm="[B] 12 months to begin proceedings under the new regime; the Ground 8 wording (13 weeks, 3 months, "
        "the Universal Credit disregard) is from secondary sources quoting the Bill: verify against Schedule 1.",
        grounds=[
            dict(
                code="HA1988-8", title="Ground 8: at least 13 weeks' or 3 months' rent unpaid",
                text=HA1988_GROUND_8_RRA, kind=GroundKind.MANDATORY, notice_days=28, threshold_weeks=Decimal(13),
                threshold_months=Decimal(3), uc_disregard=True,
                source="R-AST-01: Renters' Rights Act 2025 Sch 1 (as quoted by dewarhogan.co.uk; verify).",
            ),
            dict(
                code="HA1988-10", title="Ground 10: some rent unpaid", text=HA1988_GROUND_10,
                kind=GroundKind.DISCRETIONARY, notice_days=28, source="§2.3 table: 4 weeks under RRA Phase 1.",
            ),
            dict(
                code="HA1988-11", title="Ground 11: persistent delay in paying rent", text=HA1988_GROUND_11,
                kind=GroundKind.DISCRETIONARY, notice_days=28, source="§2.3 table: 4 weeks under RRA Phase 1.",
            ),
        ],
    ),
    dict(
        code="s21", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.SOCIAL, tenure_types="AST",
        effective_from=HELD_FROM, notice_type=NoticeType.S21, label="NRP (section 21, Form 6A)", form="Form 6A",
        regime="SOCIAL_ASSURED_PRE_RRA", date_rule=DateRule.MONTHS, min_months=2, lapse_rule=LapseRule.AFTER_SERVICE,
        lapse_months=6,
        source="R-AST-05, R-LIC-04: HA 1988 s21 (2015 version); Form 6A; 'NRP' is the conventional title.",
        to_confirm="[B] six months to begin proceedings (s21(4D)); six months' notice for a fixed term of two years or "
        "more (s21(1A)) is not worked out here: check the tenancy. Pre-conditions (deposit, gas safety, EPC, How to "
        "Rent, not in the first four months) are for the officer to confirm.",
        grounds=[],
    ),
    dict(
        code="s21", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.NON_SOCIAL, tenure_types="AST",
        effective_from=HELD_FROM, effective_to=date(2026, 4, 30), notice_type=NoticeType.S21,
        label="NRP (section 21, Form 6A)", form="Form 6A", regime="ASSURED_PRE_RRA", date_rule=DateRule.MONTHS,
        min_months=2, lapse_rule=LapseRule.AFTER_SERVICE, lapse_months=6,
        source="R-AST-05; abolished for non-social tenancies from 1 May 2026 (claims on earlier notices by 31 July "
        "2026).",
        grounds=[],
    ),
    dict(
        code="intro-s128", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.ANY, tenure_types="INTRO",
        effective_from=HELD_FROM, notice_type=NoticeType.INTRO_S128, label="Notice of proceedings (s128)",
        form="No prescribed form", regime="HA1996", date_rule=DateRule.NOTICE_TO_QUIT, min_days=28, review_days=14,
        source="R-INT-02, R-INT-03: HA 1996 ss128-129; Introductory Tenants (Review) Regulations 1997 (SI 1997/72).",
        to_confirm="[B] no statutory lapse date is held for a s128 notice.",
        grounds=[dict(
            code="INTRO-REASONS", title="The landlord's reasons: rent arrears", kind=GroundKind.NO_GROUND,
            text="The landlord's reasons for applying for possession: rent lawfully due has not been paid.",
            source="R-INT-02: the notice must give the landlord's reasons.",
        )],
    ),
    dict(
        code="licence-ntq", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.ANY, tenure_types="LICENCE",
        effective_from=HELD_FROM, notice_type=NoticeType.LICENCE_NTQ, label="Notice to quit (licence)",
        form="In writing, with the prescribed information", regime="PEA1977", date_rule=DateRule.NOTICE_TO_QUIT,
        min_days=28, prescribed_information=NTQ_PRESCRIBED_INFORMATION,
        source="R-LIC-01: Protection from Eviction Act 1977 s5(1A); Notices to Quit etc. (Prescribed Information) "
        "Regulations 1988; a court order is needed (s3).",
        to_confirm="[B] whether a licence notice must end on a period boundary (common law); we require it, the later "
        "date.",
        grounds=[dict(
            code="LICENCE-ARREARS", title="Reason: licence fees unpaid", kind=GroundKind.NO_GROUND,
            text="The licence is ended because the charges for the accommodation have not been paid.",
            source="Contractual: no statutory ground is needed.",
        )],
    ),
    dict(
        code="excluded-licence", jurisdiction=Jurisdiction.ENGLAND, sector=Sector.ANY, tenure_types="EXCL_LICENCE",
        effective_from=HELD_FROM, notice_type=NoticeType.EXCLUDED_LICENCE, label="Notice ending an excluded licence",
        form="No prescribed form", regime="PEA1977_S3A", date_rule=DateRule.DAYS, min_days=28,
        court_order_needed=False,
        source="R-LIC-02: Protection from Eviction Act 1977 s3A; reasonable notice; no court order needed.",
        to_confirm="[B] what is 'reasonable notice': 28 days by default (change min_days here to your policy).",
        grounds=[dict(
            code="EXCLUDED-ARREARS", title="Reason: charges unpaid", kind=GroundKind.NO_GROUND,
            text="The licence is ended because the charges for the accommodation have not been paid.",
            source="Contractual.",
        )],
    ),
    dict(
        code="wales-breach", jurisdiction=Jurisdiction.WALES, sector=Sector.ANY, tenure_types="SECURE,FLEXIBLE,ASSURED",
        effective_from=WALES_RHWA, notice_type=NoticeType.WALES_BREACH, label="Possession notice (RHW23)",
        form="RHW23", regime="RHWA2016_SECURE_CONTRACT", date_rule=DateRule.MONTHS, min_months=1,
        lapse_rule=LapseRule.AFTER_SERVICE, lapse_months=6,
        source="§11.1: Renting Homes (Wales) Act 2016 s157, s159 (breach of contract); CPAG; thebla.co.uk RHW23.",
        to_confirm="[B] the one-month notice period and six months to begin proceedings for RHW23; whether the serious "
        "arrears ground is available against secure contracts (we assume not).",
        grounds=[dict(
            code="RHWA-157", title="Breach of contract: rent unpaid", kind=GroundKind.DISCRETIONARY, notice_days=0,
            text="The contract-holder has breached the occupation contract by failing to pay rent lawfully due.",
            source="Renting Homes (Wales) Act 2016 s157.",
        )],
    ),
    dict(
        code="wales-serious-arrears", jurisdiction=Jurisdiction.WALES, sector=Sector.ANY, tenure_types="AST,INTRO",
        effective_from=WALES_RHWA, notice_type=NoticeType.WALES_SERIOUS_ARREARS, label="Possession notice (RHW20)",
        form="RHW20", regime="RHWA2016_STANDARD_CONTRACT", date_rule=DateRule.DAYS, min_days=14,
        lapse_rule=LapseRule.AFTER_SERVICE, lapse_months=6,
        source="§11.1: Renting Homes (Wales) Act 2016 s181, s182 (serious rent arrears, standard contracts); "
        "whv2.lettings.support Wales handbook.",
        grounds=[dict(
            code="RHWA-181", title="Serious rent arrears", kind=GroundKind.MANDATORY, notice_days=14,
            threshold_weeks=Decimal(8), threshold_months=Decimal(2),
            text="The contract-holder is seriously in arrears with rent: at least 8 weeks' rent unpaid where rent is "
            "payable weekly, fortnightly or four-weekly, or at least 2 months' rent where it is payable monthly, both "
            "on the date the notice is given and on the date of the hearing.",
            source="Renting Homes (Wales) Act 2016 s181.",
        )],
    ),
]  # fmt: skip


@transaction.atomic
def notice_rules_install(rule_model=NoticeRule, ground_model=GroundRule) -> int:
    """Adds the shipped rules that are missing (safe to repeat; a migration passes its own models)."""
    added = 0
    for row in NOTICE_RULES:
        fields = {key: value for key, value in row.items() if key != "grounds"}
        rule, created = rule_model.objects.get_or_create(
            code=fields.pop("code"),
            jurisdiction=fields.pop("jurisdiction"),
            sector=fields.pop("sector"),
            effective_from=fields.pop("effective_from"),
            defaults=fields,
        )
        if created:
            added += 1
            for ground in row["grounds"]:
                ground_model.objects.create(notice_rule=rule, **ground)
    return added


class NoNoticeRule(LookupError):
    pass


def sector_of(landlord_type: str) -> str:
    """[B] A local authority or registered provider landlord is social housing; any other landlord is not."""
    if landlord_type in (LandlordType.LOCAL_AUTHORITY, LandlordType.PRIVATE_REGISTERED_PROVIDER):
        return Sector.SOCIAL
    return Sector.NON_SOCIAL


def ground_spec(ground: GroundRule) -> GroundSpec:
    """A held ground as the pure rules take it."""
    return GroundSpec(
        code=ground.code,
        title=ground.title,
        text=ground.text,
        kind=ground.kind,
        notice_days=ground.notice_days,
        threshold_weeks=ground.threshold_weeks,
        threshold_months=ground.threshold_months,
        uc_disregard=ground.uc_disregard,
        source=ground.source,
    )


def _spec(rule: NoticeRule) -> NoticeSpec:
    return NoticeSpec(
        code=rule.code,
        notice_type=rule.notice_type,
        label=rule.label,
        form=rule.form,
        regime=rule.regime,
        date_rule=rule.date_rule,
        min_days=rule.min_days,
        min_months=rule.min_months,
        period_boundary=rule.period_boundary,
        lapse_rule=rule.lapse_rule,
        lapse_months=rule.lapse_months,
        court_order_needed=rule.court_order_needed,
        review_days=rule.review_days,
        prescribed_information=rule.prescribed_information,
        source=rule.source,
        effective_from=rule.effective_from,
        effective_to=rule.effective_to,
        rule_id=rule.pk,
        grounds=tuple(ground_spec(ground) for ground in rule.grounds.all()),
    )


def notice_specs(*, jurisdiction: str, landlord_type: str, tenure_type: str, served_on: date) -> list[NoticeSpec]:
    """The notices in force for a tenure on a service date (an assured shorthold tenancy may have two: s8 and s21).
    Raises NoNoticeRule, in plain English, when none is held."""
    rules = (
        NoticeRule.objects.filter(jurisdiction=jurisdiction, effective_from__lte=served_on)
        .exclude(effective_to__lt=served_on)
        .filter(sector__in=[Sector.ANY, sector_of(landlord_type)])
        .prefetch_related("grounds")
        .order_by("code", "-effective_from")
    )
    chosen: dict[str, NoticeRule] = {}
    for rule in rules:
        if tenure_type in rule.tenure_types.split(",") and rule.code not in chosen:
            chosen[rule.code] = rule
    if not chosen:
        if served_on < HELD_FROM:
            raise NoNoticeRule(
                f"Notice rules are held for notices served from {HELD_FROM:%-d %B %Y}; check a notice served on "
                f"{served_on:%-d %B %Y} by hand (the coronavirus notice periods applied until 30 September 2021)."
            )
        raise NoNoticeRule(
            f"No notice rule is held for a {tenure_type.replace('_', ' ').lower()} tenancy in "
            f"{jurisdiction.title()} on {served_on:%-d %B %Y}. Take legal advice, and add the rule under Admin."
        )
    return [_spec(rule) for rule in chosen.values()]
