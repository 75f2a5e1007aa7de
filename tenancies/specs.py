"""Plain values the services for homes and tenancies take, shared by the screens and the data load."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ChargeSpec:
    """One charge of a tenancy or home: its type, the amount due each rent period, and whether it counts as rent."""

    charge_type: str
    amount: Decimal
    counts_as_rent: bool = True
