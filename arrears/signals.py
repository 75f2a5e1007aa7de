"""Signals the arrears app sends for apps above it (they may not be imported from here).

`breathing_space_changed(sender=BreathingSpace, breathing_space=...)`: a moratorium was recorded or its dates changed
(an end recorded, a cancellation). Sent inside the recording transaction, so a receiver's writes (the courts app marks
a notice served during it void and moves its deadlines, R-BS-12 and R-BS-14) stand or fall with it.
"""

from django.dispatch import Signal

breathing_space_changed = Signal()
