"""The serious-arrears ground at the hearing (R-AST-01: met at service and at the hearing): the notice's Ground 8 (or
the Welsh RHW20 ground) worked out again on the hearing date, the figures the claim page shows before an outcome is
recorded, and why an outright order on a mandatory ground cannot be recorded."""

from datetime import date
from decimal import Decimal

from courts.constants import GroundKind
from courts.law import ground_spec
from courts.models import Notice
from courts.notice_rules import serious_arrears_test
from courts.selectors import rent_position, uc_awaited
from incomeapp.money import ZERO, format_money


def serious_arrears_at(notice: Notice, on: date) -> dict:
    """The serious-arrears ground the notice relies on (Ground 8, or the Welsh RHW20 ground) worked out on `on` (the
    hearing date) with the same evaluator as at service, beside its result at service: {} when the notice has none.
    R-AST-01: the threshold must be unpaid both at service and at the hearing."""
    codes = [ground.get("code") for ground in notice.grounds]
    rule = next(
        (
            ground
            for ground in notice.notice_rule.grounds.filter(code__in=codes).order_by("id")
            if ground.threshold_weeks is not None or ground.threshold_months is not None
        ),
        None,
    )
    if rule is None:
        return {}
    tenancy = notice.tenancy
    position = rent_position(tenancy=tenancy, on=on)
    if position.rent_per_period <= 0:
        return {}
    test = serious_arrears_test(
        ground_spec(rule),
        rent_arrears=position.rent_arrears,
        rent_per_period=position.rent_per_period,
        rent_period=tenancy.rent_period,
        uc_awaited=uc_awaited(tenancy=tenancy, on=on) if rule.uc_disregard else ZERO,
    )
    at_service = next((item for item in notice.serious_arrears if item.get("ground") == rule.code), {})
    return {
        "ground": rule.code,
        "title": rule.title,
        "mandatory": rule.kind == GroundKind.MANDATORY,
        "on": on.isoformat(),
        "rent_arrears": str(test.rent_arrears),
        "disregarded": str(test.disregarded),
        "counted": str(test.counted),
        "threshold": str(test.threshold),
        "margin": str(test.margin),
        "basis": test.basis,
        "met": test.met,
        "met_at_service": at_service.get("met"),
        "counted_at_service": at_service.get("counted"),
        "threshold_at_service": at_service.get("threshold"),
    }


def serious_arrears_summary(notice: Notice, serious: dict) -> dict:
    """The figures for the claim page, shown before the officer records an outcome (and kept with it)."""
    if not serious:
        return {}
    margin = Decimal(serious["margin"])
    return {
        **serious,
        "title": serious["title"].split(":")[0],
        "on": date.fromisoformat(serious["on"]),
        "over": margin if margin >= 0 else None,
        "short": -margin if margin < 0 else None,
        "outright_allowed": serious["met"] and serious["met_at_service"] is not False,
        "discretionary": discretionary_grounds(notice),
    }


def discretionary_grounds(notice: Notice) -> str:
    """The notice's discretionary grounds by name ("Ground 10 and Ground 11"), to proceed on when the mandatory one
    fails."""
    names = [g.get("title", "").split(":")[0] for g in notice.grounds if g.get("kind") == GroundKind.DISCRETIONARY]
    names = [name for name in names if name]
    if not names:
        return "the discretionary grounds"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def mandatory_ground_refusal(notice: Notice, serious: dict) -> str:
    """Why an outright order on a mandatory ground cannot be recorded ("" when it can): the notice gives no mandatory
    ground, or its serious-arrears ground was not met at service or is not met on the hearing date (R-AST-01)."""
    mandatory = notice.notice_type == "s21" or any(g.get("kind") == GroundKind.MANDATORY for g in notice.grounds)
    if not mandatory:
        return (
            f"{notice.label} gives no mandatory ground: record the order the court made on "
            f'{discretionary_grounds(notice)} with "made on a mandatory ground" left unticked.'
        )
    if not serious or not serious["mandatory"]:
        return ""
    title = serious["title"].split(":")[0]
    proceed = (
        f"An outright order on the mandatory ground cannot be recorded: proceed on {discretionary_grounds(notice)} "
        'only (leave "made on a mandatory ground" unticked) and record the order the court made on them.'
    )
    if serious["met_at_service"] is False:
        return (
            f"{title} was not met when the notice was served: rent arrears "
            f"{format_money(Decimal(serious['counted_at_service']))} against a threshold of "
            f"{format_money(Decimal(serious['threshold_at_service']))}. {proceed}"
        )
    if serious["met"]:
        return ""
    on = date.fromisoformat(serious["on"])
    return (
        f"{title} is not met at the hearing on {on:%-d %B %Y}: "
        f"rent arrears {format_money(Decimal(serious['counted']))} "
        f"against a threshold of {format_money(Decimal(serious['threshold']))} ({serious['basis']}), "
        f"{format_money(-Decimal(serious['margin']))} short. {proceed}"
    )
