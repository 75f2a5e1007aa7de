"""The Housing Ombudsman's Complaint Handling Code as Rentwise holds it: how many working days a landlord has to
acknowledge and answer a complaint at each stage, from the day each version of the Code took effect.

The rows are data (`ComplaintHandlingRule`), added by a data migration through `complaint_rules_install` and
changeable under Admin; a stage uses the rule in force on the day it began (docs/messaging.md, "Complaints")."""

from datetime import date

from incomeapp.law import shipped_rows_install

from .constants import ComplaintStageKind, ResponseClockStart

CODE_2022 = (
    "Housing Ombudsman, Complaint Handling Code (March 2022), "
    "https://www.housing-ombudsman.org.uk/landlords-info/complaint-handling-code/"
)
CODE_2024 = (
    "Housing Ombudsman, Complaint Handling Code (February 2024; statutory under the Social Housing (Regulation) "
    "Act 2023 from 1 April 2024), https://www.housing-ombudsman.org.uk/landlords-info/complaint-handling-code/"
)

COMPLAINT_HANDLING_RULES = (
    {
        "stage": ComplaintStageKind.STAGE_1,
        "effective_from": date(2022, 4, 1),
        "acknowledge_working_days": 5,
        "respond_working_days": 10,
        "respond_from": ResponseClockStart.RECEIVED,
        "extension_working_days": 10,
        "source": f"{CODE_2022}: section 4 (a complaint acknowledged and logged within five working days of receipt) "
        "and paragraph 5.1 (respond within 10 working days of the complaint being logged; exceptionally, with an "
        "explanation and a clear timeframe, no more than a further 10 days without good reason).",
    },
    {
        "stage": ComplaintStageKind.STAGE_2,
        "effective_from": date(2022, 4, 1),
        "acknowledge_working_days": 5,
        "respond_working_days": 20,
        "respond_from": ResponseClockStart.RECEIVED,
        "extension_working_days": 10,
        "source": f"{CODE_2022}: paragraph 5.13 (confirm the stage two response within 20 working days of the "
        "request to escalate; exceptionally no more than a further 10 days without good reason).",
    },
    {
        "stage": ComplaintStageKind.STAGE_1,
        "effective_from": date(2024, 4, 1),
        "acknowledge_working_days": 5,
        "respond_working_days": 10,
        "respond_from": ResponseClockStart.ACKNOWLEDGED,
        "extension_working_days": 10,
        "source": f"{CODE_2024}: paragraph 6.2 (acknowledged, defined and logged at stage 1 within five working days "
        "of the complaint being received), 6.3 (a full response within 10 working days of the complaint being "
        "acknowledged) and 6.4 (any extension no more than 10 working days without good reason, the reason "
        "explained to the resident).",
    },
    {
        "stage": ComplaintStageKind.STAGE_2,
        "effective_from": date(2024, 4, 1),
        "acknowledge_working_days": 5,
        "respond_working_days": 20,
        "respond_from": ResponseClockStart.ACKNOWLEDGED,
        "extension_working_days": 20,
        "source": f"{CODE_2024}: paragraph 6.11 (escalation requests acknowledged, defined and logged at stage 2 "
        "within five working days of being received), 6.16 (a final response within 20 working days of the "
        "request being acknowledged) and 6.17 (any extension no more than 20 working days without good reason, "
        "the reason explained to the resident).",
    },
)


def complaint_rules_install(rule_model=None) -> int:
    """Adds the shipped rules that are missing (safe to repeat; a migration passes its own model)."""
    if rule_model is None:
        from .models import ComplaintHandlingRule as rule_model
    return shipped_rows_install(rule_model, COMPLAINT_HANDLING_RULES, keys=("stage", "effective_from"))
