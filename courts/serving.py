"""What recording a notice as served may use and must warn about: the dates of service the law tables and the tenancy
allow (so the form asks only for a date it will accept), and the cautions an officer acknowledges before serving
while the arrears case says to hold back (an agreement being kept, a recommendation of no action)."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from arrears.constants import AgreementState, CaseStatus
from arrears.models import Agreement, ArrearsCase
from incomeapp.money import format_money
from tenancies.models import Tenancy

from .constants import Sector
from .law import HELD_FROM, sector_of
from .models import NoticeRule

# A latest recommendation with one of these actions says to leave the case alone this week (arrears policy outcomes
# of mode "none" that are not a legal hold; a Breathing Space is refused outright by notice_serve).
HOLD_BACK_ACTIONS = {"no_action", "agreement_kept", "technical_arrears_only"}


@dataclass(frozen=True)
class ServiceWindow:
    """The dates a notice for this tenancy can be recorded as served on: from `earliest` (why: `earliest_is`) to
    today."""

    earliest: date
    latest: date
    earliest_is: str

    def problem(self, served_on: date) -> str:
        """What is wrong with the date, in plain English naming the date that would do, or ''."""
        if served_on > self.latest:
            return (
                f"The date of service must be today ({self.latest:%-d %B %Y}) or earlier: record a notice once it "
                "has been served. To plan one for a later date, use the notice planner"
            )
        if served_on < self.earliest:
            return f"The date of service must be {self.earliest:%-d %B %Y} or later ({self.earliest_is})"
        return ""


def service_window(*, tenancy: Tenancy) -> ServiceWindow:
    provider = tenancy.property.scheme.provider
    rules = NoticeRule.objects.filter(
        jurisdiction=provider.jurisdiction, sector__in=[Sector.ANY, sector_of(provider.landlord_type)]
    )
    starts = [rule.effective_from for rule in rules if tenancy.tenure_type in rule.tenure_types.split(",")]
    law_from = max(min(starts), HELD_FROM) if starts else HELD_FROM
    if tenancy.start_date >= law_from:
        return ServiceWindow(tenancy.start_date, timezone.localdate(), "the day the tenancy began")
    return ServiceWindow(law_from, timezone.localdate(), "the earliest date of service Rentwise holds the law for")


def serve_cautions(*, tenancy: Tenancy) -> list[str]:
    """Why serving a notice now may be out of step with the arrears case: each one the officer must acknowledge."""
    case = (
        ArrearsCase.objects.filter(account__tenancy=tenancy, status=CaseStatus.OPEN)
        .select_related("latest_recommendation")
        .first()
    )
    if case is None:
        return []
    cautions = []
    agreement = Agreement.objects.filter(case=case, state=AgreementState.LIVE).order_by("-starts_on", "-id").first()
    if agreement is not None:
        cautions.append(
            f"An agreement to pay is being kept: {format_money(agreement.amount)} "
            f"{agreement.get_frequency_display().lower()} towards the arrears on top of the rent, from "
            f"{agreement.starts_on:%-d %B %Y}. The pre-action protocol expects a landlord not to start possession "
            "action while the tenant keeps to an agreement."
        )
    recommendation = case.latest_recommendation
    if recommendation is not None and recommendation.action in HOLD_BACK_ACTIONS:
        cautions.append(
            f"The arrears case's current recommendation is “{recommendation.label}”: the policy does not call for "
            "a notice this week."
        )
    return cautions
