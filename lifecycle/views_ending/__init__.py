"""Screens for ending a tenancy (form, check your answers with the figures worked out before anything is saved, and a
confirmation saying what happened, with the refund and transfer buttons for a credit), correcting the end, transfers,
mutual exchanges, successions and assignments. Thin: `lifecycle.ending` decides, checks and works the figures out.

The parts:
- `steps`: what every screen shares (the tenancy in scope, the form / check / confirm steps, errors beside fields).
- `end_of_tenancy`: `end`, `end_correct`, `end_done`, and the credit's `end_refund` and `end_credit_transfer`.
- `transfers`: `transfer`, `mutual_exchange` and their confirmation, `moved`.
- `successions`: `succession` and `assignment`.
"""

from .end_of_tenancy import end, end_correct, end_credit_transfer, end_done, end_refund
from .steps import ASK, END, TEMPLATES
from .successions import assignment, succession
from .transfers import moved, mutual_exchange, transfer

__all__ = [
    "ASK",
    "END",
    "TEMPLATES",
    "assignment",
    "end",
    "end_correct",
    "end_credit_transfer",
    "end_done",
    "end_refund",
    "moved",
    "mutual_exchange",
    "succession",
    "transfer",
]
