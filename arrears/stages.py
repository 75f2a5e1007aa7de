"""Where a case is on the arrears ladder, in plain words ("Friendly reminder sent"), for the worklist's Stage column,
its sort and its filter.

The stage is the furthest legal milestone recorded on the case (eviction date, court date, notice served) or, before
any, the latest ladder step taken: the stage code of the latest letter (`last_stage_code` in the newest
recommendation's facts, refreshed by every review and re-review). One SQL expression gives each case its stage's rank,
so the worklist sorts and filters by it in the query.
"""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

_CODE = "latest_recommendation__facts__last_stage_code"


@dataclass(frozen=True)
class Stage:
    key: str  # what the filter sends (a slug; never shown)
    rank: int  # ladder order: sorting by stage sorts by this
    label: str  # what the worklist shows
    when: Q | None  # None: the default (no step taken yet)


# Highest rank first: the first that holds is the case's stage.
STAGES: tuple[Stage, ...] = (
    Stage("eviction", 90, "Eviction date set", Q(eviction_date__isnull=False)),
    Stage("court-breach", 80, "Court order breach letter sent", Q(**{_CODE: "court_breach_letter"})),
    Stage("court", 70, "Court hearing set", Q(court_date__isnull=False)),
    Stage("court-warning", 60, "Court warning sent", Q(**{_CODE: "court_warning_letter"})),
    Stage("notice", 50, "Notice served", Q(nosp_served_on__isnull=False)),
    Stage(
        "missed-payment",
        45,
        "Missed agreement payment letter sent",
        Q(**{f"{_CODE}__in": ["agreement_breach_letter", "informal_breach_letter"]}),
    ),
    Stage("final-warning", 40, "Final warning sent", Q(**{_CODE: "final_warning"})),
    Stage("second-letter", 31, "Second letter sent", Q(**{f"{_CODE}__in": ["letter_2", "letter_2_variant"]})),
    Stage("second-reminder", 30, "Second reminder sent", Q(**{_CODE: "reminder_2"})),
    Stage("first-letter", 21, "First letter sent", Q(**{_CODE: "letter_1"})),
    Stage("friendly-reminder", 20, "Friendly reminder sent", Q(**{_CODE: "reminder_1"})),
    # Any other stage code. Until a step is taken the key holds a JSON null, which `__isnull` counts as a value and
    # whose text SQLite reads as 'null', so the JSON null is excluded by name (`key=None` matches it on every database).
    Stage("other-step", 10, "Other letter sent", Q(**{f"{_CODE}__isnull": False}) & ~Q(**{_CODE: None})),
    Stage("none", 0, "No letter sent yet", None),
)

STAGE_BY_KEY = {stage.key: stage for stage in STAGES}
STAGE_LABELS = {stage.rank: stage.label for stage in STAGES}


def stage_rank():
    """The case's stage rank, as an SQL expression over an `ArrearsCase` row and its newest recommendation."""
    return Case(
        *(When(stage.when, then=Value(stage.rank)) for stage in STAGES if stage.when is not None),
        default=Value(0),
        output_field=IntegerField(),
    )


def stage_label(rank: int | None) -> str:
    return STAGE_LABELS.get(rank or 0, STAGE_LABELS[0])


def stage_choices() -> list[tuple[str, str]]:
    """(key, label) in ladder order, earliest first, for the filter."""
    return [(stage.key, stage.label) for stage in reversed(STAGES)]
