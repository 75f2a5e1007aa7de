"""Subject access export (UK GDPR Art 15, legal-spec §10): everything Rentwise holds about one person, as a zip of
JSON files and the stored PDFs, with a README saying what each file is.

`subject_access_export_make(person=..., by=...)` checks `privacy.add_subjectaccessexport`, builds the zip in memory
and logs the making (who, when, for whom, the zip's SHA-256); the zip itself is not kept.

What counts as the person's: their own record and any duplicate records merged into it; every tenancy they have been
named on, limited to the days they were named on it (a successor or someone who joined later gets only their own
time; a joint tenant gets the whole tenancy); on those, the ledger, arrears cases, contact diary, recommendations,
agreements, Breathing Spaces, benefits, notices, legal cases and stored documents, and the simple-history rows of all
of these. Left out: a contact recorded with another named tenant, and a letter or notice addressed to another named
tenant alone (their personal data, not this person's).

The parts: `holdings` (the tenancies the person was named on, and when), `files` (one file per kind of record, and
the zip) and `export` (the README, the permission and `subject_access_export_make`, which logs the making).
"""

from .export import EXPORT_PAGE, EXPORT_PERMISSION, README, SubjectAccessExportResult, subject_access_export_make
from .holdings import Holding

__all__ = [
    "EXPORT_PAGE",
    "EXPORT_PERMISSION",
    "README",
    "Holding",
    "SubjectAccessExportResult",
    "subject_access_export_make",
]
