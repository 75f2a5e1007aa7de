"""Personal data as the law expects (legal-spec §10): the retention schedule as data, the record of each person's data
anonymised under it, the log of subject access exports, and the log of who was shown special-category data."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from incomeapp.signals import SpecialCategory

from .constants import RetentionAction, RetentionCategory

# The two logs name a person by record number, not by a foreign key: a log says what happened to the record as it was,
# so merging duplicates (which moves every foreign key to the kept record) must not rewrite it.
RECORD_HELP = "The person's record number (tenancies.Person) at the time."


class RetentionRule(models.Model):
    """How long one category of a former tenant's personal data is kept, and why (R-DP-01: justify each category's
    period). The clock starts on the later of the day the tenancy ended (or the person left it) and the day its
    accounts last moved (final settlement or write-off, R-DP-02); `apply_retention` acts on the rules."""

    category = models.CharField(max_length=30, choices=RetentionCategory.choices, unique=True)
    title = models.CharField(max_length=150)
    data_held = models.TextField(help_text="What the category covers, field by field.")
    period_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text="Kept this many months after the clock starts (72 = 6 years).",
    )
    action = models.CharField(max_length=10, choices=RetentionAction.choices, default=RetentionAction.ANONYMISE)
    what_happens = models.TextField(help_text="What anonymising does to this category, in plain words.")
    basis = models.TextField(help_text="The lawful basis for holding it and why this period is justified.")
    source = models.CharField(max_length=500, help_text="The law or guidance relied on, as cited in legal-spec §10.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["period_months", "category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.period_description}"

    @property
    def period_description(self) -> str:
        years, months = divmod(self.period_months, 12)
        parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
        parts += [f"{months} month{'s' if months != 1 else ''}"] if months else []
        return " ".join(parts)

    def clean(self):
        if self.category == RetentionCategory.RENT_ACCOUNT and self.action != RetentionAction.KEEP:
            raise ValidationError(
                {"action": "The ledger's figures are never changed: the rent account category can only be kept."}
            )


class Anonymisation(models.Model):
    """One category of one person's personal data anonymised under the schedule: when, by whom, under which period.
    A person is anonymised once their identity and contact details are (`person_is_anonymised`)."""

    person = models.ForeignKey("tenancies.Person", on_delete=models.PROTECT, related_name="anonymisations")
    category = models.CharField(max_length=30, choices=RetentionCategory.choices)
    period_months = models.PositiveSmallIntegerField(help_text="The rule's period when it was applied.")
    clock_started_on = models.DateField()
    due_on = models.DateField()
    done_at = models.DateTimeField(auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-done_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "category"], name="one_anonymisation_per_category")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} of record {self.person_id}, {self.done_at:%-d %B %Y}"


class SubjectAccessExport(models.Model):
    """A subject access export made (UK GDPR Art 15): who made it, when, for whom, and a fingerprint of the zip. The
    zip itself is not kept: it is handed over, and making it again gives the data as held then."""

    person_record = models.BigIntegerField(db_index=True, help_text=RECORD_HELP)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    made_at = models.DateTimeField(auto_now_add=True)
    request_note = models.CharField(
        max_length=200, blank=True, help_text="The request's reference, or how and when it was received."
    )
    file_count = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"Subject access export for record {self.person_record}, {self.made_at:%-d %B %Y at %H:%M}"


class SpecialCategoryAccess(models.Model):
    """Someone was shown special-category data (health, vulnerability, a mental health crisis Breathing Space) about
    a person (R-DP-03): who, when, which person, what, and on which page. Written by the receiver of
    `incomeapp.signals.special_category_viewed`; never changed."""

    viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    viewed_at = models.DateTimeField(auto_now_add=True)
    person_record = models.BigIntegerField(help_text=RECORD_HELP)
    categories = models.CharField(max_length=100, help_text=f"Comma-separated: {', '.join(SpecialCategory.values)}.")
    path = models.CharField(max_length=255, help_text="The page's address.")
    view_name = models.CharField(max_length=100, blank=True, help_text="The page, e.g. people:detail.")

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = "special-category access"
        verbose_name_plural = "special-category accesses"
        indexes = [
            models.Index(fields=["person_record", "-viewed_at"], name="sca_person_latest"),
            models.Index(fields=["viewed_by", "-viewed_at"], name="sca_viewer_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.viewed_by} saw {self.categories} of record {self.person_record}"

    @property
    def category_labels(self) -> list[str]:
        labels = dict(SpecialCategory.choices)
        return [labels.get(code, code) for code in self.categories.split(",") if code]
