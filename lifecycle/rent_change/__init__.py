"""The rent change run: the annual rent change (or any change to many tenancies' charges at once).

A manager prepares a run, by a rule (a percentage, optionally capped per week per charge, for chosen charge types in
chosen schemes) or from a CSV file of new weekly charges per home or per tenancy. Preparing writes a line for every
charge that changes (old, new, difference) of every tenancy live on the date, and of every home's own weekly schedule
(`PropertyCharge`, what the next tenancy is offered). Nothing else changes until a second person approves it.

On approval, Celery applies the lines in chunks (`tenancy_charges_change` for each tenancy, `property_charges_set` for
each home) and then makes the letters, one per named tenant, in batches of 25. Each step is safe to repeat: a line
applied points at the charge it made, a letter is found again by its subject key, and an approved run cannot be
approved again. The date must leave the notice period: the letters go out on the day of approval, which must be no
later than `notice_weeks` before the new charges start.

The parts:
- `preparing`: the date and the notice rule (`notice_problem`, `rent_change_default_date`) and a run prepared by a rule
  (`rent_change_run_prepare_rule`).
- `csv_upload`: a run prepared from a CSV file (`rent_change_run_prepare_csv`, `CSV_COLUMNS`).
- `progress`: what a run shows (`rent_change_run_figures`, `rent_change_run_progress`, `run_label`).
- `approval`: sending for approval, cancelling, approving and rejecting.
- `applying`: Celery's chunks that apply an approved run (`rent_change_run_dispatch`, `rent_change_run_apply`).
- `letters`: the letters' merge values and the letters made in batches.
"""

from .applying import APPLY_CHUNK, LETTER_BATCH, rent_change_run_apply, rent_change_run_dispatch
from .approval import rent_change_run_approve, rent_change_run_cancel, rent_change_run_reject, rent_change_run_submit
from .csv_upload import CSV_COLUMNS, CSV_REFERENCE_COLUMNS, MAX_CSV_PROBLEMS, rent_change_run_prepare_csv
from .letters import rent_change_letter_values, rent_change_letters_make
from .preparing import (
    letters_due_by,
    notice_problem,
    notice_weeks_default,
    rent_change_default_date,
    rent_change_run_prepare_rule,
    rule_new_amount,
)
from .progress import (
    LETTER_TEMPLATE,
    RunFigures,
    RunProgress,
    rent_change_run_figures,
    rent_change_run_progress,
    run_label,
)

__all__ = [
    "APPLY_CHUNK",
    "CSV_COLUMNS",
    "CSV_REFERENCE_COLUMNS",
    "LETTER_BATCH",
    "LETTER_TEMPLATE",
    "MAX_CSV_PROBLEMS",
    "RunFigures",
    "RunProgress",
    "letters_due_by",
    "notice_problem",
    "notice_weeks_default",
    "rent_change_default_date",
    "rent_change_letter_values",
    "rent_change_letters_make",
    "rent_change_run_apply",
    "rent_change_run_approve",
    "rent_change_run_cancel",
    "rent_change_run_dispatch",
    "rent_change_run_figures",
    "rent_change_run_prepare_csv",
    "rent_change_run_prepare_rule",
    "rent_change_run_progress",
    "rent_change_run_reject",
    "rent_change_run_submit",
    "rule_new_amount",
    "run_label",
]
