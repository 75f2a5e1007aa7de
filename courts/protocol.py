"""The pre-action protocol gate (legal-spec §3, rule 7 of §12), pure: the checklist worked out from plain facts about
the case, each item met, not met or not applicable, with the evidence and the protocol paragraph. Items the record
cannot show are confirmed by an officer (with a note), and those confirmations are facts here too."""

from dataclasses import dataclass, field
from datetime import date

MET, NOT_MET, NOT_APPLICABLE = "met", "not_met", "not_applicable"


@dataclass(frozen=True)
class GateItem:
    key: str
    label: str
    rule: str
    status: str
    evidence: str
    officer_can_confirm: bool = False

    @property
    def passed(self) -> bool:
        return self.status != NOT_MET


@dataclass
class GateFacts:
    today: date
    tenants: list[tuple[int, str]]  # (person id, name)
    contacted_person_ids: set[int]  # R-PAP-10: the named tenants reached (spoken to, or sent a letter not returned)
    statement_sent_on: date | None
    benefit_help_on: date | None
    benefit_claim: bool  # an HB or UC housing-costs claim is on record
    direct_payment_requested_on: date | None
    debt_advice_on: date | None
    agreement_offered_on: date | None
    agreement_being_kept: bool
    vulnerability_reviewed_on: date | None
    pending_claim_with_evidence: bool
    breathing_space: bool
    notice_label: str | None
    notice_proceedings_after: date | None
    notice_lapses_on: date | None
    mandatory_ground: bool
    part3_letter_on: date | None
    assessment: str
    confirmations: dict[str, str] = field(default_factory=dict)  # key -> the officer's note
    review_by: date | None = None  # introductory tenancies (R-INT-03)
    review_requested_on: date | None = None
    review_decision_on: date | None = None
    review_upheld: bool | None = None
    notice_original_lapses_on: date | None = None  # the statutory date, before any Breathing Space moved it
    notice_lapse_note: str = ""  # why the last day for proceedings moved (R-BS-14), or that its new date is unknown
    notice_void_reason: str = ""  # a notice served during a Breathing Space is void (R-BS-12)


def _confirmable(key, label, rule, found_on: date | None, found: str, facts: GateFacts, missing: str) -> GateItem:
    if found_on is not None:
        return GateItem(key, label, rule, MET, f"{found} on {found_on:%-d %B %Y}.", True)
    if key in facts.confirmations:
        return GateItem(key, label, rule, MET, f"Confirmed by an officer: {facts.confirmations[key]}", True)
    return GateItem(key, label, rule, NOT_MET, missing, True)


def protocol_gate(facts: GateFacts) -> list[GateItem]:
    items = []
    missing = [name for person_id, name in facts.tenants if person_id not in facts.contacted_person_ids]
    if missing and "contact_each_tenant" not in facts.confirmations:
        items.append(
            GateItem(
                "contact_each_tenant",
                "Contact with each named tenant (letters written separately)",
                "R-PAP-10",
                NOT_MET,
                f"Nobody has reached {', '.join(missing)}: no conversation with them or letter sent to them is on "
                "record (an unanswered call, a visit with no answer or a returned letter is not contact).",
                True,
            )
        )
    else:
        evidence = (
            f"Confirmed by an officer: {facts.confirmations['contact_each_tenant']}"
            if missing
            else f"Spoken to, or a letter sent to, each of {len(facts.tenants)} named tenant(s)."
        )
        items.append(
            GateItem(
                "contact_each_tenant",
                "Contact with each named tenant (letters written separately)",
                "R-PAP-10",
                MET,
                evidence,
                True,
            )
        )
    items.append(
        _confirmable(
            "statements",
            "Rent statements sent (quarterly, the last 13 weeks)",
            "R-PAP-12",
            facts.statement_sent_on,
            "A rent statement was made",
            facts,
            "No rent statement has been made in the last 13 weeks: send one.",
        )
    )
    items.append(
        _confirmable(
            "benefit_help",
            "Help offered with Housing Benefit or Universal Credit",
            "R-PAP-14",
            facts.benefit_help_on,
            "Benefits help referral or claim recorded",
            facts,
            "No benefits help is on record.",
        )
    )
    if not facts.benefit_claim:
        items.append(
            GateItem(
                "dwp_request",
                "DWP deduction, managed payment or HB direct requested where eligible",
                "R-PAP-13",
                NOT_APPLICABLE,
                "No HB or UC claim is on record.",
            )
        )
    else:
        items.append(
            _confirmable(
                "dwp_request",
                "DWP deduction, managed payment or HB direct requested where eligible",
                "R-PAP-13",
                facts.direct_payment_requested_on,
                "A direct payment request was made",
                facts,
                "The tenant claims HB or UC but no direct payment or deduction has been requested.",
            )
        )
    items.append(
        _confirmable(
            "debt_advice",
            "Free debt advice offered",
            "R-PAP-16",
            facts.debt_advice_on,
            "A debt advice referral was made",
            facts,
            "No debt advice referral is on record.",
        )
    )
    items.append(
        _confirmable(
            "agreement_offered",
            "An affordable agreement offered",
            "R-PAP-11",
            facts.agreement_offered_on,
            "An agreement was made",
            facts,
            "No agreement has been offered or made.",
        )
    )
    if facts.vulnerability_reviewed_on and (facts.today - facts.vulnerability_reviewed_on).days <= 365:
        items.append(
            GateItem(
                "vulnerability",
                "Vulnerability and capacity reviewed",
                "R-PAP-04",
                MET,
                f"Reviewed on {facts.vulnerability_reviewed_on:%-d %B %Y}.",
            )
        )
    else:
        items.append(
            GateItem(
                "vulnerability",
                "Vulnerability and capacity reviewed",
                "R-PAP-04",
                NOT_MET,
                "No vulnerability review in the last 12 months: record one on the arrears case.",
            )
        )
    items.append(
        GateItem(
            "assessment",
            "Proportionality and equality assessment",
            "§5 (Article 8, Equality Act s15 and s149)",
            MET if facts.assessment.strip() else NOT_MET,
            "Recorded." if facts.assessment.strip() else "Write the proportionality and equality assessment.",
        )
    )
    if facts.mandatory_ground:
        items.append(
            GateItem(
                "part3_letter",
                "Part 3 letter inviting representations (mandatory ground)",
                "R-PAP-30",
                MET if facts.part3_letter_on else NOT_MET,
                f"Sent on {facts.part3_letter_on:%-d %B %Y}."
                if facts.part3_letter_on
                else "Write to the tenant explaining why, and inviting representations, before issuing.",
            )
        )
    items.append(
        GateItem(
            "no_pending_claim",
            "No benefit claim pending with all its evidence given",
            "R-PAP-15",
            NOT_MET if facts.pending_claim_with_evidence else MET,
            "A claim is pending with its evidence given: do not start proceedings."
            if facts.pending_claim_with_evidence
            else "No such claim is pending.",
        )
    )
    items.append(
        GateItem(
            "agreement_not_kept",
            "No agreement being kept",
            "R-PAP-18",
            NOT_MET if facts.agreement_being_kept else MET,
            "An agreement is being kept: postpone proceedings while it is."
            if facts.agreement_being_kept
            else "No agreement is being kept.",
        )
    )
    items.append(
        GateItem(
            "breathing_space",
            "No Breathing Space",
            "SI 2020/1311",
            NOT_MET if facts.breathing_space else MET,
            "A Breathing Space is active: no claim on the moratorium debt."
            if facts.breathing_space
            else "No Breathing Space is active.",
        )
    )
    items.append(_notice_item(facts))
    if facts.review_by is not None:
        items.append(_review_item(facts))
    return items  # fmt: skip


def _review_item(facts: GateFacts) -> GateItem:
    """R-INT-03: a review asked for in time must be decided, upheld, and notified before the notice's date."""
    label, rule = "Introductory tenancy review decided before the date in the notice", "R-INT-03 (HA 1996 s129)"
    if facts.review_requested_on is None:
        if facts.today <= facts.review_by:
            return GateItem(
                "intro_review",
                label,
                rule,
                NOT_MET,
                f"The tenant may still ask for a review until {facts.review_by:%-d %B %Y}.",
            )
        return GateItem("intro_review", label, rule, NOT_APPLICABLE, "No review was asked for in time.")
    if facts.review_requested_on > facts.review_by:
        return GateItem(
            "intro_review",
            label,
            rule,
            NOT_APPLICABLE,
            f"The review was asked for late ({facts.review_requested_on:%-d %B %Y}).",
        )
    if facts.review_decision_on is None:
        return GateItem(
            "intro_review",
            label,
            rule,
            NOT_MET,
            "A review was asked for: decide it and notify the decision before any claim.",
        )
    if facts.notice_proceedings_after and facts.review_decision_on >= facts.notice_proceedings_after:  # s129(6)
        return GateItem(
            "intro_review",
            label,
            rule,
            NOT_MET,
            "The decision was notified after the date in the notice: serve a new notice.",
        )
    if not facts.review_upheld:
        return GateItem("intro_review", label, rule, NOT_MET, "The review did not uphold the decision.")
    return GateItem("intro_review", label, rule, MET,
                    f"Upheld, notified on {facts.review_decision_on:%-d %B %Y}.")  # fmt: skip


def _notice_item(facts: GateFacts) -> GateItem:
    label, rule = "A notice in force whose date for proceedings has passed", "R-SEC-01, R-AST-04"
    if facts.notice_label is None:
        return GateItem("notice", label, rule, NOT_MET, "No notice has been served.")
    if facts.notice_void_reason:
        return GateItem("notice", label, rule, NOT_MET, f"The notice is void: {facts.notice_void_reason}")
    if facts.today <= facts.notice_proceedings_after:
        return GateItem(
            "notice",
            label,
            rule,
            NOT_MET,
            f"Proceedings may not begin until after {facts.notice_proceedings_after:%-d %B %Y}.",
        )
    moved = f" ({facts.notice_lapse_note})" if facts.notice_lapse_note else ""
    if facts.notice_lapses_on is not None and facts.today > facts.notice_lapses_on:
        return GateItem("notice", label, rule, NOT_MET,
                        f"The notice lapsed on {facts.notice_lapses_on:%-d %B %Y}{moved}.")  # fmt: skip
    lapses = f"; the last day for proceedings is {facts.notice_lapses_on:%-d %B %Y}" if facts.notice_lapses_on else ""
    return GateItem("notice", label, rule, MET, f"{facts.notice_label}: proceedings may begin after "
                    f"{facts.notice_proceedings_after:%-d %B %Y}{lapses}{moved}.")  # fmt: skip


def gate_passes(items: list[GateItem]) -> bool:
    return all(item.passed for item in items)
