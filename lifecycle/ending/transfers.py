"""Transfers and mutual exchanges: one tenancy ends and another starts, each recorded as an event naming the other."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from incomeapp.money import ZERO, format_money
from incomeapp.roles import staff_require
from lifecycle.charges import CHARGE_LABELS
from lifecycle.signup import sign_up_charges_default, tenancy_sign_up
from rentaccounts.models import AdjustmentRequest
from tenancies.constants import LICENCE_TENURES, EndReason, PaymentMethod, TenancyEventKind
from tenancies.models import Person, Property, Tenancy, TenancyEvent
from tenancies.selectors import charges_in_effect
from tenancies.specs import ChargeSpec

from .credit import balance_carry_request
from .end_of_tenancy import _end
from .figures import EndResult, _rent_balance, balance_left_is
from .rules import AFTER_DIRECT_DEBIT, END_PERMISSION, _address, _dry_runnable, _names, _require_current

# ---- transfers and mutual exchanges: one tenancy ends, another starts ------------------------------------------------


@dataclass
class SignedUp:
    """A tenancy signed up by a move, with what the confirmation (or, on a dry run, the check page) shows of it."""

    tenancy: Tenancy
    tenants: list[Person]
    charges: list[ChargeSpec]
    balance: Decimal

    @property
    def charge_lines(self) -> list[tuple[str, Decimal]]:
        return [(CHARGE_LABELS.get(c.charge_type, c.charge_type), c.amount) for c in self.charges]


@dataclass
class MoveResult:
    """A transfer or mutual exchange: the tenancies that ended, the ones signed up, and any balance request."""

    kind: str
    ended: list[EndResult] = field(default_factory=list)
    signed_up: list[SignedUp] = field(default_factory=list)
    requests: list[AdjustmentRequest] = field(default_factory=list)
    events: list[TenancyEvent] = field(default_factory=list)

    @property
    def new_tenancies(self) -> list[Tenancy]:
        return [s.tenancy for s in self.signed_up]

    def _record(self, tenancy: Tenancy, start: date) -> None:
        self.signed_up.append(
            SignedUp(tenancy, tenancy.named_tenants(), _tenancy_charges(tenancy, start), _rent_balance(tenancy))
        )

    def _record_events(self, *, by, old: Tenancy, new: Tenancy, on: date, reason: str, detail: dict) -> None:
        """The move's event (of this result's kind) on the old tenancy and on the new one, each naming the other."""
        for this, other in ((old, new), (new, old)):
            self.events.append(
                TenancyEvent.objects.create(
                    tenancy=this,
                    kind=self.kind,
                    effective_date=on,
                    reason=reason,
                    detail=detail,
                    related_tenancy=other,
                    recorded_by=by,
                )
            )


def _tenancy_charges(tenancy: Tenancy, on: date) -> list[ChargeSpec]:
    return [
        ChargeSpec(c.charge_type, c.amount, c.counts_as_rent)
        for c in charges_in_effect(list(tenancy.charges.all()), on)
        if c.amount != ZERO
    ]


def _sign_up(*, by, property, old: Tenancy, start_date, tenants, charges, payment_method, send_letters, tenure_type=""):
    tenure = tenure_type or old.tenure_type
    return tenancy_sign_up(
        by=by,
        property=property,
        tenure_type=tenure,
        start_date=start_date,
        tenants=tenants,
        rent_period=old.rent_period,
        charges=charges,
        payment_method=payment_method,
        licence_basis=old.licence_basis if tenure in LICENCE_TENURES else "",
        send_letters=send_letters,
    ).tenancy


def _payment_method_after(old: Tenancy) -> str:
    """How a moved tenancy pays at first: as before, unless that was the direct debit the end cancelled."""
    return AFTER_DIRECT_DEBIT if old.payment_method == PaymentMethod.DIRECT_DEBIT else old.payment_method


def tenancy_transfer(
    *,
    by,
    tenancy: Tenancy,
    to_property: Property,
    start_date: date,
    carry_balance: bool,
    charges: list[ChargeSpec] | None = None,
    tenure_type: str = "",
    payment_method: str = "",
    note: str = "",
    send_letters: bool = True,
    dry_run: bool = False,
) -> MoveResult:
    """A transfer to another of our homes: the tenancy ends the day before `start_date` (reason transfer) and a new
    one for the same named tenants starts at `to_property` (its own charges from that day unless `charges` are given;
    the same tenure unless `tenure_type` is). The old balance is either kept as former-tenant arrears (or a credit to
    refund), or, with `carry_balance`, carried to the new rent account by a transfer request someone else approves.
    Both tenancies record a TRANSFER event that names the other."""
    staff_require(by, END_PERMISSION, "record transfers")
    if carry_balance and by is None:
        raise ValidationError("A balance is carried by a request that someone else approves, so a person must ask.")

    def work() -> MoveResult:
        old = Tenancy.objects.select_for_update().select_related("property").get(pk=tenancy.pk)
        _require_current(old, "a transfer")
        if to_property.pk == old.property_id:
            raise ValidationError("Choose a different home: a transfer moves the tenants to another of our homes.")
        new_charges = (
            charges
            if charges is not None
            else sign_up_charges_default(property=to_property, rent_period=old.rent_period, on=start_date)
        )
        if not new_charges:
            raise ValidationError(
                f"{to_property} has no charges set from {start_date:%-d %B %Y}. Enter the new tenancy's charges."
            )
        tenants = old.named_tenants()
        result = MoveResult(kind=TenancyEventKind.TRANSFER)
        ended = _end(
            by=by,
            tenancy=old,
            last_day=start_date - timedelta(days=1),
            reason=EndReason.TRANSFER,
            forwarding=_address("\n".join(to_property.address_lines)),
            note=(note or "").strip() or f"Transfer to {to_property}",
            follow_addresses=False,
        )
        result.ended.append(ended)
        new = _sign_up(
            by=by,
            property=to_property,
            old=old,
            start_date=start_date,
            tenants=tenants,
            charges=new_charges,
            payment_method=payment_method or _payment_method_after(old),
            send_letters=send_letters and not dry_run,
            tenure_type=tenure_type,
        )
        result._record(new, start_date)
        request = None
        if carry_balance:
            request = balance_carry_request(
                by=by,
                from_tenancy=old,
                to_tenancy=new,
                reason=f"Transfer from {old.payment_reference} to {new.payment_reference}: the balance of "
                f"{format_money(ended.balance)} carried to the new home.",
            )
            if request:
                result.requests.append(request)
        detail = {
            "from": f"{old.payment_reference}, {old.property}",
            "to": f"{new.payment_reference}, {to_property}",
            "named_tenants": _names(tenants),
            "old_balance": format_money(ended.balance),
            "old_balance_is": (
                f"carried to {new.payment_reference} when request {request.pk} is approved"
                if request
                else balance_left_is(ended.balance)
            ),
        }
        if request:
            detail["balance_request"] = request.pk
        reason = (note or "").strip() or "Transfer to another of our homes"
        result._record_events(by=by, old=old, new=new, on=start_date, reason=reason, detail=detail)
        return result

    return _dry_runnable(work, dry_run)


def tenancy_mutual_exchange(
    *,
    by,
    tenancy: Tenancy,
    on: date,
    incoming_tenants: list[Person] | None = None,
    partner_tenancy: Tenancy | None = None,
    forwarding_address: str = "",
    payment_method: str = "",
    note: str = "",
    send_letters: bool = True,
    dry_run: bool = False,
) -> MoveResult:
    """A mutual exchange from `on` (the incoming tenants' first day). In law it is usually by assignment: the incoming
    tenants take over the tenancy on its terms. Rentwise records it as the outgoing tenancy ending the day before
    (reason mutual exchange, its balance staying with the outgoing tenants) and a new tenancy of the same home, tenure,
    rent period and charges for the incoming tenants, with its own payment reference and rent account
    (docs/ending-tenancies.md says why). With `partner_tenancy` (the incoming tenants are ours too) that tenancy ends
    the same way and the outgoing tenants take over its home: both sides in one go. Every tenancy involved records a
    MUTUAL_EXCHANGE event naming its counterpart."""
    staff_require(by, END_PERMISSION, "record mutual exchanges")

    def work() -> MoveResult:
        ours = Tenancy.objects.select_for_update().select_related("property").get(pk=tenancy.pk)
        _require_current(ours, "a mutual exchange")
        partner = None
        if partner_tenancy is not None:
            partner = Tenancy.objects.select_for_update().select_related("property").get(pk=partner_tenancy.pk)
            if partner.pk == ours.pk:
                raise ValidationError("Choose the other tenancy in the exchange, not this one.")
            _require_current(partner, "a mutual exchange")
        incoming = list(incoming_tenants or (partner.named_tenants() if partner else []))
        if not incoming:
            raise ValidationError("Choose the incoming tenants: the people who take over this home.")
        result = MoveResult(kind=TenancyEventKind.MUTUAL_EXCHANGE)
        last_day = on - timedelta(days=1)
        sides = [(ours, incoming)]
        if partner:
            sides.append((partner, ours.named_tenants()))
        # Both ends first (each home must be free), then both sign-ups.
        forwarding_for = {ours.pk: _address(forwarding_address)}
        if partner:
            forwarding_for = {
                ours.pk: _address("\n".join(partner.property.address_lines)),
                partner.pk: _address("\n".join(ours.property.address_lines)),
            }
        ended = {}
        for old, _ in sides:
            charges = _tenancy_charges(old, last_day)
            ended[old.pk] = (
                _end(
                    by=by,
                    tenancy=old,
                    last_day=last_day,
                    reason=EndReason.MUTUAL_EXCHANGE,
                    forwarding=forwarding_for.get(old.pk, ""),
                    note=(note or "").strip() or "Mutual exchange",
                    follow_addresses=partner is None,
                ),
                charges,
            )
            result.ended.append(ended[old.pk][0])
        for old, people in sides:
            new = _sign_up(
                by=by,
                property=old.property,
                old=old,
                start_date=on,
                tenants=people,
                charges=ended[old.pk][1],
                payment_method=payment_method or PaymentMethod.BANK_TRANSFER,
                send_letters=send_letters and not dry_run,
            )
            result._record(new, on)
            detail = {
                "home": str(old.property),
                "outgoing_tenancy": old.payment_reference,
                "outgoing_tenants": _names(old.named_tenants()),
                "incoming_tenancy": new.payment_reference,
                "incoming_tenants": _names(people),
                "recorded_as": "assignment: same tenure, rent and charges; a new rent account for the incoming "
                "tenants, the outgoing tenants' balance staying with them",
                "outgoing_balance": format_money(ended[old.pk][0].balance),
            }
            if partner:
                detail["exchanged_with"] = (partner if old.pk == ours.pk else ours).payment_reference
            reason = (note or "").strip() or "Mutual exchange"
            result._record_events(by=by, old=old, new=new, on=on, reason=reason, detail=detail)
        return result

    return _dry_runnable(work, dry_run)
