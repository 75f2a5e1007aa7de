"""Signals the arrears app sends for apps above it (they may not be imported from here).

`breathing_space_changed(sender=BreathingSpace, breathing_space=...)`: a moratorium was recorded or its dates changed
(an end recorded, a cancellation). Sent inside the recording transaction, so a receiver's writes (the courts app marks
a notice served during it void and moves its deadlines, R-BS-12 and R-BS-14) stand or fall with it.
"""

from django.dispatch import Signal

breathing_space_changed = Signal()

# For webhooks (api.receivers), each sent inside the writing transaction with ids only:
# `cases_changed(sender=ArrearsCase, opened=[case ids], closed=[case ids])`: cases opened or closed (the review's bulk
# writes, a legal step opening a case, a tenancy ending).
cases_changed = Signal()
# `recommendations_changed(sender=ArrearsCase, previous_actions={case id: the action before})`: cases whose newest
# recommendation's action differs from the one before it (a new case's first recommendation is not a change).
recommendations_changed = Signal()
# `agreements_breached(sender=Agreement, agreement_ids=[...], on=date)`: the daily monitor found agreements broken.
agreements_breached = Signal()
