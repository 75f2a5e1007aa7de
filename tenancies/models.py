"""People, homes, schemes and patches, tenancies and their charges."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from incomeapp.constants import Jurisdiction
from incomeapp.models import MoneyField, TimeStampedModel

from .constants import (
    LICENCE_TENURES,
    ChargeType,
    ContactChannel,
    EndReason,
    LandlordType,
    LicenceBasis,
    PaymentMethod,
    RentPeriod,
    SchemeType,
    TenancyEventKind,
    TenancyStatus,
    TenureType,
)


class Retirable(models.Model):
    """Homes, schemes, patches and providers are never deleted once anything points at them: they are retired on a
    date and drop out of the choices offered for new work, while history keeps them."""

    retired_on = models.DateField(null=True, blank=True, help_text="The day it stopped being used for new work.")

    class Meta:
        abstract = True

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


class SourceKeyed(models.Model):
    """`source_reference` is the record's key in the landlord's housing management system, so a nightly load finds
    the row it loaded before (blank for records made only in Rentwise)."""

    source_reference = models.CharField(max_length=60, blank=True, default="", db_default="", db_index=True)

    class Meta:
        abstract = True


class Provider(Retirable, SourceKeyed, TimeStampedModel):
    """The registered provider (or council) that owns the homes and is the landlord on letters and notices."""

    name = models.CharField(max_length=200, unique=True)
    landlord_type = models.CharField(max_length=40, choices=LandlordType.choices)
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices, default=Jurisdiction.ENGLAND)
    address = models.TextField(help_text="The landlord's address block on letters and notices.")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name

    @property
    def letterhead(self) -> dict:
        """The landlord's block on letters, notices and statements (an address that starts with the name does not
        print it twice)."""
        lines = [line.strip() for line in self.address.splitlines() if line.strip()]
        if lines and lines[0].casefold() == self.name.casefold():
            lines = lines[1:]
        return {"name": self.name, "address_lines": lines, "phone": self.phone}


class Scheme(Retirable, SourceKeyed, TimeStampedModel):
    """A scheme or service: the unit rent calendars and policies can differ by."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    scheme_type = models.CharField(max_length=20, choices=SchemeType.choices)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="schemes")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RentFreeWeek(models.Model):
    """A week in which a scheme's tenancies are charged nothing (a 48-, 50- or 52-week collection year)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rent_free_weeks")
    week_commencing = models.DateField(help_text="The Monday the rent-free week starts on.")

    class Meta:
        ordering = ["week_commencing"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "week_commencing"], name="one_rent_free_week_per_scheme_week")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} rent-free week commencing {self.week_commencing:%-d %B %Y}"


class Patch(Retirable, SourceKeyed, TimeStampedModel):
    """A group of homes assigned to one income officer."""

    name = models.CharField(max_length=100, unique=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="patches"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "patches"

    def __str__(self) -> str:
        return self.name


class Property(Retirable, SourceKeyed, TimeStampedModel):
    """A home: a house, a flat, or a room (unit) in a shared building (`parent`)."""

    uprn = models.CharField("UPRN", max_length=12, blank=True, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="units")
    unit_label = models.CharField(max_length=50, blank=True, help_text="For example 'Flat 3' or 'Room 2'.")
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10, db_index=True)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="properties")
    patch = models.ForeignKey(Patch, null=True, blank=True, on_delete=models.SET_NULL, related_name="properties")
    bedrooms = models.PositiveSmallIntegerField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "properties"

    def __str__(self) -> str:
        return self.one_line_address

    @property
    def address_lines(self) -> list[str]:
        first = f"{self.unit_label}, {self.address_line_1}" if self.unit_label else self.address_line_1
        return [line for line in (first, self.address_line_2, self.town, self.postcode) if line]

    @property
    def one_line_address(self) -> str:
        return ", ".join(self.address_lines)


class Person(SourceKeyed, TimeStampedModel):
    """A tenant or licensee. Vulnerability and health notes are shown only with `incomeapp.view_sensitive_notes`."""

    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    preferred_contact = models.CharField(max_length=10, choices=ContactChannel.choices, default=ContactChannel.LETTER)
    mobile = models.CharField(
        max_length=30, blank=True, default="", db_default="", help_text="A UK mobile number, for text messages."
    )
    texts_allowed = models.BooleanField(
        "Agreed to text messages",
        default=False,
        db_default=False,
        help_text="They agreed to text messages about their account.",
    )
    emails_allowed = models.BooleanField(
        "Agreed to emails", default=False, db_default=False, help_text="They agreed to emails about their account."
    )
    consent_recorded_on = models.DateField(
        null=True, blank=True, help_text="When they last agreed to, or stopped, texts or emails."
    )
    mobile_wrong_on = models.DateField(
        null=True,
        blank=True,
        help_text="Set when a text could not be delivered to the mobile number: no texts go to it until it is fixed.",
    )
    correspondence_address = models.TextField(
        blank=True,
        help_text="Where to post letters instead of the home, one line per row: for example a former tenant's "
        "forwarding address.",
    )
    preferred_language = models.CharField(max_length=50, default="English")
    communication_adjustments = models.CharField(
        max_length=200, blank=True, help_text="For example large print, easy read, interpreter, call after 10am."
    )
    support_worker = models.CharField(max_length=200, blank=True, help_text="Name and contact of a support worker.")
    vulnerability_notes = models.TextField(blank=True)
    health_notes = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        help_text="Set when this record was found to be a duplicate and merged into another: kept for history.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        permissions = [("merge_person", "Can merge two records of the same person")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    @property
    def wants_email(self) -> bool:
        """Chose email and gave an address: letters and statements go by email, not post."""
        return self.preferred_contact == ContactChannel.EMAIL and bool(self.email)

    def postal_lines(self, home: list[str] | None) -> list[str]:
        """Where to post to: the correspondence address when one is given, otherwise `home` (None for a former
        tenant, whose old home is no longer theirs)."""
        lines = [line.strip() for line in self.correspondence_address.splitlines() if line.strip()]
        return lines or list(home or [])


class Tenancy(SourceKeyed, TimeStampedModel):
    payment_reference = models.CharField(max_length=20, unique=True)
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="tenancies")
    tenure_type = models.CharField(max_length=20, choices=TenureType.choices)
    tenants = models.ManyToManyField(Person, through="TenancyTenant", related_name="tenancies")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="The last day of the tenancy.")
    rent_period = models.CharField(max_length=20, choices=RentPeriod.choices, default=RentPeriod.WEEKLY)
    status = models.CharField(
        max_length=10, choices=TenancyStatus.choices, default=TenancyStatus.CURRENT, db_index=True
    )
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER)
    licence_basis = models.CharField(
        max_length=30,
        choices=LicenceBasis.choices,
        blank=True,
        default="",
        db_default="",
        help_text="Why this is a licence and not a tenancy; required for licences.",
    )
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True, default="", db_default="")
    forwarding_address = models.TextField(
        blank=True, default="", db_default="", help_text="Where to write after the tenancy ends."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "tenancies"
        permissions = [
            ("sign_up_tenancy", "Can sign up a new tenancy"),
            ("end_tenancy", "Can end a tenancy, or record a transfer, exchange, succession or assignment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="tenancy_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(tenure_type__in=LICENCE_TENURES) | ~Q(licence_basis=""),
                name="licence_records_its_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_reference} – {self.property}"

    def is_live_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def named_tenants(self) -> list["Person"]:
        """Every named tenant, the lead first: letters, notices and statements name them all (one query)."""
        return [row.person for row in self.tenancy_tenants.select_related("person").order_by("-is_lead", "id")]


class NamedTenantManager(models.Manager):
    """The named tenants now: letters, notices, statements and pages name these. Someone who left the tenancy by
    succession or assignment keeps their row (with `left_on`), read through `TenancyTenant.every_row`."""

    def get_queryset(self):
        return super().get_queryset().filter(left_on__isnull=True)


class TenancyTenant(models.Model):
    """A named tenant of a tenancy; joint tenancies have several, each written to separately. A person's page lists
    every tenancy they have held, including those they left while it continued (`left_on`)."""

    tenancy = models.ForeignKey(Tenancy, on_delete=models.CASCADE, related_name="tenancy_tenants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="tenancy_tenants")
    is_lead = models.BooleanField(default=False)
    joined_on = models.DateField(
        null=True, blank=True, help_text="When they became a named tenant, if after the start."
    )
    left_on = models.DateField(
        null=True,
        blank=True,
        help_text="When they stopped being a named tenant (succession, assignment) while the tenancy continued.",
    )

    objects = NamedTenantManager()
    every_row = models.Manager()  # noqa: DJ012 (ruff reads a plain Manager as a field)

    class Meta:
        base_manager_name = "every_row"
        ordering = ["-is_lead", "id"]
        constraints = [models.UniqueConstraint(fields=["tenancy", "person"], name="one_tenant_row_per_person")]


class EffectiveDatedQuerySet(models.QuerySet):
    """Rows in effect from `effective_from` to `effective_to` inclusive (an open end runs on): charges of tenancies and
    of homes."""

    def in_effect(self, on: date) -> "EffectiveDatedQuerySet":
        return self.filter(Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on)))

    def counting_as_rent(self) -> "EffectiveDatedQuerySet":
        return self.filter(counts_as_rent=True)


class EffectiveDated:
    """The same test for a row already loaded (the tenancy page's prefetched charges, a rent change in memory)."""

    def in_effect_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or self.effective_to >= on)


def ends_after_it_starts(prefix: str) -> models.CheckConstraint:
    """An effective-dated table's check that a row's end, when it has one, is not before its start."""
    return models.CheckConstraint(
        condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
        name=f"{prefix}_ends_after_it_starts",
    )


class Charge(EffectiveDated, TimeStampedModel):
    """One line of a tenancy's effective-dated charge schedule: the amount due each rent period.

    `counts_as_rent` marks the charges that are rent for arrears and possession purposes (rent and eligible service
    charges usually; support and ineligible charges usually not).
    """

    tenancy = models.ForeignKey(Tenancy, on_delete=models.CASCADE, related_name="charges")
    charge_type = models.CharField(max_length=20, choices=ChargeType.choices)
    amount = MoneyField(help_text="Due each rent period (each week for weekly tenancies, each month for monthly).")
    counts_as_rent = models.BooleanField(default=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="The last day this amount applies.")
    history = HistoricalRecords()

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        ordering = ["tenancy", "charge_type", "effective_from"]
        indexes = [models.Index(fields=["effective_from", "effective_to"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="charge_amount_not_negative"),
            ends_after_it_starts("charge"),
        ]

    def __str__(self) -> str:
        return f"{self.get_charge_type_display()} {self.amount} from {self.effective_from:%-d %B %Y}"


class PropertyCharge(EffectiveDated, TimeStampedModel):
    """A home's own charge schedule: what a new tenancy is offered at sign-up, what a void costs in lost rent, and
    what a rent change run moves each April. A tenancy's charges (`Charge`) start as a copy of these."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="charges")
    charge_type = models.CharField(max_length=20, choices=ChargeType.choices)
    amount = MoneyField(help_text="Due each week.")
    counts_as_rent = models.BooleanField(default=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="The last day this amount applies.")
    history = HistoricalRecords()

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        ordering = ["property", "charge_type", "effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="property_charge_amount_not_negative"),
            ends_after_it_starts("property_charge"),
        ]

    def __str__(self) -> str:
        return f"{self.get_charge_type_display()} {self.amount} a week from {self.effective_from:%-d %B %Y}"


class TenancyEvent(models.Model):
    """What happened to a tenancy, as what it is: a sign-up, a charge change, a succession, an assignment, a mutual
    exchange, a transfer, an end. `related_tenancy` links the two ends of a transfer or exchange."""

    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=TenancyEventKind.choices)
    effective_date = models.DateField()
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True, help_text="The figures and names the event changed.")
    related_tenancy = models.ForeignKey(
        Tenancy, null=True, blank=True, on_delete=models.PROTECT, related_name="related_events"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.effective_date:%-d %B %Y}"


class StaffScope(TimeStampedModel):
    """One landlord, scheme or patch whose tenancies a member of staff may see (issue 21, item 4).

    A person with no rows sees every tenancy, as before scoping existed, except a Housing or Support Worker, who sees
    none until given at least one. A person with rows sees a tenancy when its home's provider, scheme or patch is any
    of them. Kept by a System Administrator on the staff pages; `tenancies.scoping` applies it everywhere.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tenancy_scopes")
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="A whole landlord."
    )
    scheme = models.ForeignKey(Scheme, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    patch = models.ForeignKey(Patch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tenancies seen"
        verbose_name_plural = "tenancies seen"
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__isnull=False, scheme__isnull=True, patch__isnull=True)
                | Q(provider__isnull=True, scheme__isnull=False, patch__isnull=True)
                | Q(provider__isnull=True, scheme__isnull=True, patch__isnull=False),
                name="staff_scope_names_one_provider_scheme_or_patch",
            ),
            models.UniqueConstraint(fields=["user", "provider"], name="one_staff_scope_per_provider"),
            models.UniqueConstraint(fields=["user", "scheme"], name="one_staff_scope_per_scheme"),
            models.UniqueConstraint(fields=["user", "patch"], name="one_staff_scope_per_patch"),
        ]

    def __str__(self) -> str:
        if self.provider_id:
            return f"Landlord: {self.provider}"
        if self.scheme_id:
            return f"Scheme: {self.scheme}"
        return f"Patch: {self.patch}"
