"""Worklist priority: a score whose parts are shown to the officer, so the order is never a black box. Pure."""

from datetime import date
from decimal import Decimal


def priority(*, mode: str, severity: int, arrears_weeks: Decimal, last_contact: date | None, agreement_state, as_of):
    """(score, parts) where parts is a list of [what, points]. Cases that need nobody (mode "none") score 0."""
    if mode == "none":
        return 0, []
    weeks = max(Decimal(0), arrears_weeks)
    days = (as_of - last_contact).days if last_contact else None
    parts = [
        ["how serious the recommended step is", severity],
        [f"{weeks:.1f} weeks of rent owed", min(int(weeks * 3), 30)],
        [
            "no contact on record" if days is None else f"{days} days since the last contact",
            20 if days is None else min(days // 3, 20),
        ],
    ]
    if agreement_state == "breached":
        parts.append(["a broken agreement", 15])
    return sum(points for _, points in parts), parts
