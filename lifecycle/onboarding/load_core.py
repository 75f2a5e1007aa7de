"""What the loader's parts share (see load.py): the reasons the history rows of a load give, `LoadRefused` (a service
refused a row) and `Applied` (what the load did)."""

from dataclasses import dataclass, field

from tenancies.history import DATA_LOAD_REASON

from .formats import LoadError

LOAD_REASON = f"{DATA_LOAD_REASON} from the housing management system"
CHARGE_CHANGE_REASON = f"{DATA_LOAD_REASON}: charges changed in the housing management system"


class LoadRefused(Exception):
    """A service refused a row while loading: nothing is kept."""

    def __init__(self, error: LoadError):
        super().__init__(str(error))
        self.error = error


@dataclass
class Applied:
    """What the load did (or, rolled back, would have done)."""

    account_ids: set[int] = field(default_factory=set)
    opening_balances: int = 0
    opening_balances_total: object = 0
    bulk: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def _user_id(loader) -> int | None:
    return loader.by.pk if loader.by is not None else None
