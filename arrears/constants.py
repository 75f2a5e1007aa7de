from django.db import models


class PolicyVersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Ladder(models.TextChoices):
    """Which debts a policy's ladder works, and which ladder a case is on (docs/debts.md)."""

    CURRENT = "current", "Current tenants' rent arrears"
    FORMER = "former", "Former tenants' arrears"
    SUNDRY = "sundry", "Rechargeable repairs and sundry debts"


class ReferralStatus(models.TextChoices):
    """A case referred to a debt collection agency, from the referral to the agency's return."""

    REFERRED = "referred", "Referred, not yet sent to the agency"
    SENT = "sent", "Sent to the agency"
    PAID = "paid", "Returned: paid in full"
    RETURNED = "returned", "Returned: not collected in full"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ContactKind(models.TextChoices):
    CALL = "call", "Phone call"
    VISIT = "visit", "Home visit"
    LETTER = "letter", "Letter"
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    SURGERY = "surgery", "Surgery or office visit"
    NOTE = "note", "Note"


# A call or visit counts as an attempt to talk, whether or not it was answered (contact before a letter).
ATTEMPT_KINDS = (ContactKind.CALL, ContactKind.VISIT, ContactKind.SURGERY)


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke to the tenant"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed to send"
    RETURNED = "returned", "Returned undelivered"
    WITHHELD = "withheld", "Not sent: held by a Breathing Space"
    NOTE = "note", "Note only"
    REPLIED = "replied", "Replied"


# Outcomes that mean the named person was reached (pre-action protocol R-PAP-10: an attempt that reached nobody, such
# as an unanswered call, a visit with no answer or a returned letter, is not contact).
REACHED_OUTCOMES = (ContactOutcome.SPOKE, ContactOutcome.SENT)

# A text or email's diary outcome from its message's status (messaging.constants.MessageStatus): it counts as sent,
# for the ladder's reach and the pre-action protocol, only once the provider reports it delivered.
MESSAGE_OUTCOMES = {
    "queued": ContactOutcome.QUEUED,
    "sending": ContactOutcome.QUEUED,
    "sent": ContactOutcome.QUEUED,
    "delivered": ContactOutcome.SENT,
    "temporary_failure": ContactOutcome.FAILED,
    "permanent_failure": ContactOutcome.FAILED,
    "failed": ContactOutcome.FAILED,
    "no_provider": ContactOutcome.FAILED,
    "withheld": ContactOutcome.WITHHELD,
}

# Diary codes of messages that are not ladder steps: a tenant's reply, an officer's own text or email, a campaign.
# They are communication (the latest contact) but never the case's last step, so the ladder does not move on them.
DIARY_ONLY_CODES = ("reply", "officer_message", "campaign")

# What a person can record as a contact's outcome. Queued, sent, failed and withheld are the system's statuses for its
# own letters, and a "note only" is not a contact with anyone, so none of these is offered.
RECORDABLE_OUTCOMES = (
    ContactOutcome.SPOKE,
    ContactOutcome.NO_ANSWER,
    ContactOutcome.LEFT_MESSAGE,
    ContactOutcome.RETURNED,
)


class NonPaymentReason(models.TextChoices):
    BENEFIT_DELAY = "benefit_delay", "Benefit delay or change"
    INCOME_DROP = "income_drop", "Loss of income or work"
    DEBTS = "debts", "Other debts"
    HEALTH = "health", "Illness or health"
    BEREAVEMENT = "bereavement", "Bereavement or family change"
    DISPUTE = "dispute", "Disputes the charge"
    FORGOT = "forgot", "Forgot or oversight"
    OTHER = "other", "Other"


class PauseReason(models.TextChoices):
    COURT_DATE_SET = "court_date_set", "Court date set"
    EVICTION_DATE_SET = "eviction_date_set", "Eviction date set"
    DELAYED_BENEFIT = "delayed_benefit", "Delayed benefit"
    PROMISE_OF_PAYMENT = "promise_of_payment", "Promise of payment"
    DECEASED = "deceased", "Deceased"
    MISSING_DATA = "missing_data", "Missing data"
    OTHER = "other", "Other"


class BreathingSpaceKind(models.TextChoices):
    STANDARD = "standard", "Standard (60 days)"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis", "Mental health crisis (until 30 days after treatment ends)"


class BreathingSpaceEnd(models.TextChoices):
    """How a moratorium ended before its expected end (SI 2020/1311 regs 17-20, 26-29)."""

    CANCELLED = "cancelled", "Cancelled (after a review or by the court)"
    ENDED_EARLY = "ended_early", "Ended early by the debt adviser"


class BreathingSpaceReviewOutcome(models.TextChoices):
    """The debt adviser's answer to the landlord's request for a review (reg 17: within 20 days of the start)."""

    AWAITING = "awaiting", "Awaiting the adviser's review"
    CANCELLED = "cancelled", "Moratorium cancelled for our debt"
    UPHELD = "upheld", "Moratorium kept"


class AgentKind(models.TextChoices):
    """Agents a creditor must tell about a moratorium (reg 12)."""

    SOLICITOR = "solicitor", "Solicitors"
    ENFORCEMENT_AGENT = "enforcement_agent", "Enforcement agents (bailiffs, High Court enforcement officers)"
    DEBT_COLLECTION_AGENCY = "debt_collection_agency", "Debt collection agency"
    OTHER = "other", "Other agent"


class ReviewStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ReviewPartStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AgreementType(models.TextChoices):
    INFORMAL = "informal", "Informal"
    COURT = "court", "Court-ordered"


class AgreementFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Monthly"
    ONE_OFF = "one_off", "One-off payment"


class AgreementState(models.TextChoices):
    LIVE = "live", "Live"
    BREACHED = "breached", "Breached"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class AgreementChangeKind(models.TextChoices):
    """What an officer did to an agreement (its append-only history of terms: arrears.models.AgreementChange)."""

    MADE = "made", "Made"
    CHANGED = "changed", "Changed"
    CANCELLED = "cancelled", "Cancelled"


AGREEMENT_LETTER = "agreement_letter"  # the letter template confirming an agreement's terms to each named tenant


class ReferralKind(models.TextChoices):
    DEBT_ADVICE = "debt_advice", "Free debt advice"
    SUPPORT_WORKER = "support_worker", "Support worker"
    CHARITABLE_FUNDS = "charitable_funds", "Charitable or hardship fund"
    BENEFITS_ADVICE = "benefits_advice", "Benefits and DHP help"
    OTHER = "other", "Other"


class Benefit(models.TextChoices):
    HOUSING_BENEFIT = "hb", "Housing Benefit"
    UNIVERSAL_CREDIT = "uc", "Universal Credit housing costs"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Claim pending"
    EVIDENCE_OUTSTANDING = "evidence_outstanding", "Evidence outstanding"
    IN_PAYMENT = "in_payment", "In payment"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class DirectPaymentKind(models.TextChoices):
    MANAGED_PAYMENT = "managed_payment", "UC managed payment to landlord (APA)"
    THIRD_PARTY_DEDUCTION = "third_party_deduction", "UC third-party deduction for arrears"
    HB_DIRECT = "hb_direct", "Housing Benefit paid direct (reg 95)"


class DirectPaymentStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    CLAIMANT_NOTIFIED = "claimant_notified", "Claimant told, objection window open"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    ACTIVE = "active", "Active"


LETTER_BATCH = 25  # letters per Celery task: small enough to retry cheaply, large enough to keep a worker busy
