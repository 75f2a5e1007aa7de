"""Reads for arrears policies, Breathing Space moratoria and the worklist."""

from datetime import date

import yaml
from django.core.exceptions import ValidationError

from incomeapp.law import threshold
from tenancies.models import Tenancy

from .constants import (
    Benefit,
    ClaimStatus,
    DirectPaymentKind,
    DirectPaymentStatus,
    Ladder,
    PolicyVersionStatus,
    ReviewStatus,
)
from .engine import weeks_basis
from .models import (
    ArrearsPolicy,
    ArrearsPolicyVersion,
    BenefitClaim,
    BreathingSpace,
    DirectPaymentRequest,
    ReviewRun,
)
from .moratorium import Moratorium, MoratoriumLaw


def moratorium_law(on: date) -> MoratoriumLaw:
    """The Breathing Space figures in force on a date (LawThreshold rows, legal-spec §6)."""

    def days(key: str) -> int:
        return int(threshold(key, on))

    return MoratoriumLaw(
        standard_days=days("breathing_space_standard_days"),
        crisis_after_treatment_days=days("breathing_space_crisis_after_treatment_days"),
        review_request_days=days("breathing_space_review_request_days"),
        midway_review_day=days("breathing_space_midway_review_day"),
        deadline_extension_weeks=days("breathing_space_deadline_extension_weeks"),
        standard_repeat_months=days("breathing_space_standard_repeat_months"),
    )


def moratoria(*, tenancy) -> list[Moratorium]:
    """Every moratorium recorded for a tenancy, oldest first (a joint tenant's covers the tenancy's debt, R-BS-03)."""
    return [
        Moratorium(starts_on=space.starts_on, ends_on=space.ends_on, kind=space.kind, debt=space.debt_covered)
        for space in BreathingSpace.objects.filter(tenancy=tenancy).order_by("starts_on", "id")
    ]


def moratorium_on(*, tenancy, on: date) -> Moratorium | None:
    """The moratorium protecting the tenancy's debt on a date, if any."""
    return next((m for m in reversed(moratoria(tenancy=tenancy)) if m.covers(on)), None)


def policy_version_current(*, name: str) -> ArrearsPolicyVersion | None:
    """The policy's live version, or its newest draft when none is live (so an author can test before publishing)."""
    versions = ArrearsPolicyVersion.objects.select_related("policy").filter(policy__name=name)
    return versions.filter(status=PolicyVersionStatus.LIVE).first() or versions.order_by("-number").first()


def policy_export(*, name: str) -> str:
    """The YAML of the policy's current version, as imported (comments kept)."""
    version = policy_version_current(name=name)
    if version is None:
        raise ArrearsPolicyVersion.DoesNotExist(f"There is no arrears policy called '{name}'.")
    return version.source_text or yaml.safe_dump(version.document, sort_keys=False, allow_unicode=True)


# ---- worklist and case page -----------------------------------------------------------------------------------------

WORKLIST_TABS = {
    "immediate": "Immediate actions",
    "agreements": "Agreements",
    "paused": "Paused",
    "court": "Court and evictions",
    "patch": "Whole patch",
}


def _in_patch_and_scheme(rows, property_path: str, *, patch_id, scheme_id):
    """`rows` whose home (at `property_path`, such as "tenancy__property__") is in the patch and scheme, when given."""
    if patch_id:
        rows = rows.filter(**{f"{property_path}patch_id": patch_id})
    if scheme_id:
        rows = rows.filter(**{f"{property_path}scheme_id": scheme_id})
    return rows


# The worklist's sortable columns: what each sorts by (the annotations `worklist` adds, or fields of the case).
WORKLIST_SORTS = {
    "priority": ("-latest_recommendation__priority", "-latest_recommendation__balance"),
    "tenant": ("tenant_sort",),
    "stage": ("stage_rank",),
    "last_contact": ("last_contact_on",),
    "balance": ("account__balance",),
    "action": ("latest_recommendation__label",),
    "officer": ("officer__first_name", "officer__last_name", "officer__username"),
    "recoverable": ("recoverable",),  # the former tenants' and sundry tabs
}


def worklist(
    *,
    tab: str,
    as_of,
    officer=None,
    patch_id=None,
    scheme_id=None,
    action: str = "",
    stage: str = "",
    search: str = "",
    sort: str = "priority",
    ascending: bool = False,
    ladder: str = Ladder.CURRENT,
):
    """Open cases for a worklist tab, each with its newest recommendation, its lead tenant's name (`tenant_name`), its
    stage (`stage_rank`, see arrears.stages) and last contact (`last_contact_on`), highest priority first or sorted by
    any column (WORKLIST_SORTS). `search` finds a tenant's name, a payment reference or an address, every word. One
    query (plus the paginator's count); the sort is in the query, so a page of 250,000 tenancies' cases is one
    top-N sort."""
    from django.db.models import DateField, DecimalField, Exists, F, OuterRef, Q, Subquery, Value
    from django.db.models.fields.json import KeyTextTransform
    from django.db.models.functions import Cast, Concat

    from tenancies.models import TenancyTenant

    from .constants import AgreementState, CaseStatus
    from .models import Agreement, ArrearsCase, Pause
    from .review_facts import tenancy_ended
    from .stages import STAGE_BY_KEY, stage_rank

    # One ladder's cases: the main tabs are current tenants' rent only (an ended tenancy's current-ladder case is closed
    # by the review, and its balance is worked on the former tenants' ladder, its own tab; recharges and sundry debts
    # have theirs).
    lead = TenancyTenant.objects.filter(tenancy=OuterRef("account__tenancy_id")).order_by("-is_lead", "id")
    cases = ArrearsCase.objects.filter(status=CaseStatus.OPEN, ladder=ladder)
    if ladder == Ladder.CURRENT:
        cases = cases.exclude(tenancy_ended(as_of, prefix="account__tenancy__"))
    cases = cases.select_related("latest_recommendation", "account__tenancy__property", "officer").annotate(
        tenant_name=Subquery(
            lead.annotate(name=Concat("person__first_name", Value(" "), "person__last_name")).values("name")[:1]
        ),
        tenant_sort=Subquery(
            lead.annotate(name=Concat("person__last_name", Value(" "), "person__first_name")).values("name")[:1]
        ),
        stage_rank=stage_rank(),
        last_contact_on=Cast(KeyTextTransform("last_contact_date", "latest_recommendation__facts"), DateField()),
        recoverable=Cast(
            KeyTextTransform("recoverable_balance", "latest_recommendation__facts"),
            DecimalField(max_digits=12, decimal_places=2),
        ),
    )
    if officer is not None:
        cases = cases.filter(officer=officer)
    cases = _in_patch_and_scheme(cases, "account__tenancy__property__", patch_id=patch_id, scheme_id=scheme_id)
    if action:
        cases = cases.filter(latest_recommendation__action=action)
    if stage in STAGE_BY_KEY:
        cases = cases.filter(stage_rank=STAGE_BY_KEY[stage].rank)
    for word in search.split()[:6]:
        cases = cases.filter(_case_has_word(word))
    paused = Exists(Pause.objects.filter(case=OuterRef("pk"), ends_on__gt=as_of))
    agreement = Exists(
        Agreement.objects.filter(case=OuterRef("pk"), state__in=[AgreementState.LIVE, AgreementState.BREACHED])
    )
    if tab == "immediate":
        cases = cases.filter(latest_recommendation__mode__in=["officer", "approval"]).exclude(paused)
    elif tab == "agreements":
        cases = cases.filter(agreement)
    elif tab == "paused":
        cases = cases.filter(paused)
    elif tab == "court":
        cases = cases.filter(Q(court_date__gte=as_of) | Q(eviction_date__gte=as_of))
    if sort not in WORKLIST_SORTS or sort == "priority":
        if ascending:  # lowest priority first: the exact reverse
            return cases.order_by("latest_recommendation__priority", "latest_recommendation__balance", "-id")
        return cases.order_by(*WORKLIST_SORTS["priority"], "id")
    columns = [F(name.lstrip("-")) for name in WORKLIST_SORTS[sort]]
    ordered = [c.asc(nulls_last=True) if ascending else c.desc(nulls_last=True) for c in columns]
    # Ties keep the priority order, so a sorted page still puts the urgent case first among equals.
    return cases.order_by(*ordered, *WORKLIST_SORTS["priority"], "id")


def _case_has_word(word: str):
    """A case whose payment reference starts with the word, or whose named tenant's name or home's address has it."""
    from django.db.models import Exists, OuterRef, Q

    from tenancies.models import TenancyTenant
    from tenancies.selectors import address_has

    named = TenancyTenant.objects.filter(tenancy=OuterRef("account__tenancy_id")).filter(
        Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
    )
    return (
        Q(account__tenancy__payment_reference__istartswith=word)
        | Exists(named)
        | address_has(word, via="account__tenancy__property__")
    )


def case_search(*, query: str):
    """Arrears cases, open or closed, whose tenancy's payment reference, named tenant or address has every word
    typed: open cases first, then the newest. Each with its lead tenant's name (`tenant_name`) and stage."""
    from django.db.models import Case, OuterRef, Subquery, Value, When
    from django.db.models.functions import Concat

    from tenancies.models import TenancyTenant

    from .constants import CaseStatus
    from .models import ArrearsCase
    from .stages import stage_rank

    words = query.split()[:6]
    if not words:
        return ArrearsCase.objects.none()
    lead = TenancyTenant.objects.filter(tenancy=OuterRef("account__tenancy_id")).order_by("-is_lead", "id")
    cases = ArrearsCase.objects.select_related("account__tenancy__property", "officer").annotate(
        tenant_name=Subquery(
            lead.annotate(name=Concat("person__first_name", Value(" "), "person__last_name")).values("name")[:1]
        ),
        stage_rank=stage_rank(),
        open_first=Case(When(status=CaseStatus.OPEN, then=Value(0)), default=Value(1)),
    )
    for word in words:
        cases = cases.filter(_case_has_word(word))
    return cases.order_by("open_first", "-opened_on", "-id")


def worklist_action_choices() -> list[tuple[str, str]]:
    """The recommended actions the live policies can give, as (action, label) by label, for the worklist's filter."""
    documents = ArrearsPolicyVersion.objects.filter(status=PolicyVersionStatus.LIVE).values_list("document", flat=True)
    return sorted(action_labels(documents).items(), key=lambda item: item[1].lower())


def action_labels(documents) -> dict[str, str]:
    """Each recommended action the policy documents can give, with its plain label. A letter step that wants a call
    first has its "Call or visit before" form too (arrears.engine.recommendations)."""
    labels: dict[str, str] = {}
    for document in documents:
        outcomes = [rule.get("outcome") or {} for rule in document.get("rules", [])] + [document.get("otherwise") or {}]
        for outcome in outcomes:
            action, label = outcome.get("action"), outcome.get("label")
            if not action or not label:
                continue
            labels.setdefault(action, label)
            if outcome.get("letter") and outcome.get("contact_first_days"):
                labels.setdefault(f"contact_before_{action}", f"Call or visit before: {label}")
    return labels


def tenancy_case_latest(*, tenancy):
    """The tenancy's arrears case to open from its other pages: the open one, else the latest closed; None if never."""
    from .constants import CaseStatus
    from .models import ArrearsCase

    cases = ArrearsCase.objects.filter(account__tenancy=tenancy)
    return cases.filter(status=CaseStatus.OPEN).first() or cases.order_by("-opened_on", "-id").first()


def officers_with_open_cases():
    """The people with an open case, for the worklist's officer filter. A semi-join that stops at each person's first
    open case (`EXISTS` on the officer index): a join with DISTINCT read every open case, 55-170 ms at 37,500 cases."""
    from django.db.models import Exists, OuterRef

    from incomeapp.models import User

    from .constants import CaseStatus
    from .models import ArrearsCase

    has_open = Exists(ArrearsCase.objects.filter(officer=OuterRef("pk"), status=CaseStatus.OPEN))
    return User.objects.filter(has_open).order_by("first_name", "username")


# Ended tenancies, by account rather than by case: what former tenants owe, and credits waiting to be refunded.
FORMER_TABS = {
    "former": "Former tenant arrears",
    "credits": "Credits to refund",
}


def former_tenancy_accounts(*, tab: str, officer=None, patch_id=None, scheme_id=None, without_case: bool = False):
    """Rent accounts of ended tenancies: owing (`former`, largest first) or in credit (`credits`, longest waiting
    first). Each carries `pending_request` (a refund or transfer already waiting for a decision), and the officer is
    the patch's. `without_case`: only those with no open case on the former tenants' ladder (not on it yet: still
    settling their final account, or waiting for the weekly review)."""
    from django.db.models import Exists, F, OuterRef

    from rentaccounts.constants import AccountKind, RequestKind, RequestStatus
    from rentaccounts.models import Account, AdjustmentRequest
    from tenancies.constants import TenancyStatus

    accounts = Account.objects.filter(kind=AccountKind.RENT, tenancy__status=TenancyStatus.FORMER).select_related(
        "tenancy__property__patch__officer"
    )
    if officer is not None:
        accounts = accounts.filter(tenancy__property__patch__officer=officer)
    accounts = _in_patch_and_scheme(accounts, "tenancy__property__", patch_id=patch_id, scheme_id=scheme_id)
    pending = AdjustmentRequest.objects.filter(
        status=RequestStatus.PENDING, kind__in=[RequestKind.REFUND, RequestKind.TRANSFER]
    )
    # A balance carried to a new home is a transfer whose paying side is the new account, so look at both sides.
    accounts = accounts.annotate(
        pending_request=Exists(pending.filter(account=OuterRef("pk")))
        | Exists(pending.filter(to_account=OuterRef("pk")))
    )
    if without_case:
        from .constants import CaseStatus
        from .models import ArrearsCase

        accounts = accounts.exclude(
            Exists(ArrearsCase.objects.filter(account=OuterRef("pk"), status=CaseStatus.OPEN, ladder=Ladder.FORMER))
        )
    if tab == "credits":
        return accounts.filter(balance__lt=0).annotate(credit=-F("balance")).order_by("tenancy__end_date", "id")
    return accounts.filter(balance__gt=0).order_by("-balance", "id")


def case_detail(*, pk: int):
    """A case with what its page shows: account, tenants, recommendation, diary, agreements, pauses."""
    from django.db.models import Prefetch

    from .models import Agreement, ArrearsCase, Contact

    return (
        ArrearsCase.objects.select_related(
            "account__tenancy__property", "officer", "latest_recommendation__policy_version__policy"
        )
        .prefetch_related(
            "account__tenancy__tenancy_tenants__person",
            Prefetch(
                "contacts",
                queryset=Contact.objects.select_related("person", "recorded_by").order_by("-occurred_on", "-id"),
            ),
            Prefetch(
                "agreements", queryset=Agreement.objects.prefetch_related("state_changes").order_by("-starts_on", "-id")
            ),
            "pauses",
        )
        .get(pk=pk)
    )


def case_benefits(*, case, today) -> dict:
    """The tenancy's claims and requests, and what to ask for now that the legal thresholds say so."""
    from decimal import Decimal

    from incomeapp.law import NoThreshold, threshold

    from .benefits import ClaimTerms, direct_payment_alerts

    tenancy = case.account.tenancy
    claims = list(tenancy.benefit_claims.all())
    requests = list(tenancy.direct_payment_requests.order_by("-requested_on"))
    recommendation = case.latest_recommendation
    weekly = Decimal(recommendation.facts.get("weekly_rent", "0")) if recommendation else Decimal(0)
    try:
        alerts = direct_payment_alerts(
            claims=[ClaimTerms(c.benefit, c.status, c.weekly_amount, c.paid_to_landlord, c.started_on) for c in claims],
            arrears=case.account.balance,
            weekly_rent=weekly,
            requested={r.kind for r in requests if r.status != "refused"},
            uc_months=threshold("uc_managed_payment_arrears_months", today),
            hb_weeks=threshold("hb_direct_payment_arrears_weeks", today),
        )
    except NoThreshold as error:
        alerts = [str(error)]
    return {"claims": claims, "direct_requests": requests, "benefit_alerts": alerts}


class PolicyChooser:
    """The live policy version for an account. On the current tenants' ladder: scheme policy, else tenure policy,
    else the default. On the former tenants' and sundry ladders: the live policy of that ladder (`by_ladder`), None
    when none is installed (the review then leaves those debts unworked, as before issue 16)."""

    compare: ArrearsPolicyVersion | None = None  # a dry run may evaluate with another version as well

    def __init__(self):
        live = {
            v.policy_id: v
            for v in ArrearsPolicyVersion.objects.filter(status=PolicyVersionStatus.LIVE).select_related("policy")
        }
        if not live:
            raise ValidationError("No arrears policy is live. Run `python manage.py arrears_policy install` first.")
        self.default = None
        self.by_scheme, self.by_tenure, self.by_ladder = {}, {}, {}
        for policy in ArrearsPolicy.objects.filter(id__in=live).prefetch_related("schemes").order_by("name"):
            version = live[policy.pk]
            if policy.ladder != Ladder.CURRENT:
                self.by_ladder.setdefault(policy.ladder, version)
                continue
            if policy.is_default:
                self.default = version
            for scheme in policy.schemes.all():
                self.by_scheme[scheme.pk] = version
            for tenure in policy.tenure_types or []:
                self.by_tenure[tenure] = version
        if self.default is None:
            raise ValidationError("No arrears policy is marked as the default. Mark one in the policy settings.")

    def version_for(self, facts: dict) -> ArrearsPolicyVersion | None:
        ladder = facts.get("_ladder", Ladder.CURRENT)
        if ladder != Ladder.CURRENT:
            return self.by_ladder.get(ladder)
        return self.by_scheme.get(facts["_scheme"]) or self.by_tenure.get(facts["tenure_type"]) or self.default

    def starts_after_days(self) -> int:
        """How long after its last day an ended tenancy's debt joins the former tenants' ladder (the former policy's
        `starts_after_days`: the final account settles first)."""
        version = self.by_ladder.get(Ladder.FORMER)
        return int(version.document.get("starts_after_days", 0)) if version else 0


def tenancy_weeks_basis(tenancy_ids: list[int] | None = None) -> dict[int, str]:
    """The weeks basis of each tenancy's arrears policy (every tenancy's when no ids are given). Registered with
    tenancies.selectors.weeks_basis, so the account page and rent statements count weeks as the worklist does; the
    dashboards read it too. Empty when no policy is live."""
    try:
        chooser = PolicyChooser()
    except ValidationError:
        return {}
    tenancies = Tenancy.objects.all() if tenancy_ids is None else Tenancy.objects.filter(pk__in=tenancy_ids)
    rows = tenancies.values_list("pk", "property__scheme_id", "tenure_type").iterator(chunk_size=10000)
    return {
        pk: weeks_basis(chooser.version_for({"_scheme": scheme, "tenure_type": tenure}).document)
        for pk, scheme, tenure in rows
    }


def case_letter_preview(payment_reference: str):
    """For the documents app's template preview: the open case of a payment reference, as merge values, the lead
    tenant as recipient, and the landlord."""
    from tenancies.references import payment_reference_normalise, payment_reference_problem

    from .constants import CaseStatus
    from .letters import case_letter_values  # the letters module reads the services, which read these selectors
    from .models import ArrearsCase

    reference = payment_reference_normalise(payment_reference)
    problem = payment_reference_problem(reference)
    if problem:
        raise LookupError(problem)
    case = (
        ArrearsCase.objects.filter(account__tenancy__payment_reference=reference, status=CaseStatus.OPEN)
        .select_related("account__tenancy__property__scheme__provider", "officer", "latest_recommendation")
        .first()
    )
    if case is None:
        raise LookupError(f"No open arrears case has the payment reference {reference}.")
    tenancy = case.account.tenancy
    people = tenancy.named_tenants()
    values = case_letter_values(case, people, case.latest_recommendation)
    values["tenant_name"] = people[0].full_name if people else "the tenant"
    recipient = {"name": values["tenant_name"], "address_lines": tenancy.property.address_lines}
    return values, recipient, tenancy.property.scheme.provider.letterhead


WHOLE_BOOK = "all"  # ReviewRun.scope of a review of every account (a re-review is "import:<batch id>")


def full_reviews(*, on_or_before: date | None = None):
    """Completed reviews of the whole book (not previews, not re-reviews of an import), newest first."""
    runs = ReviewRun.objects.filter(scope=WHOLE_BOOK, dry_run=False, status=ReviewStatus.COMPLETED)
    if on_or_before is not None:
        runs = runs.filter(as_of__lte=on_or_before)
    return runs.order_by("-as_of", "-id")


def universal_credit_tenancy_ids(*, on: date) -> set[int]:
    """Tenancies with a Universal Credit housing costs claim started by `on` that is pending or in payment."""
    return set(
        BenefitClaim.objects.filter(
            benefit=Benefit.UNIVERSAL_CREDIT,
            started_on__lte=on,
            status__in=[ClaimStatus.PENDING, ClaimStatus.IN_PAYMENT],
        ).values_list("tenancy_id", flat=True)
    )


def direct_payment_tenancy_ids(*, on: date) -> set[int]:
    """Tenancies whose Universal Credit is paid to the landlord (a managed payment, APA, or a third-party deduction for
    arrears) under a request made by `on` and approved or active."""
    return set(
        DirectPaymentRequest.objects.filter(
            kind__in=[DirectPaymentKind.MANAGED_PAYMENT, DirectPaymentKind.THIRD_PARTY_DEDUCTION],
            status__in=[DirectPaymentStatus.APPROVED, DirectPaymentStatus.ACTIVE],
            requested_on__lte=on,
        ).values_list("tenancy_id", flat=True)
    )
