"""Applying the plan's people and tenancies (see load.py): people through the services for people; a changed tenancy
through tenancy_charges_change, tenancy_end and the direct debit services; a new one signed up through
tenancy_sign_up and recorded as loaded (or, many at once, written set-based by load_bulk.py)."""

from collections import defaultdict

from rentaccounts.constants import AccountKind, MandateStatus
from rentaccounts.models import Account, DirectDebitMandate
from rentaccounts.services.direct_debits import direct_debit_mandate_cancel, direct_debit_mandate_create
from tenancies.constants import TenancyEventKind
from tenancies.models import (
    Charge,
    Person,
    Property,
    Tenancy,
    TenancyEvent,
)

from .formats import (
    CHARGES,
    DIRECT_DEBITS,
    PEOPLE,
    PROPERTIES,
    TENANCIES,
)
from .load_core import CHARGE_CHANGE_REASON, LOAD_REASON
from .plan import PERSON_FIELDS, Item, NewTenancy


class TenancyLoading:
    # -- people --------------------------------------------------------------------------------------------------

    def _people(self) -> None:
        from tenancies.services_people import person_create, person_update

        creates = self.plan.creates[PEOPLE]
        if self.bulk and creates:
            from .load_bulk import people_insert

            people_insert(self, creates)
        else:
            for item in creates:
                with self.row(PEOPLE, item.line):
                    person = person_create(
                        by=self.by,
                        **{name: item.row[name] for name in PERSON_FIELDS},
                        source_reference=item.key,
                        reason=LOAD_REASON,
                    )
                self.plan.ids[PEOPLE][item.key] = person.pk
        updates = self.plan.updates[PEOPLE]
        people = Person.objects.in_bulk([item.id for item in updates])
        for item in updates:
            with self.row(PEOPLE, item.line):
                person_update(
                    by=self.by,
                    person=people[item.id],
                    reason=LOAD_REASON,
                    **{name: new for name, (_, new) in item.changes.items()},
                )

    # -- tenancies -----------------------------------------------------------------------------------------------

    def _tenancies_changed(self) -> None:
        from lifecycle.charges import tenancy_charges_change
        from lifecycle.ending import tenancy_end

        plan = self.plan
        touched = (
            [item.id for item in plan.updates[TENANCIES]]
            + [charge_set.id for charge_set in plan.tenancy_charges]
            + [item.id for item in plan.ends]
            + [item.row["_tenancy_id"] for item in plan.mandates_new + plan.mandates_cancel + plan.mandates_update]
        )
        if not touched:
            return
        tenancies = Tenancy.objects.select_related("property").in_bulk(set(touched))
        for item in plan.updates[TENANCIES]:
            self._tenancy_fields_update(tenancies[item.id], item)
        for charge_set in plan.tenancy_charges:
            with self.row(CHARGES, charge_set.line, "effective_from"):
                tenancy_charges_change(
                    by=self.by,
                    tenancy=tenancies[charge_set.id],
                    effective_from=charge_set.effective_from,
                    charges=charge_set.charges,
                    reason=CHARGE_CHANGE_REASON,
                )
        self._mandates(tenancies)
        for item in plan.ends:
            row = item.row
            with self.row(TENANCIES, item.line, "end_date"):
                tenancy_end(
                    by=self.by,
                    tenancy=Tenancy.objects.get(pk=item.id),
                    last_day=row["end_date"],
                    reason=row["_end_reason"],
                    forwarding_address=row.get("forwarding_address") or "",
                    note=LOAD_REASON,
                    # The people file is the master of each person's correspondence address.
                    _follow_addresses=False,
                )
        self.applied.account_ids.update(
            Account.objects.filter(tenancy_id__in=set(touched), kind=AccountKind.RENT).values_list("id", flat=True)
        )

    def _tenancy_fields_update(self, tenancy: Tenancy, item: Item) -> None:
        """Tenure, licence basis, payment method, forwarding address (of an ended tenancy) and the source reference
        of a tenancy made in Rentwise: plain fields no other service changes, saved with their history."""
        changes = {name: new for name, (_, new) in item.changes.items()}
        for name, value in changes.items():
            setattr(tenancy, name, value)
        # The plan has checked the values (a licence keeps its basis; the database refuses one without it too).
        tenancy._history_user = self.by
        tenancy._change_reason = LOAD_REASON
        tenancy.save(update_fields=[*changes, "updated_at"])

    def _mandates(self, tenancies: dict[int, Tenancy]) -> None:
        plan = self.plan
        for item in plan.mandates_cancel:
            row = item.row
            mandate = DirectDebitMandate.objects.get(pk=item.id)
            with self.row(DIRECT_DEBITS, item.line, "cancelled_on"):
                direct_debit_mandate_cancel(
                    mandate=mandate,
                    cancelled_on=row["cancelled_on"],
                    new_payment_method=row["_new_payment_method"],
                    user=self.by,
                )
        for item in plan.mandates_update:
            mandate = DirectDebitMandate.objects.get(pk=item.id)
            for name, (_, new) in item.changes.items():
                setattr(mandate, name, new)
            mandate._history_user = self.by
            mandate._change_reason = LOAD_REASON
            mandate.save(update_fields=[*item.changes, "updated_at"])
        for item in plan.mandates_new:
            row = item.row
            tenancy = tenancies[row["_tenancy_id"]]
            if row.get("cancelled_on"):
                _mandate_record(row, tenancy, self.by)
                continue
            with self.row(DIRECT_DEBITS, item.line, "mandate_reference"):
                direct_debit_mandate_create(
                    tenancy=tenancy,
                    reference=row["mandate_reference"],
                    collection_day=row["collection_day"],
                    start_date=row["start_date"],
                    amount=row["amount"],
                    user=self.by,
                )

    def _tenancies_new(self) -> None:
        new = self.plan.new_tenancies
        if not new:
            return
        if self.bulk:
            from .load_bulk import tenancies_insert

            tenancies_insert(self, new)
            return
        by_home: dict[str, list[NewTenancy]] = defaultdict(list)
        for tenancy in new:
            by_home[tenancy.item.row["property_reference"]].append(tenancy)
        for home_tenancies in by_home.values():
            for tenancy in sorted(home_tenancies, key=lambda t: t.item.row["start_date"]):
                self._sign_up(tenancy)

    def _sign_up(self, new: NewTenancy) -> None:
        from lifecycle.ending import tenancy_end
        from lifecycle.signup import tenancy_sign_up

        row, ids = new.item.row, self.plan.ids
        people = Person.objects.in_bulk([ids[PEOPLE][person] for person, _ in new.tenants])
        active = [m for m in new.mandates if not m.get("cancelled_on")]
        mandate = None
        if active:
            m = active[0]
            mandate = {
                "reference": m["mandate_reference"],
                "collection_day": m["collection_day"],
                "start_date": m["start_date"],
                "amount": m["amount"],
            }
        with self.row(TENANCIES, new.item.line):
            result = tenancy_sign_up(
                by=self.by,
                property=Property.objects.get(pk=ids[PROPERTIES][row["property_reference"]]),
                tenure_type=row["tenure_type"],
                start_date=row["start_date"],
                tenants=[people[ids[PEOPLE][person]] for person, _ in new.tenants],
                rent_period=row["rent_period"],
                charges=new.charges,
                payment_method=row["payment_method"],
                licence_basis=row["licence_basis"],
                payment_reference=row["payment_reference"],
                mandate=mandate,
                opening_balance=new.opening_balance,
                opening_balance_date=new.opening_balance_date,
                send_letters=False,
                source_reference=new.item.key,
            )
        tenancy = result.tenancy
        ids[TENANCIES][new.item.key] = tenancy.pk
        # Loaded, not signed up in Rentwise: the event and the history say so.
        TenancyEvent.objects.filter(tenancy=tenancy, kind=TenancyEventKind.SIGN_UP).update(
            kind=TenancyEventKind.LOADED, reason=LOAD_REASON
        )
        Tenancy.history.filter(id=tenancy.pk).update(history_change_reason=LOAD_REASON)
        Charge.history.filter(tenancy_id=tenancy.pk).update(history_change_reason=LOAD_REASON)
        for m in new.mandates:
            if m.get("cancelled_on"):
                _mandate_record(m, tenancy, self.by)
        if result.opening_balance is not None:
            self.applied.opening_balances += 1
            self.applied.opening_balances_total += result.opening_balance.amount
        end = row["end_date"]
        if end is not None and end <= self.today:
            with self.row(TENANCIES, new.item.line, "end_date"):
                tenancy_end(
                    by=self.by,
                    tenancy=tenancy,
                    last_day=end,
                    reason=row["end_reason"] or "other",
                    forwarding_address=row["forwarding_address"] or "",
                    note=LOAD_REASON,
                    _follow_addresses=False,
                )
        self.applied.account_ids.update(
            Account.objects.filter(tenancy=tenancy, kind=AccountKind.RENT).values_list("id", flat=True)
        )


def _mandate_record(row: dict, tenancy: Tenancy, by) -> DirectDebitMandate:
    """A mandate already cancelled in the old system: kept for the record (and direct-debit take-up over time)."""
    mandate = DirectDebitMandate(
        tenancy=tenancy,
        reference=row["mandate_reference"],
        collection_day=row["collection_day"],
        amount=row["amount"],
        status=MandateStatus.CANCELLED,
        start_date=row["start_date"],
        cancelled_on=row["cancelled_on"],
    )
    mandate._history_user = by
    mandate._change_reason = LOAD_REASON
    mandate.save()
    return mandate
