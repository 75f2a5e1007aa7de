"""Breathing Space on the case page: recording one (with what it holds, R-BS-10, R-BS-14, R-BS-21), its end, the
end of a crisis moratorium's treatment, a review asked for and its outcome, and the agents told (R-BS-15)."""

from django.utils import timezone

from arrears import services

from .case_page import case_form_view


def _what_it_holds(space) -> str:
    """What a recording set off, for the banner (R-BS-10, R-BS-14, R-BS-21)."""
    from incomeapp.money import format_money

    if space.ends_on is None:
        until = "30 days after the crisis treatment ends (record that date when the adviser gives it)"
    else:
        until = f"{space.ends_on:%-d %B %Y}"
    ended = space.ends_on is not None and space.ends_on < timezone.localdate()
    if ended:
        return (
            f"It protected the moratorium debt of {format_money(space.debt_covered)} until {until}; arrears letters "
            "and legal steps on it may start again. Any notice's deadline that fell inside it moves to 8 weeks after "
            "that day."
        )
    return (
        f"Arrears letters and legal steps on the moratorium debt of {format_money(space.debt_covered)} are held until "
        f"{until}; only arrears that build up after the start may be chased. Any notice's deadline that "
        "falls inside it moves to 8 weeks after it ends."
    )


breathing_space_add = case_form_view(
    "breathing_space_form",
    "arrears.add_breathingspace",
    services.breathing_space_record,
    about="tenancy",
    officer="recorded_by",
    success=lambda recorded: f"Breathing Space recorded. {_what_it_holds(recorded.breathing_space)}",
    warning=lambda recorded: recorded.warning,
)
breathing_space_end = case_form_view(
    "space_end_form",
    "arrears.change_breathingspace",
    services.breathing_space_end_record,
    about="space",
    officer="recorded_by",
    success=lambda space: f"End recorded. {_what_it_holds(space)}",
)
breathing_space_treatment_end = case_form_view(
    "space_treatment_form",
    "arrears.change_breathingspace",
    services.breathing_space_treatment_end_record,
    about="space",
    officer="recorded_by",
    success=lambda space: (
        f"Crisis treatment end recorded: the Breathing Space ends on {space.ends_on:%-d %B %Y}. {_what_it_holds(space)}"
    ),
)
breathing_space_review_request = case_form_view(
    "space_review_form",
    "arrears.change_breathingspace",
    services.breathing_space_review_request_record,
    about="space",
    officer="recorded_by",
    success="Review request recorded. The moratorium stays in force until the debt adviser decides: record their "
    "answer here when it comes.",
)


def _review_outcome_said(space) -> str:
    if space.review_outcome == "cancelled":
        return f"Cancellation recorded. {_what_it_holds(space)}"
    return "Outcome recorded: the Breathing Space stays in force."


breathing_space_review_outcome = case_form_view(
    "space_outcome_form",
    "arrears.change_breathingspace",
    services.breathing_space_review_outcome_record,
    about="space",
    officer="recorded_by",
    success=_review_outcome_said,
)
breathing_space_agent_told = case_form_view(
    "space_agent_form",
    "arrears.change_breathingspace",
    services.breathing_space_agent_told_record,
    about="space",
    officer="recorded_by",
    success=lambda notice: (
        f"Recorded: {notice.agent_name} told of the Breathing Space on {notice.told_on:%-d %B %Y} "
        "(the evidence reg 12 asks for)."
    ),
)
