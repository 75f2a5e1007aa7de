"""The files of a subject access export, one JSON file (or folder) per kind of record, each limited to the person's
own records and the days they were named on each tenancy; `_Builder.build` zips them with the README."""

import io
import json
import zipfile
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from arrears.constants import BreathingSpaceKind
from arrears.models import (
    Agreement,
    ArrearsCase,
    BenefitClaim,
    BreathingSpace,
    Contact,
    DirectPaymentRequest,
    Pause,
    Recommendation,
)
from complaints.models import Complaint
from courts.models import Eviction, Hearing, LegalApproval, LegalCase, Notice, Warrant
from documents.models import Document
from incomeapp.money import ZERO
from incomeapp.signals import SpecialCategory, person_notes_categories
from messaging.addresses import mobile_or_blank
from messaging.models import InboundMessage, Message
from privacy.records import Recorder
from rentaccounts.models import Account, AdjustmentRequest, DirectDebitMandate
from tenancies.models import Charge, Person, Tenancy, TenancyTenant

from .holdings import Holding, _holdings

TENANCY_PARTS = ("charges", "direct_debit_mandates", "benefit_claims", "direct_payment_requests")


class _Builder:
    def __init__(self, person: Person):
        self.person = person
        self.merged = list(Person.objects.filter(merged_into=person).order_by("id"))
        self.person_ids = [person.pk, *(p.pk for p in self.merged)]
        self.holdings = _holdings(self.person_ids)
        self.by_tenancy = {h.tenancy.pk: h for h in self.holdings}
        self.accounts = list(
            Account.objects.filter(tenancy_id__in=self.by_tenancy)
            .select_related("tenancy")
            .order_by("tenancy_id", "id")
        )
        self.account_tenancy = {a.pk: a.tenancy_id for a in self.accounts}
        self.accounts_by_id = {a.pk: a for a in self.accounts}
        self.recorder = Recorder()
        self.files: dict[str, bytes] = {}
        self.special: set[str] = set().union(*(person_notes_categories(p) for p in [person, *self.merged]))
        self.cases: list[ArrearsCase] = []
        self.legal_cases: list[LegalCase] = []

    # ---- helpers -----------------------------------------------------------------------------------------------

    def _json(self, name: str, data) -> None:
        self.files[name] = json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()

    def _record(self, obj, exclude=()) -> dict:
        return self.recorder.record(obj, exclude)

    def _holding_of(self, tenancy_id: int) -> Holding:
        return self.by_tenancy[tenancy_id]

    # ---- files -------------------------------------------------------------------------------------------------

    def person_file(self) -> None:
        anonymised = list(self.person.anonymisations.values_list("category", flat=True))
        self._json(
            "person.json",
            {
                "record": self.person.pk,
                "details": self._record(self.person),
                "merged_records": [self._record(p) for p in self.merged],
                "anonymised_under_the_retention_schedule": anonymised,
            },
        )

    def tenancies_file(self) -> None:
        tenancy_ids = list(self.by_tenancy)
        tenants = defaultdict(list)
        for row in TenancyTenant.every_row.filter(tenancy_id__in=tenancy_ids).select_related("person").order_by("id"):
            tenants[row.tenancy_id].append(
                {
                    "name": row.person.full_name,
                    "you": row.person_id in self.person_ids,
                    "lead_tenant": row.is_lead,
                    "joined_on": self.recorder.value(TenancyTenant._meta.get_field("joined_on"), row.joined_on),
                    "left_on": self.recorder.value(TenancyTenant._meta.get_field("left_on"), row.left_on),
                }
            )
        grouped = defaultdict(lambda: defaultdict(list))
        for model, key in (
            (Charge, "charges"),
            (DirectDebitMandate, "direct_debit_mandates"),
            (BenefitClaim, "benefit_claims"),
            (DirectPaymentRequest, "direct_payment_requests"),
        ):
            for obj in model.objects.filter(tenancy_id__in=tenancy_ids).order_by("id"):
                grouped[obj.tenancy_id][key].append(self._record(obj, exclude=("tenancy",)))
        events = defaultdict(list)
        for holding in self.holdings:
            for event in holding.tenancy.events.order_by("effective_date", "id"):
                if holding.covers(event.effective_date):
                    events[holding.tenancy.pk].append(self._record(event, exclude=("tenancy",)))
        self._json(
            "tenancies.json",
            [
                {
                    "payment_reference": h.tenancy.payment_reference,
                    "home": h.tenancy.property.one_line_address,
                    "you_were_named": {
                        "lead_tenant": h.is_lead,
                        "from": h.joined_on.isoformat() if h.joined_on else h.tenancy.start_date.isoformat(),
                        "until": h.left_on.isoformat() if h.left_on else None,
                    },
                    "tenancy": self._record(h.tenancy, exclude=("property",)),
                    "named_tenants": tenants[h.tenancy.pk],
                    "events": events[h.tenancy.pk],
                    **{key: grouped[h.tenancy.pk][key] for key in TENANCY_PARTS},
                }
                for h in self.holdings
            ],
        )

    def ledger_files(self) -> None:
        requests = defaultdict(list)
        for request in AdjustmentRequest.objects.filter(account__in=self.accounts).order_by("created_at", "id"):
            if self._holding_of(self.account_tenancy[request.account_id]).covers(request.created_at):
                requests[request.account_id].append(self._record(request, exclude=("account",)))
        for account in self.accounts:
            holding = self._holding_of(account.tenancy_id)
            running = ZERO
            lines = []
            for line in account.transactions.order_by("effective_date", "id"):
                running += line.amount
                if holding.covers(line.effective_date):
                    lines.append(self._record(line, exclude=("account",)) | {"balance_after": str(running)})
            reference = account.tenancy.payment_reference
            self._json(
                f"ledger/{reference}-{account.kind}.json",
                {
                    "payment_reference": reference,
                    "account": account.get_kind_display(),
                    "balance_now": str(account.balance),
                    "transactions": lines,
                    "adjustment_requests": requests[account.pk],
                },
            )

    def cases_file(self) -> None:
        cases = ArrearsCase.objects.filter(account__in=self.accounts).order_by("opened_on", "id")
        self.cases = [
            c for c in cases if self._holding_of(self.account_tenancy[c.account_id]).overlaps(c.opened_on, c.closed_on)
        ]
        data = []
        for case in self.cases:
            reviews = list(case.vulnerability_reviews.order_by("reviewed_on", "id"))
            if any(review.vulnerable or review.notes.strip() for review in reviews):
                self.special.add(SpecialCategory.VULNERABILITY.value)
            data.append(
                {
                    "payment_reference": self.accounts_by_id[case.account_id].tenancy.payment_reference,
                    "case": self._record(case, exclude=("latest_recommendation",)),
                    "pauses": [self._record(p, exclude=("case",)) for p in case.pauses.order_by("created_at", "id")],
                    "referrals": [self._record(r, exclude=("case",)) for r in case.referrals.order_by("made_on", "id")],
                    "vulnerability_reviews": [self._record(r, exclude=("case",)) for r in reviews],
                }
            )
        self._json("cases.json", data)

    def contacts_file(self) -> None:
        contacts = (
            Contact.objects.filter(case__in=self.cases)
            .select_related("case", "person")
            .order_by("occurred_on", "recorded_at", "id")
        )
        data = []
        for contact in contacts:
            if contact.person_id is not None and contact.person_id not in self.person_ids:
                continue  # recorded with another named tenant: their data
            if not self._holding_of(self.account_tenancy[contact.case.account_id]).covers(contact.occurred_on):
                continue
            data.append(
                self._record(contact, exclude=("person",))
                | {"with": contact.person.full_name if contact.person else None}
            )
        self._json("contacts.json", data)

    def complaints_file(self) -> None:
        complaints = Complaint.objects.filter(person_id__in=self.person_ids).order_by("received_on", "id")
        data = []
        for complaint in complaints.prefetch_related("stages"):
            data.append(
                self._record(complaint, exclude=("person",))
                | {"stages": [self._record(stage, exclude=("complaint",)) for stage in complaint.stages.all()]}
            )
        self._json("complaints.json", data)

    def messages_file(self) -> None:
        """Every text and email sent to this person (with its status and delivery reports) and every reply from them:
        found through their diary entries, and replies from their mobile numbers that no diary holds."""
        sent = (
            Message.objects.filter(contact__person_id__in=self.person_ids)
            .prefetch_related("receipts")
            .order_by("created_at", "id")
        )
        numbers = {mobile_or_blank(p.mobile) for p in [self.person, *self.merged]} - {""}
        replies = InboundMessage.objects.filter(
            Q(contacts__person_id__in=self.person_ids) | Q(from_address__in=numbers)
        ).distinct()
        self._json(
            "messages.json",
            {
                "sent": [
                    self._record(message, exclude=("template_version", "campaign", "made_by"))
                    | {"delivery_reports": [self._record(r, exclude=("message",)) for r in message.receipts.all()]}
                    for message in sent
                ],
                "replies": [
                    self._record(reply, exclude=("replying_to", "read_by"))
                    for reply in replies.order_by("received_at", "id")
                ],
            },
        )

    def recommendations_file(self) -> None:
        rows = (
            Recommendation.objects.filter(account__in=self.accounts)
            .select_related("run", "policy_version__policy")
            .order_by("run__as_of", "id")
        )
        data = []
        for row in rows:
            if not self._holding_of(self.account_tenancy[row.account_id]).covers(row.run.as_of):
                continue
            data.append(
                {
                    "reviewed_as_of": row.run.as_of.isoformat(),
                    "payment_reference": self.accounts_by_id[row.account_id].tenancy.payment_reference,
                    "policy": str(row.policy_version),
                    **self._record(row, exclude=("run", "account", "case", "policy_version")),
                }
            )
        self._json("recommendations.json", data)

    def agreements_file(self) -> None:
        agreements = Agreement.objects.filter(case__in=self.cases).order_by("starts_on", "id")
        self._json(
            "agreements.json",
            [
                self._record(a)
                | {"state_changes": [self._record(s, exclude=("agreement",)) for s in a.state_changes.all()]}
                for a in agreements
            ],
        )

    def breathing_spaces_file(self) -> None:
        spaces = [
            s
            for s in BreathingSpace.objects.filter(tenancy_id__in=self.by_tenancy).order_by("starts_on", "id")
            if self._holding_of(s.tenancy_id).overlaps(s.starts_on, s.ends_on)
        ]
        if any(s.kind == BreathingSpaceKind.MENTAL_HEALTH_CRISIS for s in spaces):
            self.special.add(SpecialCategory.MENTAL_HEALTH_CRISIS.value)
        self._json(
            "breathing_spaces.json",
            [
                self._record(s, exclude=("tenancy",))
                | {
                    "payment_reference": self.by_tenancy[s.tenancy_id].tenancy.payment_reference,
                    "agents_told": [self._record(n, exclude=("breathing_space",)) for n in s.agent_notices.all()],
                }
                for s in spaces
            ],
        )

    def legal_file(self) -> None:
        notices = [
            n
            for n in Notice.objects.filter(tenancy_id__in=self.by_tenancy).order_by("served_on", "id")
            if self._holding_of(n.tenancy_id).covers(n.served_on)
        ]
        notice_ids = {n.pk for n in notices}
        self.legal_cases = list(LegalCase.objects.filter(notice_id__in=notice_ids).order_by("opened_at", "id"))
        hearings, warrants, approvals = defaultdict(list), defaultdict(list), defaultdict(list)
        for hearing in Hearing.objects.filter(legal_case__in=self.legal_cases).order_by("hearing_on", "id"):
            hearings[hearing.legal_case_id].append(self._record(hearing, exclude=("legal_case",)))
        for warrant in Warrant.objects.filter(legal_case__in=self.legal_cases).order_by("requested_at", "id"):
            warrants[warrant.legal_case_id].append(self._record(warrant, exclude=("legal_case",)))
        for approval in LegalApproval.objects.filter(legal_case__in=self.legal_cases).order_by("decided_at", "id"):
            approvals[approval.legal_case_id].append(self._record(approval, exclude=("legal_case",)))
        evictions = Eviction.objects.filter(tenancy_id__in=self.by_tenancy).order_by("scheduled_on", "id")
        self._json(
            "legal.json",
            {
                "notices": [self._record(n) for n in notices],
                "legal_cases": [
                    self._record(case)
                    | {
                        "approvals": approvals[case.pk],
                        "hearings": hearings[case.pk],
                        "warrants": warrants[case.pk],
                    }
                    for case in self.legal_cases
                ],
                "evictions": [
                    self._record(e) for e in evictions if self._holding_of(e.tenancy_id).covers(e.scheduled_on)
                ],
            },
        )

    def documents_files(self) -> None:
        by_reference = {h.tenancy.payment_reference: h for h in self.holdings}
        own_names = {p.full_name for p in [self.person, *self.merged]}
        others = defaultdict(set)
        rows = TenancyTenant.every_row.filter(tenancy_id__in=self.by_tenancy).exclude(person_id__in=self.person_ids)
        for row in rows.select_related("person"):
            others[row.tenancy_id].add(row.person.full_name)
        index = []
        for document in Document.objects.filter(reference__in=by_reference).order_by("created_at", "id"):
            holding = by_reference[document.reference]
            if not holding.covers(document.created_at):
                continue
            if document.recipient_name in others[holding.tenancy.pk] and document.recipient_name not in own_names:
                continue  # addressed to another named tenant alone
            entry = {
                "title": document.title,
                "kind": document.get_kind_display(),
                "payment_reference": document.reference,
                "to": document.recipient_name,
                "made_on": timezone.localtime(document.created_at).date().isoformat(),
                "delivery": document.get_delivery_state_display(),
                "pages": document.pages,
                "sha256": document.sha256,
                "file": None,
            }
            content = self._pdf(document)
            if content is None:
                entry["note"] = "The stored PDF is no longer held."
            else:
                name = f"documents/{document.pk}-{slugify(document.title)[:60] or 'document'}.pdf"
                self.files[name] = content
                entry["file"] = name.removeprefix("documents/")
            index.append(entry)
        self._json("documents/index.json", index)

    @staticmethod
    def _pdf(document: Document) -> bytes | None:
        if not document.pdf:
            return None
        try:
            with document.pdf.open("rb") as handle:
                return handle.read()
        except OSError:
            return None

    def audit_file(self) -> None:
        tenancy_ids = set(self.by_tenancy)
        case_tenancy = {c.pk: self.account_tenancy[c.account_id] for c in self.cases}
        legal_tenancy = {c.pk: c.tenancy_id for c in self.legal_cases}
        # (model, the field pointing at what this person's data hangs on, {that id: the tenancy id})
        sources = [
            (Tenancy, "id", {t: t for t in tenancy_ids}),
            (Charge, "tenancy_id", {t: t for t in tenancy_ids}),
            (DirectDebitMandate, "tenancy_id", {t: t for t in tenancy_ids}),
            (BenefitClaim, "tenancy_id", {t: t for t in tenancy_ids}),
            (DirectPaymentRequest, "tenancy_id", {t: t for t in tenancy_ids}),
            (BreathingSpace, "tenancy_id", {t: t for t in tenancy_ids}),
            (Notice, "tenancy_id", {t: t for t in tenancy_ids}),
            (Eviction, "tenancy_id", {t: t for t in tenancy_ids}),
            (AdjustmentRequest, "account_id", self.account_tenancy),
            (ArrearsCase, "account_id", self.account_tenancy),
            (Agreement, "case_id", case_tenancy),
            (Pause, "case_id", case_tenancy),
            (LegalCase, "id", legal_tenancy),
            (Hearing, "legal_case_id", legal_tenancy),
            (Warrant, "legal_case_id", legal_tenancy),
            (LegalApproval, "legal_case_id", legal_tenancy),
        ]
        rows = [
            self.recorder.history_row(row)
            for row in Person.history.filter(id__in=self.person_ids).order_by("history_date", "history_id")
        ]
        for model, field, tenancy_of in sources:
            if not tenancy_of:
                continue
            history = model.history.filter(**{f"{field}__in": list(tenancy_of)}).order_by("history_date", "history_id")
            for row in history:
                if self._holding_of(tenancy_of[getattr(row, field)]).covers(row.history_date):
                    rows.append(self.recorder.history_row(row))
        rows.sort(key=lambda row: (row["when"], row["change_id"]))
        self._json("audit.json", rows)

    def build(self, readme: str) -> bytes:
        self.person_file()
        self.tenancies_file()
        self.ledger_files()
        self.cases_file()
        self.contacts_file()
        self.complaints_file()
        self.messages_file()
        self.recommendations_file()
        self.agreements_file()
        self.breathing_spaces_file()
        self.legal_file()
        self.documents_files()
        self.audit_file()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.txt", readme)
            for name in sorted(self.files):
                archive.writestr(name, self.files[name])
        return buffer.getvalue()
