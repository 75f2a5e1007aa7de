"""Where a case is on the former tenants' or sundry ladder, in plain words, for their worklist tabs: the latest ladder
step taken (`last_stage_code` in the newest recommendation's facts; the letters' codes and the steps other services
record on the case), with a live agency referral said as such."""

LADDER_STAGE_LABELS = {
    "former_tenant_letter_1": "First letter sent",
    "former_tenant_letter_2": "Second letter sent",
    "sundry_reminder": "Reminder sent",
    "sundry_final_reminder": "Final reminder sent",
    "invoice_sent": "Invoice sent",
    "trace_found": "Traced",
    "trace_not_found": "Trace: not found",
    "referred_to_agency": "Referred to the agency",
    "agency_returned": "Returned by the agency",
    "money_claim_pack": "Money claim pack made",
}


def ladder_stage_label(facts: dict | None) -> str:
    facts = facts or {}
    if facts.get("agency_referral_live"):
        return "With the debt collection agency"
    code = facts.get("last_stage_code")
    if not code:
        return "No letter sent yet"
    return LADDER_STAGE_LABELS.get(code, "Other step taken")
