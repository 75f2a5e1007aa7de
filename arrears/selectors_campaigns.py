"""Reads for campaigns (one message to everyone on a list a manager chose): the list of cases from the filters the
worklist has, the filters in words, the published templates to choose from, and a campaign's messages by status."""

from decimal import Decimal

from django.db.models import Count, Min, Prefetch

from messaging.constants import MessageStatus
from messaging.models import Campaign, Message, MessageTemplate
from tenancies.models import Patch, Provider, Scheme, TenancyTenant
from tenancies.scoping import scoped

from .constants import Ladder
from .selectors import WORKLIST_TABS, worklist

# The lists a campaign can go to: the worklist's tabs of current tenants' cases, and the other ladders' tabs.
CAMPAIGN_LISTS = {
    "patch": "Every open case of current tenants",
    **{key: f"Worklist tab: {label}" for key, label in WORKLIST_TABS.items() if key != "patch"},
    "former": "Former tenant arrears",
    "sundry": "Recharges and sundry debts",
}
_LIST_LADDER = {"former": Ladder.FORMER, "sundry": Ladder.SUNDRY}

# A campaign's messages by what happened to them, as the campaign page counts them.
STATUS_GROUPS = {
    "waiting": ("Waiting to send", (MessageStatus.QUEUED, MessageStatus.SENDING)),
    "sent": ("Sent, waiting for the delivery report", (MessageStatus.SENT,)),
    "delivered": ("Delivered", (MessageStatus.DELIVERED,)),
    "failed": (
        "Not delivered or refused",
        (MessageStatus.TEMPORARY_FAILURE, MessageStatus.PERMANENT_FAILURE, MessageStatus.FAILED),
    ),
    "withheld": ("Held back by a rule", (MessageStatus.WITHHELD,)),
    "no_provider": ("Not sent: no provider is set up", (MessageStatus.NO_PROVIDER,)),
}


def campaign_cases(*, criteria: dict, as_of, user=None) -> list:
    """The open cases on the list `criteria` describes (the filters `campaign_criteria_words` reads), as the user may
    see them, in the worklist's priority order. One query for the cases with their tenancy, and one for every case's
    named tenants (prefetched), whatever the number of cases."""
    tab = criteria.get("tab") if criteria.get("tab") in CAMPAIGN_LISTS else "patch"
    ladder = _LIST_LADDER.get(tab, Ladder.CURRENT)
    cases = worklist(
        tab=tab if tab in WORKLIST_TABS else "patch",
        as_of=as_of,
        officer=None,
        patch_id=criteria.get("patch") or None,
        scheme_id=criteria.get("scheme") or None,
        action=criteria.get("action") or "",
        stage=criteria.get("stage") or "",
        ladder=ladder,
    )
    if criteria.get("officer"):
        cases = cases.filter(officer_id=criteria["officer"])
    if criteria.get("provider"):
        cases = cases.filter(account__tenancy__property__scheme__provider_id=criteria["provider"])
    if criteria.get("min_balance"):
        cases = cases.filter(account__balance__gte=Decimal(criteria["min_balance"]))
    cases = scoped(cases, user, "account__tenancy__") if user is not None else cases
    tenants = TenancyTenant.objects.select_related("person").order_by("-is_lead", "id")
    return list(
        cases.select_related(
            "account__tenancy__property__scheme__provider", "latest_recommendation", "officer"
        ).prefetch_related(Prefetch("account__tenancy__tenancy_tenants", queryset=tenants))
    )


def campaign_criteria_words(criteria: dict) -> str:
    """The list in words, as the preview and the campaign page say it ("Every open case of current tenants; patch:
    North; balance at least £100.00")."""
    from incomeapp.money import format_money

    from .selectors import worklist_action_choices
    from .stages import STAGE_BY_KEY as stages

    words = [CAMPAIGN_LISTS.get(criteria.get("tab") or "patch", CAMPAIGN_LISTS["patch"])]
    named = (
        ("patch", Patch, "patch"),
        ("scheme", Scheme, "scheme"),
        ("provider", Provider, "landlord"),
    )
    for key, model, label in named:
        if criteria.get(key):
            name = model.objects.filter(pk=criteria[key]).values_list("name", flat=True).first()
            words.append(f"{label}: {name or 'no longer exists'}")
    if criteria.get("officer"):
        from incomeapp.models import User

        officer = User.objects.filter(pk=criteria["officer"]).first()
        words.append(f"officer: {(officer.get_full_name() or officer.username) if officer else 'no longer exists'}")
    if criteria.get("stage") in stages:
        words.append(f"stage: {stages[criteria['stage']].label}")
    if criteria.get("action"):
        words.append(
            f"recommended action: {dict(worklist_action_choices()).get(criteria['action'], criteria['action'])}"
        )
    if criteria.get("min_balance"):
        words.append(f"balance at least {format_money(Decimal(criteria['min_balance']))}")
    return "; ".join(words)[:255]


def campaign_templates():
    """The message templates with a published version, to choose from (drafts are never sent)."""
    return MessageTemplate.objects.filter(versions__published_at__isnull=False).distinct().order_by("title")


def campaigns_list():
    """Newest first. Each shows how many people it reached (kept on the campaign, not counted from its messages)."""
    return Campaign.objects.select_related("template_version__template", "created_by").order_by("-created_at", "-id")


def campaign_detail(*, pk: int) -> Campaign:
    return Campaign.objects.select_related("template_version__template", "created_by").get(pk=pk)


def campaign_status_counts(campaign: Campaign) -> list[dict]:
    """How many of the campaign's messages are in each group of statuses (waiting, sent, delivered, failed, withheld,
    and not sent for want of a provider), in one query."""
    by_status = dict(
        Message.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        {"key": key, "label": label, "count": sum(by_status.get(status, 0) for status in statuses)}
        for key, (label, statuses) in STATUS_GROUPS.items()
    ]


def campaign_waiting_from(campaign: Campaign):
    """When the first of its messages still waiting to send is due to go (None when none is waiting)."""
    waiting = Message.objects.filter(campaign=campaign, status=MessageStatus.QUEUED)
    return waiting.aggregate(first=Min("send_after"))["first"]
