"""The notice planner: for a tenancy and a service date, the notice to use, the grounds available, the earliest date
proceedings may begin, when the notice lapses, Ground 8 with its margin, and anything that stops a notice being
served (a Breathing Space). Shown on the tenancy's legal page and by `manage.py notice_plan`."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears.moratorium import deadline_moved
from arrears.selectors import moratoria, moratorium_law
from incomeapp.law import NoThreshold, threshold
from incomeapp.workingdays import add_working_days
from tenancies.models import Tenancy

from .constants import ServiceMethod
from .law import NoNoticeRule, notice_specs
from .notice_rules import (
    NoticeSpec,
    SeriousArrearsTest,
    earliest_proceedings_date,
    lapse_date,
    review_request_deadline,
    serious_arrears_test,
)
from .selectors import RentPosition, grounds_for_arrears, rent_position, uc_awaited

DEEMED_SERVICE_DAYS = {
    ServiceMethod.FIRST_CLASS_POST: "deemed_service_post_working_days",
    ServiceMethod.LEFT_AT_PROPERTY: "deemed_service_left_working_days",
}


def deemed_service_date(*, served_on: date, method: str, jurisdiction: str) -> date:
    """The day a notice counts as served: the day it is handed over, or some working days later when left at the home
    or posted (effective-dated figures in the law table)."""
    key = DEEMED_SERVICE_DAYS.get(method)
    if key is None:
        return served_on
    return add_working_days(served_on, int(threshold(key, served_on)), jurisdiction=jurisdiction)


@dataclass
class NoticeOption:
    spec: NoticeSpec
    earliest_proceedings: date
    lapses_on: date | None  # the last day for proceedings as moved by any Breathing Space (R-BS-14), for display
    lapse_note: str
    review_by: date | None
    barred: bool = False  # a rent-arrears notice during a Breathing Space
    statutory_lapses_on: date | None = None  # the date the law gives, before any move: what a served notice keeps
    for_arrears: bool = True  # on rent-arrears grounds (R-BS-12); a section 21 notice is not
    serious_arrears: list[SeriousArrearsTest] = field(default_factory=list)

    def as_dict(self) -> dict:
        spec = self.spec
        return {
            "notice": spec.label,
            "notice_type": spec.notice_type,
            "form": spec.form,
            "regime": spec.regime,
            "court_order_needed": spec.court_order_needed,
            "can_serve": not self.barred,
            "grounds": [
                {"code": g.code, "title": g.title, "kind": g.kind, "notice_days": g.notice_days, "text": g.text}
                for g in spec.grounds
            ],
            "earliest_proceedings_date": self.earliest_proceedings.isoformat(),
            "lapses_on": self.lapses_on.isoformat() if self.lapses_on else None,
            "lapse_note": self.lapse_note,
            "statutory_lapses_on": self.statutory_lapses_on.isoformat() if self.statutory_lapses_on else None,
            "review_request_by": self.review_by.isoformat() if self.review_by else None,
            "serious_arrears": [
                {
                    "ground": test.ground,
                    "met": test.met,
                    "rent_arrears": str(test.rent_arrears),
                    "disregarded_uc_awaited": str(test.disregarded),
                    "counted": str(test.counted),
                    "threshold": str(test.threshold),
                    "margin": str(test.margin),
                    "basis": test.basis,
                }
                for test in self.serious_arrears
            ],
            "prescribed_information": spec.prescribed_information,
            "source": spec.source,
        }


@dataclass
class NoticePlan:
    tenancy: Tenancy
    served_on: date
    method: str
    deemed_served_on: date | None
    position: RentPosition | None
    options: list[NoticeOption] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def can_serve(self) -> bool:
        return any(not option.barred for option in self.options)

    def as_dict(self) -> dict:
        position = self.position
        return {
            "payment_reference": self.tenancy.payment_reference,
            "tenure": self.tenancy.get_tenure_type_display(),
            "tenants": [person.full_name for person in self.tenancy.named_tenants()],
            "served_on": self.served_on.isoformat(),
            "service_method": self.method,
            "deemed_served_on": self.deemed_served_on.isoformat() if self.deemed_served_on else None,
            "rent_period": self.tenancy.rent_period,
            "rent_per_period": str(position.rent_per_period) if position else None,
            "balance": str(position.balance) if position else None,
            "rent_arrears": str(position.rent_arrears) if position else None,
            "not_rent_left_out": [
                {"date": item["date"].isoformat(), "what": item["what"], "amount": str(item["amount"])}
                for item in (position.excluded if position else [])
            ],
            "can_serve": self.can_serve,
            "blocked": self.blocked,
            "problems": self.problems,
            "notices": [option.as_dict() for option in self.options],
        }


def notice_plan(*, tenancy: Tenancy, served_on: date, method: str = ServiceMethod.HAND) -> NoticePlan:
    provider = tenancy.property.scheme.provider
    plan = NoticePlan(tenancy=tenancy, served_on=served_on, method=method, deemed_served_on=None, position=None)
    try:
        deemed = deemed_service_date(served_on=served_on, method=method, jurisdiction=provider.jurisdiction)
        specs = notice_specs(
            jurisdiction=provider.jurisdiction,
            landlord_type=provider.landlord_type,
            tenure_type=tenancy.tenure_type,
            served_on=deemed,
        )
    except (NoNoticeRule, NoThreshold) as error:
        plan.problems.append(str(error))
        return plan
    plan.deemed_served_on = deemed
    plan.position = position = rent_position(tenancy=tenancy, on=deemed)
    spaces = moratoria(tenancy=tenancy)  # a joint tenant's moratorium protects the tenancy's debt (R-BS-03)
    law = moratorium_law(served_on)
    for space in spaces:
        if space.covers(served_on) or space.covers(deemed):
            plan.blocked.append(
                f"A Breathing Space began on {space.starts_on:%-d %B %Y}"
                + (f" and runs to {space.ends_on:%-d %B %Y}" if space.ends_on else " and has no end date yet")
                + ": a notice on rent-arrears grounds served now would be void (SI 2020/1311). "
                "Wait until it ends."
            )
    awaited = uc_awaited(tenancy=tenancy, on=deemed) if any(g.uc_disregard for s in specs for g in s.grounds) else 0
    for spec in specs:
        grounds = list(spec.grounds)
        earliest = earliest_proceedings_date(
            spec,
            deemed_served_on=deemed,
            tenancy_start=tenancy.start_date,
            rent_period=tenancy.rent_period,
            grounds=grounds,
        )
        for_arrears = grounds_for_arrears(rule_id=spec.rule_id, codes=[ground.code for ground in grounds])
        statutory = lapse_date(spec, deemed_served_on=deemed, earliest=earliest)
        # R-BS-14 moves a step to enforce the moratorium debt; a section 21 notice is not one and keeps its date.
        lapses, note = deadline_moved(statutory, spaces, law) if for_arrears else (statutory, "")
        option = NoticeOption(
            spec=spec,
            earliest_proceedings=earliest,
            lapses_on=lapses,
            lapse_note=note,
            review_by=review_request_deadline(spec, deemed_served_on=deemed),
            # R-BS-12: no notice on rent-arrears grounds during a moratorium; a section 21 notice is not one.
            barred=bool(plan.blocked) and for_arrears,
            statutory_lapses_on=statutory,
            for_arrears=for_arrears,
        )
        for ground in grounds:
            if ground.is_serious_arrears_test and position.rent_per_period > 0:
                option.serious_arrears.append(
                    serious_arrears_test(
                        ground,
                        rent_arrears=position.rent_arrears,
                        rent_per_period=position.rent_per_period,
                        rent_period=tenancy.rent_period,
                        uc_awaited=Decimal(awaited),
                    )
                )
        plan.options.append(option)
    if position.rent_arrears <= 0:
        plan.problems.append("No rent lawfully due is unpaid on the date of service: there are no arrears to rely on.")
    return plan
