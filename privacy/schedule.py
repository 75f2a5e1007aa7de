"""The retention schedule as shipped (legal-spec §10: R-DP-01 storage limitation, R-DP-02 limitation, R-DP-03 lawful
basis). Installed by a data migration; an administrator may then change a period, basis or source in Admin (the
rule's history keeps every change). Installing again adds a missing category and never overwrites an edited rule."""

from .constants import RetentionAction, RetentionCategory
from .models import RetentionRule

LIMITATION = (
    "6 years from the later of the tenancy's end and the account's final settlement or write-off (R-DP-02: "
    "Limitation Act 1980 s19, no action to recover rent arrears after 6 years; a payment or written acknowledgment "
    "restarts time)"
)

SHIPPED_RULES = [
    {
        "category": RetentionCategory.SPECIAL_CATEGORY,
        "title": "Health and vulnerability (special category data)",
        "data_held": (
            "A person's vulnerability notes and health notes; vulnerability reviews' notes and adjustments; a legal "
            "case's proportionality and equality assessment; a mental health crisis Breathing Space's adviser "
            "details; 'illness or health' given as the reason for not paying."
        ),
        "period_months": 12,
        "action": RetentionAction.ANONYMISE,
        "what_happens": (
            "The notes are emptied (on the record and in its change history); the fact that a review was done and "
            "its date stay. The Breathing Space itself (its type and dates) stays with the rent account, because it "
            "explains why steps on the debt were held."
        ),
        "basis": (
            "Special category data (UK GDPR Art 9 with a DPA 2018 Schedule 1 condition, R-DP-03), held only so a "
            "vulnerable tenant is treated fairly while rent is collected and before any legal step. Once the tenancy "
            "has ended and nothing is owed either way, it is kept only long enough to answer a complaint or a "
            "challenge about how the person was treated: a Human Rights Act 1998 claim must be brought within one "
            "year (s7(5)) and an Equality Act 2010 county court claim within six months (s118). One year, as in the "
            "published example policy (1 year after tenancy end unless money is owed)."
        ),
        "source": (
            "legal-spec §10 R-DP-01, R-DP-03; UK GDPR Art 5(1)(e), Art 9; DPA 2018 Sch 1; Human Rights Act 1998 "
            "s7(5); Equality Act 2010 s118; linkhousing.org.uk data retention (example policy). [B] derived: "
            "confirm with the landlord's data protection officer."
        ),
    },
    {
        "category": RetentionCategory.CONTACT_DIARY,
        "title": "Contact diary and case notes",
        "data_held": (
            "The free text of the contact diary (calls, visits, letters, texts, emails), referrals (to whom and "
            "notes), pauses' comments, direct payment requests' notes, a Breathing Space review request's grounds, "
            "adjustment requests' reasons and decisions, legal approvals' notes, protocol confirmations, warrants' "
            "reasons and evictions' notes."
        ),
        "period_months": 72,
        "action": RetentionAction.ANONYMISE,
        "what_happens": (
            "The free text is replaced by '[removed under the retention schedule]'; each entry's date, kind, outcome "
            "and any promise's amount and date stay, so the account's history still reads."
        ),
        "basis": (
            "Contract, legal obligation and legitimate interests in collecting rent. The diary is the "
            "evidence of the steps taken under the Pre-Action Protocol and of what was agreed, needed while the "
            f"arrears can be recovered or a claim about them brought: {LIMITATION}."
        ),
        "source": "legal-spec §10 R-DP-01, R-DP-02, R-DP-03; §3 (protocol evidence); Limitation Act 1980 ss5, 19.",
    },
    {
        "category": RetentionCategory.DOCUMENTS,
        "title": "Letters, notices and statements (stored PDFs)",
        "data_held": (
            "The stored PDF of every letter, notice, rent statement and claim pack made for the person's tenancies."
        ),
        "period_months": 72,
        "action": RetentionAction.ANONYMISE,
        "what_happens": (
            "The PDF files are deleted once every person named on the tenancy is past this period; each document's "
            "record (kind, title, date, pages and SHA-256 fingerprint) stays as proof of what was sent and when."
        ),
        "basis": (
            "The record of what the tenant was told and when (statements R-STM-01, protocol letters, notices). "
            f"R-DP-02 recommends keeping statements, arrangements and notices for {LIMITATION}."
        ),
        "source": "legal-spec §10 R-STM-01, R-DP-01, R-DP-02; Limitation Act 1980 s19.",
    },
    {
        "category": RetentionCategory.IDENTITY,
        "title": "Identity and contact details",
        "data_held": (
            "Name, title, date of birth, email, phone, correspondence address, preferred language and contact, "
            "communication needs, support worker, housing management system reference; the tenancy's forwarding "
            "address; the person's name and addresses where they appear in tenancy events, notices, documents' "
            "addressees and change reasons; a Breathing Space debt adviser's name and contact."
        ),
        "period_months": 72,
        "action": RetentionAction.ANONYMISE,
        "what_happens": (
            "The name becomes 'Anonymised person <record number>' and the other details are emptied, on the record "
            "and in its change history; the person is then marked anonymised. The tenancy, its payment reference "
            "and home, and every ledger line stay."
        ),
        "basis": (
            "Needed to identify the debtor while former-tenant arrears can be recovered or a credit refunded "
            f"(contract, legal obligation, legitimate interests, R-DP-03): {LIMITATION}. Longer while a debt or "
            "claim is live: apply_retention leaves alone anyone with money owed either way, an open case or "
            "proceedings."
        ),
        "source": "legal-spec §10 R-DP-01, R-DP-02, R-DP-03; UK GDPR Art 5(1)(e), Art 6; Limitation Act 1980 s19.",
    },
    {
        "category": RetentionCategory.RENT_ACCOUNT,
        "title": "Rent account figures",
        "data_held": (
            "The ledger (every transaction and the balances), agreements' figures, arrears cases' dates, "
            "recommendations, notices' and court orders' figures."
        ),
        "period_months": 72,
        "action": RetentionAction.KEEP,
        "what_happens": (
            "Kept unchanged: the ledger is append-only and the landlord's financial record, and the reconciliation "
            "must stay at zero. Once the holder's identity is anonymised it no longer identifies a person."
        ),
        "basis": (
            f"The landlord's accounts and the evidence of the debt: at least {LIMITATION}; after that it is kept "
            "without the holder's identity (storage limitation, UK GDPR Art 5(1)(e), applies to identifiable data)."
        ),
        "source": "legal-spec §10 R-DP-01, R-DP-02; UK GDPR Art 5(1)(e).",
    },
]


def retention_rules_install(rule_model=None) -> list[str]:
    """Adds each shipped category that is missing (a data migration passes its historical model). Returns the
    categories added."""
    rule_model = rule_model or RetentionRule
    added = []
    for rule in SHIPPED_RULES:
        _, created = rule_model.objects.get_or_create(
            category=rule["category"], defaults={key: value for key, value in rule.items() if key != "category"}
        )
        if created:
            added.append(str(rule["category"]))
    return added
